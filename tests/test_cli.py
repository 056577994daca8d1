"""The command line as a user runs it: help, examples, errors, demo → status end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialsell import serve as serving
from socialsell import store
from socialsell.cli import app
from socialsell.privacy import PrivacySettings
from socialsell.serve import (
    ServeError,
    access_token,
    kernel_env,
    view_notebooks,
    voila_command,
    voila_settings,
)

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


TOKEN = "t" * 24
COACH = "c" * 24
AGREED = PrivacySettings(coach_view=True)


def test_serve_refuses_a_public_address_without_a_token():
    with pytest.raises(ServeError, match=r"refusing to serve on 0\.0\.0\.0 without a token"):
        access_token("0.0.0.0", "team", None)
    with pytest.raises(ServeError, match="at least 16 characters"):
        access_token("0.0.0.0", "team", "s3cret")
    assert access_token("0.0.0.0", "team", TOKEN) == TOKEN
    assert access_token("192.168.1.20", "self", TOKEN) == TOKEN
    assert access_token("127.0.0.1", "coach", None) is None
    assert access_token("localhost", "team", "short") == "short"  # loopback: any token, or none
    assert serving.default_view("127.0.0.1") == "coach" and serving.default_view("::") == "team"


def test_serve_publishes_the_coach_view_only_with_its_own_token_and_the_agreement():
    with pytest.raises(ServeError, match="coach_view is false"):
        access_token("0.0.0.0", "coach", TOKEN, COACH, PrivacySettings())
    with pytest.raises(ServeError, match="without a coach token: pass --coach-token"):
        access_token("0.0.0.0", "coach", TOKEN, None, AGREED)
    with pytest.raises(ServeError, match="must differ from the team token"):
        access_token("0.0.0.0", "coach", TOKEN, TOKEN, AGREED)
    assert access_token("0.0.0.0", "coach", TOKEN, COACH, AGREED) == COACH
    assert access_token("0.0.0.0", "team", TOKEN, COACH, AGREED) == TOKEN  # the team view ignores it
    assert access_token("127.0.0.1", "coach", TOKEN, COACH) == COACH
    with pytest.raises(ServeError, match="--view 'boss' is not one of self, team, coach"):
        access_token("127.0.0.1", "boss", None)


def test_voila_command_carries_no_token_and_no_user_config(tmp_path):
    command = voila_command("0.0.0.0", 8866, tmp_path / "nb", tmp_path / "config")
    assert not any("token" in part for part in command)
    assert f"--Voila.config_file_paths={tmp_path / 'config'}" in command
    assert {"--strip_sources=True", "--show_tracebacks=False", "--Voila.ip=0.0.0.0"} <= set(command)
    assert "--VoilaConfiguration.allow_template_override=NO" in command
    assert voila_settings(TOKEN) == {"Voila": {"token": TOKEN}}
    assert voila_settings(None)["Voila"]["tornado_settings"] == {"allow_remote_access": False}


def test_each_view_serves_only_its_dashboards():
    names = {view: [p.name for p in view_notebooks(view)] for view in ("self", "team", "coach")}
    assert names["coach"] == [p.name for p in sorted(serving.NOTEBOOKS.glob("*.ipynb"))]
    assert "2_coach.ipynb" not in names["team"] and "4_data_quality.ipynb" not in names["team"]
    assert "1_overview.ipynb" in names["team"] and names["self"] == names["team"]


def test_kernels_get_the_view_and_never_a_token(tmp_path):
    base = {"PATH": "/bin", "SOCIALSELL_TOKEN": TOKEN, "SOCIALSELL_COACH_TOKEN": COACH, "JUPYTER_TOKEN": "x"}
    env = kernel_env(
        {**base, "SOCIALSELL_REP": "ben"}, db=tmp_path / "s.duckdb", view="team", rep=None, config=None
    )
    assert env["SOCIALSELL_VIEW"] == "team" and env["SOCIALSELL_READ_ONLY"] == "1"
    assert not {"SOCIALSELL_TOKEN", "SOCIALSELL_COACH_TOKEN", "JUPYTER_TOKEN", "SOCIALSELL_REP"} & set(env)
    assert len(env["SOCIALSELL_PSEUDONYM_KEY"]) == 32
    own = kernel_env(base, db=tmp_path / "s.duckdb", view="self", rep="ben", config=Path("team.toml"))
    assert own["SOCIALSELL_REP"] == "ben" and own["SOCIALSELL_CONFIG"] == str(Path("team.toml").resolve())


@pytest.fixture
def small_db(tmp_path):
    path = tmp_path / "s.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO reps VALUES ('anna-becker', 'Anna Becker', 'Nord', true)")
    con.close()
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "refusing to serve on 0.0.0.0 without a token"),
        (["--host", "0.0.0.0", "--view", "coach", "--token", TOKEN], "coach_view is false"),
        (["--view", "self"], "the self view shows one rep's figures: pass --rep"),
        (["--view", "self", "--rep", "anna"], "--rep 'anna' is not a rep in"),
        (["--view", "boss"], "--view 'boss' is not one of self, team, coach"),
    ],
)
def test_serve_refuses_unsafe_deployments_in_one_line(small_db, monkeypatch, args, message):
    for name in ("SOCIALSELL_TOKEN", "SOCIALSELL_COACH_TOKEN", "SOCIALSELL_REP", "SOCIALSELL_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["serve", "--db", str(small_db), *args])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split()), result.output


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


def test_demo_never_overwrites_a_database_with_your_own_imports(tmp_path, fixtures):
    db = tmp_path / "mine.duckdb"
    calls = sorted((fixtures / "calls" / "hubspot").glob("*.csv"))[0]
    assert runner.invoke(app, ["import", str(calls), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--db", str(db)])
    assert result.exit_code == 1
    assert "holds your own imports" in result.output and "--db data/demo.duckdb" in " ".join(
        result.output.split()
    )
    status = runner.invoke(app, ["status", "--format", "json", "--db", str(db)])
    assert json.loads(status.output)["tables"]["imports"] == 1
