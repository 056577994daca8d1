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
