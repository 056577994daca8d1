"""Test helpers for the dashboards: the demo database, a Voilà server, a headless Chromium page.

Used by `conftest.py` (session fixtures), `test_notebooks.py` and `test_browser.py`. Playwright is
imported lazily, so `pytest -m "not slow"` works without it.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, redirect_stdout, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# Console errors that say nothing about our dashboards, each with the reason it is harmless:
# (message pattern, pattern of the URL the message is about).
HARMLESS_CONSOLE_ERRORS = [
    # Browsers ask for /favicon.ico; Voilà has none.
    (r"Failed to load resource: .*404", r"/favicon\.ico$"),
]
# Voilà's landing page loads the widget-manager plugins although it has no kernel; they fail to
# activate and its kernel poll gets a 404. Only harmless there, so only `open_landing_page` allows them.
LANDING_PAGE_CONSOLE_ERRORS = [
    (r"Failed to load resource: .*404", r"/api/kernels\?\d+$"),
    (
        r"^Plugin '(anywidget|@jupyter-widgets/jupyterlab-manager):[\w.-]+' failed to activate\. "
        r"Error: The model for kernel id  does not exist\b",
        r"",
    ),
]
# Hosts the served pages may ask for: none (our Voilà template drops the lab template's CDN links).
KNOWN_EXTERNAL_HOSTS: set[str] = set()  # a published dashboard calls no outside host
# Text that only appears on a page when something went wrong in the kernel or in widget rendering.
ERROR_PATTERNS = [
    r"Traceback \(most recent call last\)",
    r"There was an error when executing cell",
    r"\b[A-Z][A-Za-z]*(Error|Exception): ",
    r"Error displaying widget",
    r"Error rendering output",
    r"Failed to (load|create) (model|view)",
    r"Kernel (died|error|is dead)",
    r"404: Not Found",
]


PLOTS_DRAWN_JS = """(n) => document.querySelectorAll('.js-plotly-plot').length >= n
    && Array.from(document.querySelectorAll('.jp-RenderedPlotly')).every(e => e.classList.contains('js-plotly-plot')
                                                                         || e.querySelector('.js-plotly-plot'))"""


def notebooks() -> list[Path]:
    """Every dashboard notebook, found by globbing (new ones are tested without editing a list)."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def socialsell(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the CLI as a user would (`python -m socialsell …`), capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "socialsell", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def build_demo_db(directory: Path) -> Path:
    """Write the demo exports into `directory` and import them into `directory/demo.duckdb`."""
    db = directory / "demo.duckdb"
    result = socialsell("demo", "--out", str(directory / "exports"), "--db", str(db))
    if result.returncode != 0:
        raise RuntimeError(f"socialsell demo failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return db


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(url: str, method: str = "GET", body: bytes | None = None, deadline: float = 60) -> tuple[int, str]:
    """(status, body) of one request; HTTP errors are answers too, not exceptions.

    Voilà streams a page while its kernel runs the notebook (with heartbeats, so a stuck kernel never
    times the socket out): reading stops after `deadline` seconds and returns what arrived.
    """
    request = urllib.request.Request(url, data=body, method=method)
    stop = time.monotonic() + deadline
    try:
        with urllib.request.urlopen(request, timeout=deadline) as response:
            chunks = []
            while time.monotonic() < stop and (chunk := response.read1(65536)):
                chunks.append(chunk)
            return response.status, b"".join(chunks).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@dataclass
class DashboardServer:
    """`socialsell serve` in a subprocess on a free loopback port; `stop()` ends it and its Voilà."""

    db: Path
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def render_url(self, notebook: str) -> str:
        return self.url(f"/voila/render/{quote(notebook)}")

    def start(self, timeout: float = 60) -> DashboardServer:
        env = {k: v for k, v in os.environ.items() if k != "SOCIALSELL_TOKEN"}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "socialsell", "serve", "--db", str(self.db), "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"socialsell serve exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                if http(self.url("/"))[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"Voilà did not answer on port {self.port} within {timeout:.0f} s:\n{self.output()}"
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop Voilà (it shuts its kernels down), then `socialsell serve`; SIGKILL what lingers.

        The server stays in pytest's process group, so an interrupted test run takes it along.
        """
        if self.process is None or self.process.poll() is not None:
            return
        voila = _children(self.process.pid)
        for pid in voila:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in voila) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in voila:
            _signal(pid, signal.SIGKILL)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def _children(pid: int) -> list[int]:
    """Direct child processes (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _signal(pid: int, number: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, number)


@contextmanager
def serving(db: Path, log: Path):
    """A started `DashboardServer` for the duration of a `with` block."""
    server = DashboardServer(db=db, log=log).start()
    try:
        yield server
    finally:
        server.stop()


def chromium_problem() -> str | None:
    """Why Debian's chromium cannot be used here, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        subprocess.run([str(CHROMIUM), "--version"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{CHROMIUM} --version failed: {error}"
    return None


@contextmanager
def chromium_context(width: int = 1280, height: int = 900):
    """A Playwright browser context on Debian's chromium with a fresh profile; nothing leaves 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="socialsell-chromium-"))
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(profile),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": width, "height": height},
            )
            context.external_requests = []
            context.route("**/*", lambda route: _local_only(context, route))
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _local_only(context, route) -> None:
    url = route.request.url
    if urlsplit(url).hostname in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        context.external_requests.append(url)
        route.abort()


class DashboardPage:
    """One dashboard open in the browser, with what it logged.

    Filters are ipywidgets controls found by their description label, so a test reads like the
    dashboard: `page.choose("Quarantine of", "calls.csv")`, then `page.section_text("Quarantined rows")`.
    """

    def __init__(self, context, server: DashboardServer) -> None:
        self.server = server
        self.page = context.new_page()
        self.errors: list[str] = []
        self.html = ""
        self.harmless = list(HARMLESS_CONSOLE_ERRORS)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if not any(re.search(text, message.text) and re.search(where, url) for text, where in self.harmless):
            self.errors.append(f"console error: {message.text} ({url})")

    def open_landing_page(self, timeout: float = 30) -> str:
        """Load `/` (Voilà's list of dashboards) and return its text once it settled."""
        self.harmless += LANDING_PAGE_CONSOLE_ERRORS
        self.page.goto(self.server.url("/"), timeout=timeout * 1000)
        self.page.wait_for_selector("#voila-tree-main li, .jp-DirListing-item", timeout=timeout * 1000)
        return self.settle()

    def open(
        self,
        notebook: str,
        *,
        figures: int = 0,
        ready: str = ".jp-OutputArea-output .jupyter-widgets",
        timeout: float = 60,
    ) -> DashboardPage:
        """Load a dashboard and wait until its widgets (and `figures` plotly charts) are displayed.

        `self.html` keeps the page as the server sent it (before any script ran).
        """
        response = self.page.goto(
            self.server.render_url(notebook), wait_until="commit", timeout=timeout * 1000
        )
        try:
            self.page.wait_for_selector(ready, timeout=timeout * 1000)
        except Exception as error:
            if "Timeout" not in type(error).__name__:
                raise
            raise AssertionError(
                f"{notebook}: no widget displayed within {timeout:.0f} s; Voilà is probably still executing the "
                f"notebook (kernel stuck?). Page text: {self.text('body')[-300:]!r}"
            ) from None
        self.html = response.text() if response else ""
        try:  # every figure drawn (its div turns into .js-plotly-plot; MIME renderer: inside it)
            self.page.wait_for_function(PLOTS_DRAWN_JS, arg=figures, timeout=timeout * 1000)
        except Exception as error:
            if "Timeout" not in type(error).__name__:
                raise
            drawn = self.page.locator(".js-plotly-plot").count()
            raise AssertionError(
                f"{notebook}: expected {figures} plotly charts, {drawn} drawn after {timeout:.0f} s"
            ) from None
        self.settle()
        return self

    def settle(self, selector: str = "body", quiet: float = 0.6, timeout: float = 20) -> str:
        """Wait until the text under `selector` stops changing for `quiet` seconds; return it."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            text = self.text(selector)
            if text != last:
                last, since = text, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
            time.sleep(0.1)
        return last or ""

    def text(self, selector: str = "body") -> str:
        """The visible text of everything matching a (Playwright) CSS selector."""
        return "\n".join(self.page.locator(selector).all_inner_texts())

    def section(self, title: str) -> str:
        """CSS selector of the HTML panel that carries an `<h3>` section with this title."""
        return f'.widget-html:has(h3:text-is("{title}"))'

    def section_text(self, title: str) -> str:
        return self.text(self.section(title))

    def _control(self, label: str, nth: int):
        labels = self.page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
        return labels.nth(nth).locator("xpath=..").locator("select")

    def options(self, label: str, nth: int = 0) -> list[str]:
        """The options of the n-th dropdown labelled `label`."""
        return self._control(label, nth).locator("option").evaluate_all("os => os.map(o => o.value)")

    def choose(self, label: str, option: str, nth: int = 0) -> None:
        """Select `option` in the n-th dropdown labelled `label` (an ipywidgets Dropdown is a <select>)."""
        self._control(label, nth).select_option(value=option)

    def change_filter(
        self, label: str, option: str, selector: str, nth: int = 0, timeout: float = 20
    ) -> tuple[str, str]:
        """Choose a filter value; return the text under `selector` (before, after) once it settled.

        Waits for the kernel's answer to change the text; if nothing changes within `timeout`, `after`
        equals `before` and the caller's assertion says so.
        """
        before = self.text(selector)
        self.choose(label, option, nth)
        deadline = time.monotonic() + timeout
        while self.text(selector) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        return before, self.settle(selector)

    def problems(self) -> list[str]:
        """Error text on the page plus console errors that are not on the harmless list."""
        body = self.text("body")
        found = [f"page shows {m.group(0)!r}" for p in ERROR_PATTERNS for m in [re.search(p, body)] if m]
        stderr = self.text('[data-mime-type="application/vnd.jupyter.stderr"]').strip()
        if stderr:
            found.append(f"stderr output on the page: {stderr[:300]!r}")
        return found + self.errors

    def screenshot(self, name: str) -> Path:
        """A full-page PNG in test-artifacts/screenshots/ (Voilà scrolls inside #rendered_cells)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        size = self.page.viewport_size
        height = self.page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight,"
            " ...Array.from(document.querySelectorAll('#rendered_cells, .jp-Notebook')).map(e => e.scrollHeight))"
        )
        self.page.set_viewport_size(
            {"width": size["width"], "height": min(max(height + 40, size["height"]), 16000)}
        )
        self.settle()
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(size)
        return path

    def close(self) -> None:
        """Close like a visitor's tab does: Voilà's unload handler shuts the page's kernel down."""
        self.page.close(run_before_unload=True)


def notebook_code(notebook: Path) -> list[str]:
    """The code cells' sources of a notebook file."""
    cells = json.loads(notebook.read_text())["cells"]
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    ]


def _run_notebook_here(notebook: Path, namespace: dict):
    """Run a notebook's code cells in this process; return the last cell's value (the dashboard)."""
    *body, last = notebook_code(notebook)
    for source in body:
        exec(compile(source, str(notebook), "exec"), namespace)
    try:
        return eval(compile(last.strip(), str(notebook), "eval"), namespace)
    except SyntaxError:  # not a bare expression: run it and look for the App's container
        exec(compile(last, str(notebook), "exec"), namespace)
        return getattr(namespace.get("app"), "container", None)


def count_figures(notebook: Path, db: Path) -> int:
    """How many plotly charts a dashboard should draw: run its cells here and look at what it built.

    Counts `FigureWidget`s in the widget tree plus figures shown as Plotly MIME bundles inside `Output`
    widgets (outside a kernel `display()` prints them, so they are counted from the captured stdout,
    at most one per `Output`).
    """
    from ipywidgets import Output
    from plotly.basewidget import BaseFigureWidget

    previous = os.environ.get("SOCIALSELL_DB")
    os.environ["SOCIALSELL_DB"] = str(db)
    namespace: dict = {}
    printed = io.StringIO()
    try:
        with redirect_stdout(printed):
            root = _run_notebook_here(notebook, namespace)
    finally:
        if previous is None:
            os.environ.pop("SOCIALSELL_DB", None)
        else:
            os.environ["SOCIALSELL_DB"] = previous
    stack, figures, outputs = [root], 0, 0
    while stack:
        widget = stack.pop()
        figures += isinstance(widget, BaseFigureWidget)
        outputs += isinstance(widget, Output)
        stack.extend(getattr(widget, "children", ()) or ())
    return figures + min(outputs, printed.getvalue().count("application/vnd.plotly.v1+json"))
