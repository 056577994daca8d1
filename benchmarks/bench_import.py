"""Import benchmark: `socialsell import` vs a plain DuckDB `CREATE TABLE AS SELECT * FROM read_csv`.

Generates a seeded HubSpot-style call log (BENCH_ROWS rows, default 1 M; 10 M for the big run) and a
LinkedIn messages.csv (BENCH_MESSAGES rows), then times, each in a fresh process on a fresh database,
alternating and BENCH_REPEAT times (medians, as the machine is shared):
  1. plain DuckDB: CREATE TABLE … AS SELECT * FROM read_csv(file)
  2. socialsell import of the same file (connect + migrate, parse, insert, derived tables, close)
and prints rows/s, the ratio (target ≥ 0.7× the plain load), the import's stages, CPU seconds, and the
peak RSS of each process against the file size (target ≤ 2×), next to the RSS of a process that has
only imported Python, duckdb, polars and socialsell.

Usage: python benchmarks/bench_import.py [--rows N] [--messages N] [--repeat N] [--out DIR] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HUBSPOT_HEADER = [
    "Record ID",
    "Call Title",
    "Activity date",
    "Activity assigned to",
    "Call direction",
    "Call outcome",
    "Call status",
    "Call duration",
    "From number",
    "To number",
    "Associated Contact",
]
OUTCOMES = [
    "No answer",
    "Busy",
    "Left voicemail",
    "Left live message",
    "Connected",
    "Wrong number",
    "Meeting booked",
]
OUTCOME_WEIGHTS = [55, 8, 18, 5, 10, 2, 2]
REPS = ["Anna Becker", "Jonas Weber", "Lea Schmidt", "Murat Yilmaz", "Sophie Wagner", "Tobias Braun"]


def write_calls(path: Path, rows: int, seed: int = 42) -> None:
    """A HubSpot calls export with `rows` rows and ~rows/20 distinct phone numbers, written in chunks."""
    chunk = 1_000_000
    with open(path, "wb") as fh:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            frame = _calls_chunk(start, n, seed + start)
            frame.write_csv(fh, include_header=start == 0)


def _calls_chunk(start: int, n: int, seed: int) -> pl.DataFrame:
    idx = pl.int_range(start, start + n, eager=True)
    frame = pl.DataFrame({"i": idx, "r": (idx * 2654435761 + seed) % 4294967296})  # cheap seeded stream
    bucket = pl.col("r").mod(100)
    limit = 0
    outcome = None
    for weight, label in zip(OUTCOME_WEIGHTS, OUTCOMES, strict=True):
        limit += weight
        outcome = (pl.when(bucket < limit) if outcome is None else outcome.when(bucket < limit)).then(
            pl.lit(label)
        )
    contact = (pl.col("r") // 7).mod(max(n // 20, 1000))
    return frame.select(
        pl.col("i").cast(pl.String).alias("Record ID"),
        pl.lit("Call").alias("Call Title"),
        (pl.datetime(2026, 1, 1) + pl.duration(seconds=pl.col("i") * 3))
        .dt.strftime("%Y-%m-%d %H:%M")
        .alias("Activity date"),
        pl.col("r")
        .mod(len(REPS))
        .replace_strict(dict(enumerate(REPS)), return_dtype=pl.String)
        .alias("Activity assigned to"),
        pl.lit("Outbound").alias("Call direction"),
        outcome.otherwise(pl.lit("Connected")).alias("Call outcome"),
        pl.lit("Completed").alias("Call status"),
        pl.col("r").mod(300_000).cast(pl.String).alias("Call duration"),
        pl.lit("+49 40 5550100").alias("From number"),
        pl.format("+49 30 {}", contact + 1_000_000).alias("To number"),
        pl.format("Kontakt {}", contact).alias("Associated Contact"),
    )


_SYLLABLES = (
    "nord", "licht", "berg", "tal", "stahl", "werk", "haus", "feld", "stein", "bach", "wald", "hof",
    "markt", "brück", "sonnen", "blau", "grün", "eich", "linden", "mühl", "ost", "west", "süd", "kraft",
)  # fmt: skip
_HOOKS = (
    "ich habe gesehen, dass {company} gerade im Vertrieb wächst.",
    "Ihr Beitrag zur Digitalisierung im Vertrieb hat mich neugierig gemacht.",
    "als Vertriebsleiter bei {company} kennen Sie das Thema Terminquote sicher gut.",
    "wir arbeiten mit mehreren Unternehmen aus Ihrer Branche zusammen, und mir ist {company} aufgefallen.",
    "hast du kurz Zeit für einen Austausch? Ich hab gesehen, dass du bei {company} den Vertrieb leitest.",
)
_ASKS = (
    "Wäre ein kurzer Austausch für Sie interessant?",
    "Passt Ihnen Dienstag um 10 Uhr für 15 Minuten?",
    "Hätten Sie Lust auf ein kurzes Gespräch dazu? Hier mein Kalender: https://calendly.com/anna-becker/15min",
    "Wie gehen Sie das bei {company} heute an?",
)
_REPLIES = (
    "Klingt interessant – wie funktioniert das konkret?",
    "Danke, aktuell kein Bedarf.",
    "Gerne, Donnerstag 14:00 passt mir gut.",
    "Thanks for reaching out, happy to continue in English. How does it work?",
    "Bitte melden Sie sich im März noch einmal.",
)
_VOCABULARY = (
    "wir", "haben", "gerade", "ein", "neues", "projekt", "team", "vertrieb", "kunden", "zahlen", "woche",
    "leider", "aktuell", "budget", "termin", "gespräch", "danke", "gerne", "später", "thema", "bereits",
    "partner", "lösung", "frage", "angebot", "unterlagen", "kollegen", "entscheidung", "quartal", "ziel",
    "the", "we", "are", "looking", "into", "options", "next", "quarter", "pricing", "demo", "send", "deck",
)  # fmt: skip


def _message_texts(rows: int, seed: int) -> list[str]:
    """Bodies as a rep's archive has them: outbound messages from a few templates with the prospect's
    company filled in, short stock replies, and free-text replies (every third inbound message)."""
    rng = random.Random(seed)
    texts = []
    for i in range(rows):
        thread = i // 6
        company = (_SYLLABLES[thread % 24] + _SYLLABLES[(thread // 24) % 24]).capitalize() + " GmbH"
        if i % 2 == 0:
            hook, ask = rng.choice(_HOOKS), rng.choice(_ASKS)
            texts.append(f"Hallo Prospect {thread},\n\n{hook} {ask}".format(company=company))
        elif i % 6 == 5:
            words = rng.choices(_VOCABULARY, k=rng.randint(6, 30))
            texts.append(" ".join(words).capitalize() + ".")
        else:
            texts.append(rng.choice(_REPLIES))
    return texts


def write_messages(path: Path, rows: int, seed: int = 7) -> None:
    """A 2025-format messages.csv: owner Anna Becker and `rows / 6` threads of six messages."""
    idx = pl.int_range(0, rows, eager=True)
    frame = pl.DataFrame({"i": idx, "text": _message_texts(rows, seed)}).with_columns(
        thread=pl.col("i") // 6, outbound=(pl.col("i") % 2) == 0
    )
    anna = ("Anna Becker", "https://www.linkedin.com/in/anna-becker-demo")
    other_name = pl.format("Prospect {}", pl.col("thread"))
    other_url = pl.format("https://www.linkedin.com/in/prospect-{}", pl.col("thread"))
    out = frame.select(
        pl.format("2-{}", pl.col("thread")).alias("CONVERSATION ID"),
        pl.lit("").alias("CONVERSATION TITLE"),
        pl.when("outbound").then(pl.lit(anna[0])).otherwise(other_name).alias("FROM"),
        pl.when("outbound").then(pl.lit(anna[1])).otherwise(other_url).alias("SENDER PROFILE URL"),
        pl.when("outbound").then(other_name).otherwise(pl.lit(anna[0])).alias("TO"),
        pl.when("outbound").then(other_url).otherwise(pl.lit(anna[1])).alias("RECIPIENT PROFILE URLS"),
        (pl.datetime(2025, 1, 1) + pl.duration(minutes=pl.col("i")))
        .dt.strftime("%Y-%m-%d %H:%M:%S UTC")
        .alias("DATE"),
        pl.lit("").alias("SUBJECT"),
        pl.col("text").alias("CONTENT"),
        pl.lit("INBOX").alias("FOLDER"),
        pl.lit("No").alias("IS MESSAGE DRAFT"),
    )
    out.write_csv(path)


PLAIN = """
import duckdb, sys, time
t = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute(f"CREATE TABLE plain AS SELECT * FROM read_csv('{sys.argv[1]}')")
con.close()
print(time.perf_counter() - t)
"""

# The import as `socialsell import` runs it (fresh database: connect + migrate, parse, load, derived
# tables, close), with the stages timed by wrapping the functions that do them.
SOCIALSELL = """
import sys, time
from socialsell import importer, resolve, store
stages = {}
def timed(module, name, stage):
    inner = getattr(module, name, None)
    if inner is None:  # an older socialsell
        return
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - t
    setattr(module, name, wrapper)
timed(store, "connect", "connect")  # a fresh database: create and migrate it
timed(importer, "parse_file", "parse")
timed(store, "_load_staged", "insert")
timed(store, "_load_frame", "insert")
timed(store, "_prepare", "insert")  # older socialsell: conform + local time in polars
timed(store, "_insert_new", "insert")
timed(resolve, "rebuild", "derived")
t = time.perf_counter()
summaries = importer.import_paths([sys.argv[1]], db=sys.argv[2], rep=sys.argv[3] or None)
total = time.perf_counter() - t
stages["other"] = total - sum(stages.values())  # checksum, quarantine, commit, checkpoint, close
print(" ".join(f"{k}={v:.3f}" for k, v in stages.items()), file=sys.stderr)
print(sum(s.rows_loaded for s in summaries), file=sys.stderr)
print(total)
"""

BASELINE = """
import sys, time
import duckdb, polars
from socialsell import importer, store
from socialsell.sources import sources
sources()
con = duckdb.connect()
con.sql("SELECT 1").fetchall()
print(0.0)
"""


def _timed(script: str, *args: str) -> dict:
    """Run a script in a fresh process: the seconds it reports, its peak RSS and CPU time, stderr.

    The peak is VmHWM, the high-water mark of the process's own memory since it started Python.
    (ru_maxrss would not do: Linux carries it over from the forking parent, so a child of this
    script would report at least the memory this script used to generate the inputs.)
    """
    wrapper = (
        "import re, resource, sys\n"
        f"exec(compile({script!r}, 'bench', 'exec'))\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read())[1]) * 1024\n"
        "print(peak, usage.ru_utime + usage.ru_stime)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    seconds, peak, cpu = result.stdout.split()[-3:]
    return {"seconds": float(seconds), "peak": int(peak), "cpu": float(cpu), "stderr": result.stderr}


def _stages(stderr: str) -> dict[str, float]:
    line = next((x for x in stderr.splitlines() if "parse=" in x), "")
    return {k: float(v) for k, v in (part.split("=") for part in line.split())}


def bench_file(label: str, file: Path, rows: int, workdir: Path, rep: str = "", repeat: int = 3) -> dict:
    """Plain DuckDB load and socialsell import of one file, alternating, each `repeat` times; medians."""
    size = file.stat().st_size
    plain, ours = [], []
    for _ in range(repeat):
        for db in workdir.glob(f"{label}-*.duckdb*"):
            db.unlink()
        plain.append(_timed(PLAIN, str(file), str(workdir / f"{label}-plain.duckdb")))
        ours.append(_timed(SOCIALSELL, str(file), str(workdir / f"{label}-socialsell.duckdb"), rep))
    plain_s = statistics.median(r["seconds"] for r in plain)
    ours_s = statistics.median(r["seconds"] for r in ours)
    ours_mem = statistics.median(r["peak"] for r in ours)
    plain_mem = statistics.median(r["peak"] for r in plain)
    stages = {k: round(statistics.median(_stages(r["stderr"]).get(k, 0.0) for r in ours), 2)
              for k in _stages(ours[0]["stderr"])}  # fmt: skip
    result = {
        "file": label,
        "rows": rows,
        "file_mb": round(size / 1e6, 1),
        "repeats": repeat,
        "plain_s": round(plain_s, 2),
        "socialsell_s": round(ours_s, 2),
        "plain_rows_per_s": round(rows / plain_s),
        "socialsell_rows_per_s": round(rows / ours_s),
        "speed_ratio": round(plain_s / ours_s, 2),
        "speed_target": 0.7,
        "socialsell_stages_s": stages,
        "plain_cpu_s": round(statistics.median(r["cpu"] for r in plain), 2),
        "socialsell_cpu_s": round(statistics.median(r["cpu"] for r in ours), 2),
        "socialsell_peak_mb": round(ours_mem / 1e6),
        "plain_peak_mb": round(plain_mem / 1e6),
        "memory_ratio": round(ours_mem / size, 2),
        "plain_memory_ratio": round(plain_mem / size, 2),
        "memory_target": 2.0,
    }
    print(
        f"{label:>10}: {rows:>11,} rows {size / 1e6:8.1f} MB | plain DuckDB {rows / plain_s:>11,.0f} rows/s | "
        f"socialsell {rows / ours_s:>11,.0f} rows/s | ratio {plain_s / ours_s:4.2f}× (target ≥ 0.70) | "
        f"peak {ours_mem / 1e6:,.0f} MB = {ours_mem / size:4.2f}× file (target ≤ 2.0; plain DuckDB "
        f"{plain_mem / 1e6:,.0f} MB = {plain_mem / size:4.2f}×)",
        flush=True,
    )
    print(
        f"{'':>10}  median of {repeat}: plain {plain_s:.2f} s ({result['plain_cpu_s']:.1f} s CPU), socialsell "
        f"{ours_s:.2f} s ({result['socialsell_cpu_s']:.1f} s CPU) = "
        + " + ".join(f"{k} {v:.2f}" for k, v in stages.items()),
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", 1_000_000)))
    parser.add_argument("--messages", type=int, default=int(os.environ.get("BENCH_MESSAGES", 300_000)))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 3)))
    parser.add_argument("--out", type=Path, default=None, help="keep generated files here")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args()
    workdir = args.out or Path(tempfile.mkdtemp(prefix="socialsell-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    calls, messages = workdir / "calls_hubspot.csv", workdir / "messages.csv"
    t = time.perf_counter()
    if args.rows:
        write_calls(calls, args.rows)
    if args.messages:
        write_messages(messages, args.messages)
    print(f"generated inputs in {time.perf_counter() - t:.1f} s under {workdir}", flush=True)
    baseline = statistics.median(_timed(BASELINE)["peak"] for _ in range(3))
    print(
        f"baseline: Python + duckdb + polars + socialsell imported, nothing read: {baseline / 1e6:,.0f} MB RSS"
    )
    results = []
    if args.rows:
        results.append(bench_file("calls", calls, args.rows, workdir, repeat=args.repeat))
    if args.messages:
        results.append(bench_file("messages", messages, args.messages, workdir, "Anna Becker", args.repeat))
    if args.json:
        args.json.write_text(
            json.dumps({"baseline_peak_mb": round(baseline / 1e6), "results": results}, indent=2)
        )


if __name__ == "__main__":
    main()
