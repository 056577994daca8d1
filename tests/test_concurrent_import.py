"""A million-row import while ten dashboard sessions keep querying the published database.

Each session is its own process, as each Voilà page has its own kernel: it opens `panels.open_store()`
and, in a loop, refreshes (between updates) and runs the Coach dashboard's per-rep report and a
count of touches. The import runs as `socialsell import` in another process meanwhile. Nobody may
wait for anybody, nobody may fail, and every session must end up seeing the imported rows.
"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

import duckdb
import pytest

from socialsell import snapshot, store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 10
ROWS = 1_000_000
PAUSE_S = 0.5  # between two updates of a session: people click, they do not hammer


def _session(db: str, index: int, events, stop) -> None:
    """One dashboard session: update until told to stop; report every round, or the traceback."""
    try:
        from socialsell import metrics
        from socialsell.dashboards import panels
        from socialsell.definitions import Definitions

        con = panels.open_store(db)
        events.put(("ready", index, time.time()))
        while not stop.is_set():
            started = time.time()
            snapshot.refresh(con)  # as each App's update starts
            per_rep = metrics.report(con, Definitions(), by="rep")
            touches = con.execute("SELECT count(*) FROM touches").fetchall()[0][0]
            assert len(per_rep) and per_rep["dials"].sum() > 0
            events.put(("round", index, started, time.time(), touches, con.snapshot.name))
            time.sleep(PAUSE_S)
        con.close()
    except BaseException:
        events.put(("error", index, traceback.format_exc()))
        raise


def _touches(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM touches").fetchall()[0][0]


def _calls_export(path: Path) -> Path:
    """The seeded HubSpot call log of the import benchmark, ROWS rows."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_import
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    bench_import.write_calls(path, ROWS)
    return path


class _Log:
    """What the sessions reported: rounds (start, end, touches, snapshot) per session, errors."""

    def __init__(self, events) -> None:
        self.events = events
        self.ready: set[int] = set()
        self.rounds: dict[int, list[tuple[float, float, int, str]]] = {i: [] for i in range(SESSIONS)}
        self.errors: list[str] = []

    def drain(self, timeout: float) -> None:
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return
        kind, index, *rest = event
        if kind == "ready":
            self.ready.add(index)
        elif kind == "round":
            self.rounds[index].append(tuple(rest))
        else:
            self.errors.append(f"session {index}:\n{rest[0]}")

    def wait(self, done, deadline_s: float, what: str) -> None:
        deadline = time.monotonic() + deadline_s
        while not done() and not self.errors:
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            self.drain(0.5)
        assert not self.errors, "\n".join(self.errors)

    def latest(self, index: int) -> int | None:
        return self.rounds[index][-1][2] if self.rounds[index] else None


class _Sessions:
    """SESSIONS dashboard sessions in their own processes, and what they reported (`log`)."""

    def __init__(self, db: Path) -> None:
        # Fresh processes, forked from one that has imported the dashboards once: ten interpreters
        # importing plotly, polars and DuckDB side by side would take half a minute on two cores.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["socialsell.dashboards.panels", "socialsell.metrics"])
        self.events, self.stop = context.Queue(), context.Event()
        self.processes = [
            context.Process(target=_session, args=(str(db), i, self.events, self.stop))
            for i in range(SESSIONS)
        ]
        self.log = _Log(self.events)
        for process in self.processes:
            process.start()

    def end(self) -> list[int | None]:
        """Stop every session; their exit codes."""
        self.stop.set()
        deadline = time.monotonic() + 30
        while any(p.is_alive() for p in self.processes) and time.monotonic() < deadline:
            self.log.drain(0.1)  # a process exits only once what it put is read
        for process in self.processes:
            process.kill() if process.is_alive() else process.join()
        while not self.events.empty():
            self.log.drain(0.1)
        return [p.exitcode for p in self.processes]


def _import(calls: Path, db: Path) -> tuple[float, float]:
    """`socialsell import` in its own process; (start, end) as wall-clock times."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-m", "socialsell", "import", str(calls), "--db", str(db)],
        cwd=db.parent,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return started, time.time()


def test_an_import_swaps_in_while_ten_sessions_read(demo_db, tmp_path):
    started = time.monotonic()
    db = tmp_path / "socialsell.duckdb"
    shutil.copyfile(demo_db, db)  # the session's demo stays untouched for the other tests
    with store.connect(db) as con:
        first = snapshot.publish(con, db)
    before = _touches(db)
    calls = _calls_export(tmp_path / "hubspot-calls.csv")
    sessions = _Sessions(db)
    log = sessions.log
    try:
        log.wait(lambda: len(log.ready) == SESSIONS and all(log.rounds.values()), 90, "sessions to start")
        ready_s = time.monotonic() - started
        import_started, import_ended = _import(calls, db)
        after = _touches(db)
        assert after == before + ROWS
        log.wait(lambda: all(log.latest(i) == after for i in range(SESSIONS)), 30, "sessions to switch")
    finally:
        exit_codes = sessions.end()
    assert not log.errors, "\n".join(log.errors)
    assert exit_codes == [0] * SESSIONS
    published = snapshot.current(db)
    assert published != first
    for index, rounds in log.rounds.items():
        # the sessions kept answering during the import, from the old snapshot, then the new one
        during = [r for r in rounds if import_started < r[0] and r[1] < import_ended]
        assert during, f"session {index} ran no update while the import ran"
        assert {r[2] for r in during} <= {before, after}
        assert rounds[-1][2:] == (after, published.name)
        seen = [r[2] for r in rounds]
        assert seen == sorted(seen), f"session {index} went back to older data"
    print(
        f"{SESSIONS} sessions, {sum(map(len, log.rounds.values()))} updates; import of {ROWS:,} rows "
        f"{import_ended - import_started:.1f} s; sessions ready after {ready_s:.1f} s; "
        f"test {time.monotonic() - started:.1f} s"
    )
