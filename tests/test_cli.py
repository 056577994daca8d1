"""The command line as a user runs it: help, examples, errors, demo → status end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialsell.cli import app
from socialsell.serve import ServeError, voila_command

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: socialsell " + command in " ".join(result.output.split())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command):
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"socialsell {command}\b", readme), f"README shows no `socialsell {command}`"


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "socialsell", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "import" in result.stdout


def test_import_of_a_missing_file_is_one_clear_line(tmp_path):
    result = runner.invoke(app, ["import", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1
    assert "nope.csv: no such file or folder" in result.output


def test_import_of_an_unknown_format_names_the_file(tmp_path):
    odd = tmp_path / "shopping.csv"
    odd.write_text("apples,pears\n1,2\n")
    result = runner.invoke(app, ["import", str(odd), "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1
    assert "shopping.csv: not a format socialsell knows" in " ".join(result.output.split())


def test_status_without_a_database_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["status", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "run `socialsell demo`" in " ".join(result.output.split())


def test_serve_refuses_a_public_address_without_a_token():
    with pytest.raises(ServeError, match="without a token"):
        voila_command("0.0.0.0", 8866, None)
    assert "--token=s3cret" in voila_command("0.0.0.0", 8866, "s3cret")
    assert "--Voila.ip=127.0.0.1" in voila_command("127.0.0.1", 8866, None)


def test_demo_then_status_json_end_to_end(tmp_path):
    db = tmp_path / "demo.duckdb"
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    status = runner.invoke(app, ["status", "--format", "json", "--db", str(db)])
    assert status.exit_code == 0, status.output
    payload = json.loads(status.output)
    assert payload["tables"]["touches"] > 10_000
    assert payload["tables"]["meetings_unique"] > 50
    assert payload["tables"]["quarantine"] == 0
    assert {r["team"] for r in payload["reps"]} == {"Nord", "Süd"}
    assert all(r["from_config"] for r in payload["reps"])
    assert all(r["calls"] > 0 and r["linkedin_messages"] > 0 for r in payload["reps"])
    # The demo is idempotent: a second run loads nothing new.
    again = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert (
        json.loads(runner.invoke(app, ["status", "--format", "json", "--db", str(db)]).output)["tables"][
            "touches"
        ]
        == payload["tables"]["touches"]
    )
