"""The dashboards as a visitor sees them: `socialsell serve` + headless Chromium, plus serving security.

Needs Debian's chromium at /usr/bin/chromium (never a Playwright-downloaded browser). Locally the browser
tests skip without it; with CI=true they fail. Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from dashboard_server import (
    KNOWN_EXTERNAL_HOSTS,
    NOTEBOOKS,
    ROOT,
    DashboardPage,
    chromium_context,
    chromium_problem,
    count_figures,
    free_port,
    http,
    notebook_code,
    notebooks,
    serving,
    socialsell,
)

from socialsell import store
from socialsell.quality import quality

pytestmark = pytest.mark.slow

NOTEBOOK_FILES = notebooks()
IDS = [path.stem for path in NOTEBOOK_FILES]
DATA_QUALITY = "4_data_quality.ipynb"
BAD_CALLS = ROOT / "tests" / "fixtures" / "calls" / "bad" / "bad_rows.csv"


# --- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(demo_db, tmp_path_factory):
    """`socialsell serve` on the demo database, on a free loopback port."""
    with serving(demo_db, tmp_path_factory.mktemp("serve") / "voila.log") as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    problem = chromium_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the browser tests cannot run: {problem}")
        pytest.skip(f"browser tests need Debian's chromium: {problem}")
    with chromium_context() as context:
        yield context


@pytest.fixture
def open_page(browser):
    """Open pages on a server; check each for errors and external requests as the test ends."""
    pages: list[DashboardPage] = []

    def opener(server) -> DashboardPage:
        pages.append(DashboardPage(browser, server))
        return pages[-1]

    yield opener
    for page in pages:
        page.close()


def _without_known_hosts(urls: list[str]) -> list[str]:
    return [u for u in urls if re.sub(r"^\w+://([^/:]+).*", r"\1", u) not in KNOWN_EXTERNAL_HOSTS]


# --- every dashboard renders --------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_dashboard_renders_without_errors(path, server, demo_db, open_page, browser):
    page = open_page(server)
    try:
        page.open(path.name, figures=count_figures(path, demo_db))
    except AssertionError:
        page.screenshot(f"{path.stem}-FAILED")  # what the visitor was left looking at
        raise
    assert not _leaks_source(page.html, path), f"{path.name}: the served page contains notebook source"
    shot = page.screenshot(path.stem)
    assert shot.stat().st_size > 10_000
    assert page.problems() == [], f"{path.name}: see {shot.relative_to(ROOT)}"
    assert page.text(".jp-OutputArea-output").strip(), f"{path.name} rendered no output"
    assert _without_known_hosts(browser.external_requests) == []
    # served, figures are drawn by the page's plotly.js (loaded once), not by Plotly's MIME renderer
    assert page.page.locator(".jp-RenderedPlotly").count() == 0


# The part of each dashboard whose numbers depend on the team filter.
FILTERED = {
    "1_overview.ipynb": ".ss-cards",
    "2_coach.ipynb": '.widget-html:has(h3:text-is("Reps"))',
    "3_funnel.ipynb": ".js-plotly-plot",
    "5_playbook.ipynb": ".ss-verdict",
}


@pytest.mark.parametrize("name", sorted(FILTERED))
def test_a_team_filter_changes_the_figures(name, server, demo_db, open_page):
    page = open_page(server).open(name, figures=count_figures(NOTEBOOKS / name, demo_db))
    teams = [t for t in page.options("Team") if t != "All teams"]
    before, after = page.change_filter("Team", teams[0], FILTERED[name], timeout=60)
    assert after != before, f"{name}: choosing team {teams[0]} changed nothing under {FILTERED[name]}"
    page.screenshot(f"{Path(name).stem}-team-{teams[0]}")
    assert page.problems() == []


def test_coach_drill_down_lists_the_rows_behind_a_figure(server, demo_db, open_page):
    """Choosing a measure in "Where does this number come from?" lists its rows with file:line."""
    name = "2_coach.ipynb"
    page = open_page(server).open(name, figures=count_figures(NOTEBOOKS / name, demo_db))
    rows = ".ss-trace"
    page.page.get_by_text("Where does this number come from?").click()  # collapsed until opened
    page.page.wait_for_selector(f"{rows} .ss-verdict", timeout=60_000)
    assert "as in the table above" in page.text(rows) and re.search(r"\.csv:\d+", page.text(rows))
    before, after = page.change_filter("Measure", "meetings from calls", rows, timeout=60)
    assert after != before and "meetings from calls by" in after, after[:300]
    assert "touch file" in after and re.search(r"\.(csv|ics):\d+", after)
    assert "disagree" not in after
    page.screenshot("2_coach-drill-down")
    assert page.problems() == []


def test_landing_page_lists_every_dashboard(server, open_page):
    page = open_page(server)
    listed = page.open_landing_page()
    assert [p.name for p in NOTEBOOK_FILES if p.name not in listed] == [], listed
    assert page.problems() == []
    page.screenshot("0_landing_page")


# --- filters ------------------------------------------------------------------------------------------


def _quarantined_files(db: Path) -> list[str]:
    """The files the dashboard's filter should offer, from the same named query it uses."""
    with store.connect(str(db), read_only=True) as con:
        return quality(con, "quarantine_rows")["file"].unique().sort().to_list()


def test_data_quality_quarantine_filter_on_the_demo(server, demo_db, open_page):
    """The demo is clean: the filter offers only "All files" and the section says so kindly."""
    page = open_page(server).open(DATA_QUALITY)
    files = _quarantined_files(demo_db)
    assert page.options("Quarantine of") == ["All files", *files]
    if not files:
        assert "No quarantined rows for this selection." in page.section_text("Quarantined rows")
        return
    before, after = page.change_filter("Quarantine of", files[-1], page.section("Quarantined rows"))
    assert after != before and files[-1] in after


@pytest.fixture(scope="module")
def quarantine_db(demo_db, tmp_path_factory) -> Path:
    """The demo database plus two call logs with bad rows, so the quarantine has two files."""
    directory = tmp_path_factory.mktemp("quarantine-db")
    db = directory / "with-quarantine.duckdb"
    shutil.copy(demo_db, db)
    second = directory / "hubspot-calls-march.csv"
    lines = BAD_CALLS.read_text().splitlines()
    second.write_text(
        "\n".join([lines[0], *[line.replace("812345670", "912345670") for line in lines[2:5]]]) + "\n"
    )
    result = socialsell("import", str(BAD_CALLS), str(second), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    return db


def test_data_quality_quarantine_filter_narrows_the_rows(quarantine_db, open_page, tmp_path):
    files = _quarantined_files(quarantine_db)
    assert files == ["bad_rows.csv", "hubspot-calls-march.csv"]
    with serving(quarantine_db, tmp_path / "voila.log") as server:
        page = open_page(server).open(DATA_QUALITY)
        assert page.options("Quarantine of") == ["All files", *files]
        section = page.section("Quarantined rows")
        everything, march = page.change_filter("Quarantine of", "hubspot-calls-march.csv", section)
        assert "bad_rows.csv" in everything and "hubspot-calls-march.csv" in everything
        assert "hubspot-calls-march.csv" in march and "bad_rows.csv" not in march
        assert page.change_filter("Quarantine of", "All files", section)[1] == everything
        assert page.problems() == []
        page.screenshot("4_data_quality-quarantine")


# --- serving security ---------------------------------------------------------------------------------

SOURCE_PATHS = [
    "/api/kernels",
    "/api/contents",
    "/api/sessions",
    "/api/terminals",
    "/api/kernelspecs",
    "/tree",
    "/lab",
    "/voila/api/contents",
    "/voila/static/../../notebooks/{nb}",
    "/api/contents/{nb}",
    "/api/contents/{nb}?content=1",
    "/voila/api/contents/{nb}?content=1",
    "/notebooks/{nb}",
    "/tree/{nb}",
    "/edit/{nb}",
    "/files/{nb}",
    "/voila/files/{nb}",
    "/{nb}",
    "/voila/files/../socialsell/serve.py",
]  # /voila/render/{nb} is checked by test_dashboard_renders_without_errors on the page the browser got


def _leaks_source(body: str, notebook: Path) -> bool:
    code_lines = [line.strip() for source in notebook_code(notebook) for line in source.splitlines()]
    code_lines = [line for line in code_lines if len(line) > 12]  # "app.container" alone is too common
    return '"cells"' in body or '"nbformat"' in body or any(line in body for line in code_lines)


@pytest.mark.parametrize("template", SOURCE_PATHS)
def test_no_url_gives_notebook_source(server, template):
    for path in NOTEBOOK_FILES:
        status, body = http(server.url(template.format(nb=path.name)))
        assert status in (403, 404, 405) or not _leaks_source(body, path), (
            f"{template} → {status}: {body[:300]}"
        )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/kernels"),
        ("POST", "/api/sessions"),
        ("POST", "/api/terminals"),
        ("PUT", "/voila/api/contents/evil.ipynb"),
        ("POST", "/voila/api/contents"),
        ("PUT", "/api/contents/evil.ipynb"),
        ("DELETE", f"/voila/api/contents/{DATA_QUALITY}"),
    ],
)
def test_no_url_starts_kernels_or_writes_files(server, method, path):
    body = json.dumps({"type": "notebook", "content": {"cells": []}, "name": "python3"}).encode()
    try:
        status, answer = http(server.url(path), method=method, body=body)
        assert status in (403, 404, 405), f"{method} {path} → {status}: {answer[:300]}"
    finally:
        evil = NOTEBOOKS / "evil.ipynb"
        leaked = evil.exists()
        evil.unlink(missing_ok=True)
    assert not leaked, f"{method} {path} wrote a file into notebooks/"
    assert (NOTEBOOKS / DATA_QUALITY).exists()


def test_kernel_websocket_ignores_code_from_the_browser(server, tmp_path):
    """Voilà only relays widget messages: an execute_request sent to a dashboard's kernel never runs."""
    from tornado.websocket import websocket_connect

    status, page = http(server.render_url(DATA_QUALITY))
    assert status == 200
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    marker = tmp_path / "executed"

    def message(kind: str, content: dict) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": kind,
            "session": uuid.uuid4().hex,
            "username": "",
            "version": "5.3",
            "date": "",
        }
        return json.dumps(
            {
                "header": header,
                "parent_header": {},
                "metadata": {},
                "content": content,
                "channel": "shell",
                "buffers": [],
            }
        )

    async def talk() -> list[str]:
        socket = await websocket_connect(
            server.url(f"/api/kernels/{kernel}/channels").replace("http", "ws", 1)
        )
        code = f"open({str(marker)!r}, 'w').write('ran')"
        await socket.write_message(
            message(
                "execute_request",
                {
                    "code": code,
                    "silent": False,
                    "store_history": False,
                    "user_expressions": {},
                    "allow_stdin": False,
                },
            )
        )
        await socket.write_message(message("kernel_info_request", {}))
        seen: list[str] = []
        while "kernel_info_reply" not in seen:  # the kernel answers in order: execute first, if at all
            raw = await asyncio.wait_for(socket.read_message(), 30)
            if raw is None:
                break
            if isinstance(raw, str):
                seen.append(json.loads(raw)["header"]["msg_type"])
        await asyncio.sleep(1)
        socket.close()
        return seen

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API owns this thread's event loop
        seen = thread.submit(asyncio.run, talk()).result()
    assert "kernel_info_reply" in seen, f"the kernel websocket did not answer: {seen}"
    assert not {"execute_input", "execute_reply", "execute_result", "stream"} & set(seen), seen
    assert not marker.exists()


def test_serve_refuses_a_public_address_without_a_token(demo_db):
    env = {k: v for k, v in os.environ.items() if k != "SOCIALSELL_TOKEN"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "socialsell",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
            "--db",
            str(demo_db),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("socialsell serve --host 0.0.0.0 without a token started a server")
    assert process.returncode != 0
    assert "without a token" in " ".join(output.split()), output
