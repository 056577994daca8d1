"""Serving the dashboards: Voilà on the notebooks folder, loopback by default, read-only database."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

from socialsell import store

__all__ = ["NOTEBOOKS", "ServeError", "run", "voila_command"]

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# Our Voilà template ("socialsell": the lab template without CDN links) lives on this Jupyter path.
JUPYTER_PATH = Path(__file__).resolve().parent / "jupyter"


class ServeError(RuntimeError):
    """The server would be unsafe or cannot start."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def voila_command(host: str, port: int, token: str | None, notebooks: Path = NOTEBOOKS) -> list[str]:
    """The Voilà command line: no tracebacks, sources stripped, token when one is given."""
    if not _is_loopback(host) and not token:
        raise ServeError(
            f"refusing to serve on {host} without a token: pass --token (or SOCIALSELL_TOKEN), "
            "or keep the default 127.0.0.1"
        )
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebooks),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--show_tracebacks=False",
        # visits without a browser (curl, link previews) never close their kernel: cull idle ones
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
        "--strip_sources=True",
        "--template=socialsell",
        f"--token={token or ''}",
    ]
    return command


def run(*, host: str, port: int, token: str | None, db, open_browser: bool, console) -> None:
    """Start Voilà in the foreground until interrupted."""
    path = store.db_path(db).resolve()
    if not path.exists():
        raise ServeError(f"{path}: no database yet; run `socialsell demo` or `socialsell import` first")
    command = voila_command(host, port, token)
    if open_browser:
        command.remove("--no-browser")
    jupyter_path = os.pathsep.join(p for p in (str(JUPYTER_PATH), os.environ.get("JUPYTER_PATH")) if p)
    env = {
        **os.environ,
        "SOCIALSELL_DB": str(path),
        "SOCIALSELL_READ_ONLY": "1",
        "JUPYTER_PATH": jupyter_path,
    }
    url = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    console.print(f"Serving the socialsell dashboards at [bold]{url}[/] (Ctrl-C to stop)")
    try:
        subprocess.run(command, env=env, check=True)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as exc:
        raise ServeError(f"Voilà stopped with exit code {exc.returncode}") from exc
