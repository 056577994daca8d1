"""`socialsell report --insights` on the demo, as a user runs it: every insight with a finding that
names the demo's planted signal (see socialsell/demo_people.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from socialsell.cli import app
from socialsell.insights import INSIGHTS, module

runner = CliRunner()


@pytest.fixture(scope="module")
def findings(demo_db) -> dict:
    result = runner.invoke(app, ["report", "--insights", "--format", "json", "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_insight_answers_its_question(findings):
    assert list(findings["insights"]) == list(INSIGHTS)
    for name, insight in findings["insights"].items():
        assert insight["question"] == module(name).QUESTION
        assert len(insight["finding"]) > 40, (name, insight["finding"])
        assert insight["rows"], name
    assert findings["definitions"]["cost_per_rep_hour"] == 60


@pytest.mark.parametrize(
    ("name", "signal"),
    [
        ("templates", "Jonas Hoffmann"),  # the rep who copy-pastes first messages
        ("address", "Tobias Huber"),  # the rep who writes "du" to strangers
        ("responsiveness", "Lea Schröder answers prospects slowest"),
        ("lead_response", "Lea Schröder is slowest"),
        ("compliance", "consumers had no recorded consent"),
        ("cost", "€"),
        ("accounts", "single contact"),
        ("planner", "needs the fewest hours"),
        ("inferred_meetings", "Most to review: Sophie Wagner"),  # she rarely logs LinkedIn bookings
        ("channel_order", "after LinkedIn is really higher than without"),
    ],
)
def test_the_demo_signal_shows_in_the_finding(findings, name, signal):
    assert signal in findings["insights"][name]["finding"]


def test_the_table_prints_every_title(demo_db):
    result = runner.invoke(app, ["report", "--insights", "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    for name in INSIGHTS:
        assert module(name).TITLE in result.output


def test_one_insight_with_its_settings(demo_db):
    args = ["report", "--insight", "cost", "--cost-per-hour", "120", "--format", "json", "--db", str(demo_db)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert list(document["insights"]) == ["cost"]
    assert "€120 per rep hour" in document["insights"]["cost"]["finding"]


def test_an_unknown_insight_lists_the_known_ones(demo_db):
    result = runner.invoke(app, ["report", "--insight", "horoscope", "--db", str(demo_db)])
    assert result.exit_code == 1
    assert "unknown insight 'horoscope'; known: templates, address" in result.output


def test_insights_refuse_a_single_table_format(demo_db):
    result = runner.invoke(app, ["report", "--insights", "--format", "csv", "--db", str(demo_db)])
    assert result.exit_code == 1
    assert "use table or json" in result.output
