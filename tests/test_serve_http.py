"""`socialsell serve` over HTTP: tokens on every request, one view per server, no source, no code.

Starts real servers (bound to 0.0.0.0 with a random token, or loopback) on a small database; the
browser-free counterpart of the serving checks in test_browser.py, for the team and coach views.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dashboard_server import ROOT, DashboardServer, _children

from socialsell import store

pytestmark = pytest.mark.slow

TEAM_TOKEN = secrets.token_hex(24)
COACH_TOKEN = secrets.token_hex(24)
TEAM_BOARDS = {"1_overview.ipynb", "3_funnel.ipynb"}
ALL_BOARDS = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}


def request(server, path, token=None, method="GET", host=None) -> tuple[int, dict, str]:
    """(status, headers, body) of one request, redirects not followed; `token` as Jupyter's header."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Authorization": f"token {token}"} if token else {}
    if host:
        headers["Host"] = host
    body = json.dumps({"name": "python3", "type": "notebook"}).encode() if method != "GET" else None
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@dataclass
class ViewServer(DashboardServer):
    """`socialsell serve` with extra options; tokens travel in the environment, as the README advises."""

    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    token: str | None = None

    def start(self, timeout: float = 60) -> ViewServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALSELL_")} | self.env
        command = [
            sys.executable,
            "-m",
            "socialsell",
            "serve",
            "--db",
            str(self.db),
            "--port",
            str(self.port),
        ]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [*command, *self.args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"socialsell serve exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                if request(self, "/voila/api/contents", self.token)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"Voilà did not answer on port {self.port}:\n{self.output()}")

    def processes(self) -> list[int]:
        """Voilà and its kernels (children of `socialsell serve`)."""
        voila = _children(self.process.pid)
        return voila + [kernel for pid in voila for kernel in _children(pid)]


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve-http") / "s.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO reps VALUES ('anna-becker', 'Anna Becker', 'Nord', true)")
    con.close()
    return path


def _serving(small_db, name: str, args: tuple[str, ...], env: dict[str, str], token: str | None):
    server = ViewServer(db=small_db, log=small_db.parent / f"{name}.log", args=args, env=env, token=token)
    server.start()
    return server


@pytest.fixture(scope="module")
def team_server(small_db):
    server = _serving(small_db, "team", ("--host", "0.0.0.0"), {"SOCIALSELL_TOKEN": TEAM_TOKEN}, TEAM_TOKEN)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def coach_server(small_db):
    config = small_db.parent / "socialsell.toml"
    config.write_text("[privacy]\ncoach_view = true\n")
    env = {"SOCIALSELL_TOKEN": TEAM_TOKEN, "SOCIALSELL_COACH_TOKEN": COACH_TOKEN}
    args = ("--host", "0.0.0.0", "--view", "coach", "--config", str(config))
    server = _serving(small_db, "coach", args, env, COACH_TOKEN)
    yield server
    server.stop()


PAGES = [
    "/",
    "/voila/tree",
    "/voila/render/1_overview.ipynb",
    "/voila/render/2_coach.ipynb",
    "/voila/api/contents",
    "/voila/api/contents/1_overview.ipynb?content=1",
    "/voila/files/1_overview.ipynb",
    "/api/kernels",
    "/api/contents",
    "/api/sessions",
    "/api/terminals",
    "/api/kernelspecs",
]


def _refused(status: int, headers: dict) -> bool:
    return status in (403, 404, 405) or (status == 302 and headers.get("Location", "").startswith("/login"))


@pytest.mark.parametrize("token", [None, "wrong-" + "0" * 20, COACH_TOKEN], ids=["none", "wrong", "coach"])
def test_exposed_team_server_refuses_every_request_without_its_token(team_server, token):
    for path in PAGES:
        status, headers, body = request(team_server, path, token)
        assert _refused(status, headers), f"{path} without the team token → {status}: {body[:200]}"
    status, headers, _ = request(team_server, "/api/kernels", token, method="POST")
    assert _refused(status, headers)
    assert request(team_server, "/voila/api/contents", TEAM_TOKEN)[0] == 200


def test_team_server_offers_only_the_team_dashboards(team_server):
    status, _, body = request(team_server, "/voila/api/contents", TEAM_TOKEN)
    assert status == 200
    assert {entry["name"] for entry in json.loads(body)["content"]} == TEAM_BOARDS
    absolute = ROOT / "notebooks" / "2_coach.ipynb"
    for path in [
        "/voila/render/2_coach.ipynb",
        "/voila/render/4_data_quality.ipynb",
        "/voila/render/../notebooks/2_coach.ipynb",
        "/voila/render/%2E%2E/%2E%2E/notebooks/2_coach.ipynb",
        f"/voila/render/{absolute}",
        f"/voila/render//{absolute}",
    ]:
        status, _, body = request(team_server, path, TEAM_TOKEN)
        assert status == 404, f"{path} → {status}: {body[:200]}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/kernels"),
        ("POST", "/api/sessions"),
        ("POST", "/api/terminals"),
        ("GET", "/api/contents"),
        ("GET", "/api/contents/1_overview.ipynb"),
        ("GET", "/voila/files/1_overview.ipynb"),
        ("PUT", "/voila/api/contents/evil.ipynb"),
        ("DELETE", "/voila/api/contents/1_overview.ipynb"),
    ],
)
def test_the_team_token_starts_no_kernel_and_reads_no_source(team_server, method, path):
    status, _, body = request(team_server, path, TEAM_TOKEN, method=method)
    assert status in (403, 404, 405), f"{method} {path} → {status}: {body[:200]}"
    status, _, body = request(team_server, "/voila/api/contents/1_overview.ipynb?content=1", TEAM_TOKEN)
    assert json.loads(body)["content"] is None and '"cells"' not in body


def test_a_team_dashboard_runs_in_the_team_view_and_its_kernel_needs_the_token(team_server):
    status, _, page = request(team_server, "/voila/render/1_overview.ipynb?voila-template=lab", TEAM_TOKEN)
    assert status == 200
    assert "cdn.jsdelivr.net" not in page  # ?voila-template= is ignored: still our template
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    environments = {pid: _environ(pid) for pid in team_server.processes()}
    kernels = [env for env in environments.values() if "JPY_PARENT_PID" in env]
    assert kernels, environments
    assert all(env["SOCIALSELL_VIEW"] == "team" and env["SOCIALSELL_READ_ONLY"] == "1" for env in kernels)
    for pid, env in environments.items():
        assert TEAM_TOKEN not in json.dumps(env), f"process {pid} has the token in its environment"
        assert TEAM_TOKEN not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    status, headers, _ = request(team_server, f"/api/kernels/{kernel}")
    assert _refused(status, headers)
    assert _websocket_refused(team_server, kernel)
    assert request(team_server, f"/api/kernels/{kernel}", TEAM_TOKEN)[0] == 200


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def _websocket_refused(server, kernel: str) -> bool:
    from tornado.httpclient import HTTPClientError
    from tornado.websocket import websocket_connect

    async def connect() -> bool:
        try:
            socket = await websocket_connect(
                server.url(f"/api/kernels/{kernel}/channels").replace("http", "ws", 1)
            )
        except HTTPClientError as error:
            return error.code in (302, 403)
        socket.close()
        return False

    # A thread of its own: Playwright's sync API (the browser tests, same session) keeps an event
    # loop running in the main thread, where asyncio.run() refuses to start another.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, connect()).result()


def test_the_coach_view_opens_with_the_coach_token_only(coach_server):
    for token in (None, TEAM_TOKEN):
        status, headers, _ = request(coach_server, "/voila/api/contents", token)
        assert _refused(status, headers), f"coach view with {token and 'the team token'} → {status}"
    status, _, body = request(coach_server, "/voila/api/contents", COACH_TOKEN)
    assert status == 200
    assert {entry["name"] for entry in json.loads(body)["content"]} == ALL_BOARDS


def test_a_loopback_server_without_token_answers_only_requests_addressed_to_it(small_db):
    server = _serving(small_db, "local", (), {}, None)
    try:
        assert request(server, "/voila/api/contents")[0] == 200
        assert request(server, "/voila/api/contents", host=f"localhost:{server.port}")[0] == 200
        for host in ("attacker.example", f"dashboards.example.com:{server.port}"):
            assert request(server, "/voila/api/contents", host=host)[0] == 403
            assert request(server, "/voila/render/2_coach.ipynb", host=host)[0] == 403
    finally:
        server.stop()
