"""Every dashboard notebook runs headless against the demo database and stays thin."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from dashboard_server import NOTEBOOKS, WIDGET_MIME, notebooks
from nbclient import NotebookClient

NOTEBOOK_FILES = notebooks()
IDS = [path.stem for path in NOTEBOOK_FILES]
MAX_CODE_LINES = 6
# SQL belongs in the metrics/quality modules, never in a notebook.
SQL = re.compile(
    r"\bSELECT\b[\s\S]+\bFROM\b|\b(INSERT\s+INTO|CREATE\s+(TABLE|VIEW)|GROUP\s+BY|DELETE\s+FROM)\b"
    r"|\.(sql|execute|query)\(|\bimport\s+duckdb\b",
    re.IGNORECASE,
)
# A sentence ends at . ? or ! followed by space and a capital letter (or an opening quote/bracket).
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[\"„“(\[A-ZÄÖÜ0-9])")


def test_there_are_notebooks():
    assert NOTEBOOK_FILES, f"no notebooks in {NOTEBOOKS}"


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _first_paragraph(markdown: str) -> str:
    """The first paragraph that is not a heading, joined onto one line."""
    for paragraph in re.split(r"\n\s*\n", markdown.strip()):
        if not paragraph.lstrip().startswith("#"):
            return " ".join(paragraph.split())
    return ""


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_notebook_opens_with_one_sentence_saying_what_it_answers(path):
    cells = _read(path).cells
    assert cells and cells[0].cell_type == "markdown", f"{path.name} must start with a Markdown cell"
    first = _first_paragraph(cells[0].source)
    assert len(first.split()) >= 5, f"{path.name}: the intro paragraph is missing or too short: {first!r}"
    sentences = SENTENCE_END.split(first)
    assert len(sentences) == 1 and first[-1] in ".?!", (
        f"{path.name}: the first paragraph should be one sentence saying what the page answers, "
        f"found {len(sentences)}: {sentences}"
    )


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_notebook_is_thin(path):
    for number, cell in enumerate(_read(path).cells, 1):
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= MAX_CODE_LINES, (
            f"{path.name} cell {number} has {len(lines)} lines; move the logic into socialsell/dashboards.py"
        )
        match = SQL.search(cell.source)
        assert not match, f"{path.name} cell {number} has SQL ({match.group(0)!r}); use a named metric"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_notebook_is_committed_without_outputs(path):
    notebook = _read(path)
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name} cell {number} has outputs"
            )
    assert "widgets" not in notebook.metadata, (
        f"{path.name} carries saved widget state (data) in its metadata"
    )


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=IDS)
def test_notebook_runs_against_the_demo_database(path, demo_db, monkeypatch):
    monkeypatch.setenv("SOCIALSELL_DB", str(demo_db))
    monkeypatch.setenv("SOCIALSELL_READ_ONLY", "1")
    notebook = _read(path)
    NotebookClient(
        notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()  # raises CellExecutionError, with the traceback, if any cell fails
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code, 1):
        stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not stderr, (
            f"{path.name} code cell {number} wrote to stderr (a warning the dashboard should not raise): {stderr}"
        )
    last = code[-1].outputs
    assert any(WIDGET_MIME in output.get("data", {}) for output in last), (
        f"{path.name}: the last cell should display the dashboard widget (app.container), got {last}"
    )
