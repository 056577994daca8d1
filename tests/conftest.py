"""Shared fixtures: an in-memory migrated database and paths to the export fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialsell import store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def con():
    """An in-memory, migrated socialsell database."""
    connection = store.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


# --- Dashboards: one demo database per test session (see tests/dashboard_server.py) ---------------


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo exports imported into a DuckDB file, built once per session (about 25 s)."""
    from dashboard_server import build_demo_db

    return build_demo_db(tmp_path_factory.mktemp("demo-db"))
