"""Serving the dashboards: Voilà on one view's notebooks, loopback by default, read-only database.

A deployment serves one view (see privacy.py). On loopback the default is the coach view, all
dashboards: the analyst's own machine, as before. Any other address needs a token, serves the team
view unless told otherwise, and the coach view there needs its own token and `coach_view = true`.
The token reaches Voilà through a config file in a private temporary folder, never the command
line (which every local user can read in `ps`). The kernels read a published snapshot of the
database (socialsell.snapshot), so imports run while the dashboards are served and swap in their data.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import plotly

from socialsell import privacy, snapshot, store
from socialsell.config import Config, ConfigError

__all__ = [
    "MIN_TOKEN_LENGTH",
    "NOTEBOOKS",
    "PAGE_PLOTLY_ENV",
    "ServeError",
    "access_token",
    "default_view",
    "is_loopback",
    "kernel_env",
    "page_plotly",
    "run",
    "view_notebooks",
    "voila_command",
    "voila_settings",
]

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# Our Voilà template ("socialsell": the lab template without CDN links) lives on this Jupyter path.
JUPYTER_PATH = Path(__file__).resolve().parent / "jupyter"
MIN_TOKEN_LENGTH = 16
# Set for the kernels of a served page, whose template loads plotly.js (see `page_plotly`).
PAGE_PLOTLY_ENV = "SOCIALSELL_PAGE_PLOTLY"
_SECRETS = ("SOCIALSELL_TOKEN", "SOCIALSELL_COACH_TOKEN", "JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE")


class ServeError(RuntimeError):
    """The server would be unsafe or cannot start."""


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_view(host: str) -> str:
    """coach on loopback (the analyst's own machine), team anywhere else."""
    return "coach" if is_loopback(host) else "team"


def access_token(
    host: str,
    view: str,
    token: str | None,
    coach_token: str | None = None,
    settings: privacy.PrivacySettings | None = None,
) -> str | None:
    """The token viewers must present, after checking the deployment is safe.

    Raises:
        ServeError: an exposed address without a (long enough) token; the coach view exposed
            without its own coach token or without `coach_view = true`; an unknown view.
    """
    if view not in privacy.VIEWS:
        raise ServeError(f"--view {view!r} is not one of {', '.join(privacy.VIEWS)}")
    chosen = (coach_token or token) if view == "coach" else token
    if is_loopback(host):
        return chosen or None
    if view == "coach":
        _check_coach(host, token, coach_token, settings or privacy.PrivacySettings())
    elif not token:
        raise ServeError(
            f"refusing to serve on {host} without a token: pass --token (or SOCIALSELL_TOKEN), "
            "or keep the default 127.0.0.1"
        )
    if len(chosen) < MIN_TOKEN_LENGTH:
        option = "--coach-token" if view == "coach" else "--token"
        raise ServeError(
            f"the token must have at least {MIN_TOKEN_LENGTH} characters on {host}: "
            f'use {option} "$(openssl rand -hex 24)"'
        )
    return chosen


def _check_coach(host: str, token: str | None, coach_token: str | None, settings) -> None:
    if not settings.coach_view:
        raise ServeError(
            f"refusing to publish the coach view on {host}: [privacy] coach_view is false in the config "
            "(enable it once the works council agreed, BetrVG §87(1) Nr. 6)"
        )
    if not coach_token:
        raise ServeError(
            f"refusing to serve the coach view on {host} without a coach token: pass --coach-token "
            "(or SOCIALSELL_COACH_TOKEN); the team token must not open it"
        )
    if coach_token == token:
        raise ServeError("the coach token must differ from the team token (--token)")


def view_notebooks(view: str, folder: Path = NOTEBOOKS) -> list[Path]:
    """The dashboards of `folder` a deployment of `view` serves."""
    return [p for p in sorted(folder.glob("*.ipynb")) if view in privacy.notebook_views(p.name)]


def voila_command(host: str, port: int, notebooks: Path, config_dir: Path) -> list[str]:
    """The Voilà command line: no tracebacks, sources stripped, no config but ours (and no token)."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebooks),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",
        # only our voila.json (the token): a user's ~/.jupyter/voila.* must not widen what is served
        f"--Voila.config_file_paths={config_dir}",
        "--show_tracebacks=False",
        # visits without a browser (curl, link previews) never close their kernel: cull idle ones
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
        "--strip_sources=True",
        # each dashboard keeps one kernel that has already run its notebook: the first visitor gets
        # a rendered page instead of waiting for a kernel start, the imports and the queries (~8 s)
        "--preheat_kernel=True",
        "--pool_size=1",
        "--template=socialsell",
        "--VoilaConfiguration.allow_template_override=NO",
    ]


def kernel_env(
    base: dict[str, str], *, db: Path, view: str, rep: str | None, config: Path | None
) -> dict[str, str]:
    """The environment of Voilà and its kernels: database, view, rep, config; no tokens."""
    env = {k: v for k, v in base.items() if k not in (*_SECRETS, "SOCIALSELL_REP", "SOCIALSELL_CONFIG")}
    jupyter_path = os.pathsep.join(p for p in (str(JUPYTER_PATH), base.get("JUPYTER_PATH")) if p)
    env.update(
        SOCIALSELL_DB=str(db),
        SOCIALSELL_READ_ONLY="1",
        SOCIALSELL_VIEW=view,
        SOCIALSELL_PSEUDONYM_KEY=base.get("SOCIALSELL_PSEUDONYM_KEY") or secrets.token_hex(16),
        JUPYTER_PATH=jupyter_path,
    )
    if rep:
        env["SOCIALSELL_REP"] = rep
    if config:
        env["SOCIALSELL_CONFIG"] = str(config.resolve())
    return env


def page_plotly(env: dict[str, str], work: Path) -> dict[str, str]:
    """`env` with plotly.js beside our template, which loads it once per page (index.html.j2), and
    the dashboards told to draw their figures with it (socialsell.dashboards.panels.Chart).

    The file is plotly's own copy (its Python package ships the plotly.js its figures are made for),
    served from a Jupyter path in the serve's private folder."""
    static = work / "jupyter" / "voila" / "templates" / "socialsell" / "static"
    static.mkdir(parents=True)
    shutil.copyfile(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", static / "plotly.min.js")
    paths = [str(work / "jupyter"), env.get("JUPYTER_PATH", "")]
    return env | {"JUPYTER_PATH": os.pathsep.join(p for p in paths if p), PAGE_PLOTLY_ENV: "1"}


def _check_rep(db: Path, view: str, rep: str | None) -> None:
    if view != "self":
        return
    if not rep:
        raise ServeError("the self view shows one rep's figures: pass --rep REP_ID (or SOCIALSELL_REP)")
    con = snapshot.open_reader(db)
    try:
        known = [r[0] for r in con.execute("SELECT rep_id FROM reps ORDER BY rep_id").fetchall()]
    finally:
        con.close()
    if rep not in known:
        raise ServeError(f"--rep {rep!r} is not a rep in {db} (known: {', '.join(known) or 'none'})")


def _publish(path: Path, console) -> None:
    """Give the dashboards a snapshot of the database (socialsell.snapshot), unless the current one
    is up to date: they read it, so imports never wait for them and swap in newer ones."""
    if not snapshot.is_stale(path):
        return
    try:
        with store.connect(path) as con:
            snapshot.publish(con, path)
    except store.StoreError as exc:
        if snapshot.current(path) is None:
            raise ServeError(
                f"{exc}; the dashboards need a snapshot of it: try again once it is free"
            ) from exc
        # e.g. an import is running: the dashboards get its data when it republishes at its end
        console.print(f"[yellow]Serving the last published snapshot: {exc}[/]")


def voila_settings(token: str | None) -> dict:
    """Voilà's config (written to voila.json): the token; without one, answer only requests addressed
    to localhost, so neither a DNS-rebinding web page nor a proxy passing its public Host gets in."""
    if token:
        return {"Voila": {"token": token}}
    return {"Voila": {"token": "", "tornado_settings": {"allow_remote_access": False}}}


def _prepare(work: Path, view: str, token: str | None) -> tuple[Path, Path]:
    """Write voila.json (the token) and, for a view without every dashboard, that view's copies."""
    config_dir = work / "config"
    config_dir.mkdir(mode=0o700)
    settings = config_dir / "voila.json"
    settings.touch(mode=0o600)
    settings.write_text(json.dumps(voila_settings(token)))
    chosen = view_notebooks(view)
    if not chosen:
        raise ServeError(f"no dashboard in {NOTEBOOKS} is part of the {view} view")
    if chosen == view_notebooks("coach"):
        return NOTEBOOKS, config_dir
    folder = work / f"{view}-dashboards"
    folder.mkdir()
    for notebook in chosen:
        shutil.copy2(notebook, folder / notebook.name)
    return folder, config_dir


def run(
    *,
    host: str,
    port: int,
    token: str | None,
    db,
    open_browser: bool,
    console,
    view: str | None = None,
    coach_token: str | None = None,
    rep: str | None = None,
    config: Path | None = None,
) -> None:
    """Start Voilà for one view in the foreground until interrupted."""
    path = store.db_path(db).resolve()
    if not path.exists():
        raise ServeError(f"{path}: no database yet; run `socialsell demo` or `socialsell import` first")
    try:
        loaded = Config.load(config)
    except ConfigError as exc:
        raise ServeError(str(exc)) from exc
    view = view or default_view(host)
    secret = access_token(host, view, token, coach_token, loaded.privacy)
    _publish(path, console)
    _check_rep(path, view, rep)
    env = kernel_env(os.environ, db=path, view=view, rep=rep if view == "self" else None, config=loaded.path)
    with tempfile.TemporaryDirectory(prefix="socialsell-serve-") as work:
        notebooks, config_dir = _prepare(Path(work), view, secret)
        env = page_plotly(env, Path(work))
        command = voila_command(host, port, notebooks, config_dir)
        if open_browser:
            command.remove("--no-browser")
        # a published server's log (journald, CI) must not carry its token
        shown = secret if is_loopback(host) else "…"
        url = f"http://{host}:{port}/" + (f"?token={shown}" if secret else "")
        console.print(f"Serving the socialsell {view} view at [bold]{url}[/] (Ctrl-C to stop)")
        _supervise(command, env, Path(work))


def _supervise(command: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run Voilà until it exits; Ctrl-C or SIGTERM stop it gracefully (it shuts its kernels down)."""
    process = subprocess.Popen(command, env=env, cwd=cwd)
    stopping = []

    def stop(*_) -> None:
        stopping.append(True)
        process.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        stop()
        code = process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.kill()
    if code and not stopping:
        raise ServeError(f"Voilà stopped with exit code {code}")
