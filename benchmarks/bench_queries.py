"""Query and dashboard benchmark on a synthetic database of N touches (default 1 M; 10 M for the big run).

Builds the database directly in SQL (the import path has its own benchmark), rebuilds the derived
tables, then measures:
  - the weekly per-rep rollup with attribution (`metrics.report(by="week")` for one rep and for all),
    cold (fresh process) and warm (repeated), targets ≤ 2 s cold and ≤ 150 ms warm;
  - each dashboard App's construction (first render, server side) and one filter change,
    targets ≤ 5 s first render and ≤ 300 ms per filter change.

Usage: python benchmarks/bench_queries.py [--touches N] [--db PATH]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

from socialsell import resolve, store

BUILD_SQL = """
INSERT INTO reps SELECT 'rep-' || i, 'Rep ' || i, CASE WHEN i < 6 THEN 'Nord' ELSE 'Süd' END, true
FROM range(12) r(i);
INSERT INTO touches (rep_id, channel, kind, direction, occurred_at, source_tz, local_day, local_week, local_hour,
                     duration_s, outcome, thread_id, contact_key, participants, source, source_id, import_id,
                     source_file, source_row)
SELECT 'rep-' || (i % 12),
       CASE WHEN i % 10 < 8 THEN 'phone' ELSE 'linkedin' END,
       CASE WHEN i % 10 < 8 THEN 'call' ELSE 'message' END,
       CASE WHEN i % 10 < 8 OR i % 2 = 0 THEN 'outbound' ELSE 'inbound' END,
       TIMESTAMPTZ '2025-01-01 08:00:00+00' + to_seconds((i * 37) % (365 * 86400)),
       'Europe/Berlin', NULL, NULL, NULL,
       CASE WHEN i % 10 < 8 THEN (i * 13) % 300 END,
       CASE WHEN i % 10 >= 8 THEN NULL WHEN i % 100 < 2 THEN 'meeting_booked' WHEN i % 100 < 12 THEN 'connected'
            WHEN i % 100 < 30 THEN 'voicemail' ELSE 'no_answer' END,
       CASE WHEN i % 10 >= 8 THEN 't-' || ((i // 10) % 200000) END,
       CASE WHEN i % 10 < 8 THEN 'tel:+4930' || (1000000 + (i * 7) % 400000)
            ELSE 'li:in/p-' || ((i // 10) % 200000) END,
       1, 'bench', 'b-' || i, 'bench', 'bench.csv', i
FROM range({n}) r(i);
UPDATE touches SET local_day = (occurred_at AT TIME ZONE 'Europe/Berlin')::DATE,
                   local_hour = hour(occurred_at AT TIME ZONE 'Europe/Berlin');
UPDATE touches SET local_week = date_trunc('week', local_day);
INSERT INTO meetings (rep_id, starts_at, booked_at, status, origin, contact_key, local_day, local_week, source,
                      source_id, import_id, source_file, source_row)
SELECT rep_id, occurred_at + INTERVAL 5 DAY, occurred_at, 'completed', 'calendar', contact_key,
       local_day + 5, date_trunc('week', local_day + 5), 'bench-cal', 'm-' || source_id, 'bench', 'bench.ics', 1
FROM touches WHERE (kind = 'message' AND source_row % 97 = 0);
"""

DASHBOARDS = ("OverviewApp", "CoachApp", "FunnelApp", "DataQualityApp")

COLD = """
import sys, time
t = time.perf_counter()
from socialsell import metrics, store
from socialsell.definitions import Definitions
con = store.connect(sys.argv[1], read_only=True)
metrics.report(con, Definitions(reps=("rep-3",)), by="week")
print(time.perf_counter() - t)
"""


def build(path: Path, touches: int) -> None:
    con = store.connect(path)
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    for statement in BUILD_SQL.format(n=touches).split(";\n"):
        if statement.strip():
            con.execute(statement)
    resolve.rebuild(con)
    con.execute("COMMIT")
    con.close()
    print(f"built {touches:,} touches in {time.perf_counter() - started:.1f} s", flush=True)


def _best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(path: Path) -> dict:
    from socialsell import dashboards, metrics
    from socialsell.definitions import Definitions

    cold = float(
        subprocess.run(
            [sys.executable, "-c", COLD, str(path)], capture_output=True, text=True, check=True
        ).stdout.split()[-1]
    )
    con = store.connect(path, read_only=True)
    one_rep = _best(lambda: metrics.report(con, Definitions(reps=("rep-3",)), by="week"))
    all_reps = _best(lambda: metrics.report(con, Definitions(), by="rep"))
    results = {
        "rollup_cold_s": round(cold, 3),
        "rollup_one_rep_warm_s": round(one_rep, 3),
        "report_all_reps_warm_s": round(all_reps, 3),
    }
    print(
        f"weekly rollup + attribution, one rep: cold {cold:.2f} s (target ≤ 2), warm {one_rep * 1000:.0f} ms "
        f"(target ≤ 150); per-rep report for all reps warm {all_reps * 1000:.0f} ms",
        flush=True,
    )
    for name in DASHBOARDS:
        app_class = getattr(dashboards, name)
        with redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            app = app_class(con)
            first = time.perf_counter() - started
            change = _filter_change(app)
        results[f"{name}_first_render_s"] = round(first, 3)
        results[f"{name}_filter_change_s"] = round(change, 3) if change is not None else None
        shown = f"{change * 1000:.0f} ms" if change is not None else "–"
        print(
            f"{name:>15}: first render (server side) {first:.2f} s (target ≤ 5), filter change {shown} "
            "(median of 6; target ≤ 300 ms)",
            flush=True,
        )
    return results


def _filter_change(app, changes: int = 6) -> float | None:
    """Median time of a team-filter change (cycling through the teams and "All teams")."""
    filters = getattr(app, "filters", None)
    if filters is None:
        return None
    options = list(filters.team.options)
    times = []
    for _ in range(changes):
        value = options[(options.index(filters.team.value) + 1) % len(options)]
        started = time.perf_counter()
        filters.team.value = value
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="reuse or keep the database here")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="socialsell-qbench-")) / "bench.duckdb"
    if not path.exists():
        build(path, args.touches)
    results = measure(path)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
