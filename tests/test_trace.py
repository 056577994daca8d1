"""The audit trail: every count of the report traces back to its rows, and every row to its file
and line (socialsell.trace, `socialsell trace`, the Coach dashboard's drill-down)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from socialsell import metrics, store, trace
from socialsell.cli import app
from socialsell.definitions import Definitions
from socialsell.importer import import_paths
from socialsell.privacy import PrivacyError

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()

# The default definitions, and others that take every other road through metrics: another rule and
# window (candidates rollup), a window beyond the rollups with other thresholds (touch_facts), a scope.
DEFINITIONS = {
    "default": Definitions(),
    "split-14-days-range": Definitions(
        attribution_rule="split",
        attribution_window_days=14,
        date_from=date(2026, 7, 1),
        date_to=date(2026, 10, 15),
    ),
    "first-touch-150-days-thresholds": Definitions(
        attribution_rule="first_touch",
        attribution_window_days=150,
        connect_min_talk_s=10,
        conversation_min_each_way=2,
    ),
    "split-team-Süd": Definitions(attribution_rule="split", teams=("Süd",)),
}


@pytest.fixture(scope="module")
def demo(demo_db):
    with store.connect(demo_db, read_only=True) as con:
        yield con


# --- every count, every rep: the traced rows are the report's figure ---------------------------------


@pytest.mark.parametrize("name", DEFINITIONS)
def test_every_measure_of_every_rep_traces_to_the_figure_of_the_report(demo, name):
    d = DEFINITIONS[name]
    report = metrics.report(demo, d, by="rep")
    assert len(report) >= 3
    differences = []
    for row in report.iter_rows(named=True):
        for measure in trace.MEASURES:
            found = trace.trace(demo, measure, d, rep=row["rep"], limit=0)
            if found.value != pytest.approx(row[measure], abs=1e-9):
                differences.append((row["rep"], measure, found.value, row[measure]))
            if measure not in ("meetings_from_calls", "meetings_from_social"):
                assert found.count == found.value  # one row per counted thing
    assert differences == []


@pytest.mark.parametrize("measure", ["dials", "replied", "invitations_accepted", "meetings_from_calls"])
def test_a_trace_lists_its_rows_most_recent_first_and_counts_them_all(demo, measure):
    d = Definitions(attribution_rule="split")
    everything = trace.trace(demo, measure, d, rep="anna-becker")
    first = trace.trace(demo, measure, d, rep="anna-becker", limit=5)
    assert (first.count, first.value) == (everything.count, everything.value) and everything.count > 5
    assert first.rows.equals(everything.rows.head(5))
    assert everything.rows["when"].is_sorted(descending=True)
    assert set(everything.rows["rep_id"]) == {"anna-becker"}


def test_every_row_of_the_demo_names_its_file_line_and_import(demo):
    imports = {i for (i,) in demo.execute("SELECT import_id FROM imports").fetchall()}
    for measure in trace.MEASURES:
        rows = trace.trace(demo, measure, Definitions(attribution_rule="split")).rows
        assert rows["source_file"].null_count() == 0 and rows["source_row"].null_count() == 0, measure
        assert set(rows["import_id"]) <= imports, measure
        if "touch_file" in rows.columns:  # every attributed meeting names the touch it credits
            credited = rows.filter(rows["channel"] != "unattributed")
            assert credited["touch_source_row"].null_count() == 0, measure


def test_split_credit_goes_to_each_touch_of_the_channel_in_equal_shares(demo):
    rows = trace.trace(
        demo, "meetings_from_social", Definitions(attribution_rule="split"), rep="anna-becker"
    ).rows
    shared = rows.filter(rows["credited_touches"] > 1)
    assert len(shared)
    for meeting in shared.partition_by("source", "source_id"):
        assert meeting["credit"].n_unique() == 1 and meeting["touch_at"].n_unique() == len(meeting)
        assert meeting["touch_at"].max() <= meeting["when"][0]  # in the window before it was booked


def test_an_unknown_measure_names_the_known_ones(demo):
    with pytest.raises(ValueError, match="use one of dials, connects"):
        trace.trace(demo, "dailz")


# --- file and line: the traced line is the record's line in the export --------------------------------

# (fixture, rep option, measure, the format of its time as the export writes it, time zone)
EXPORTS = [
    ("calls/hubspot/calls_de.csv", None, "dials", "%d.%m.%Y %H:%M", "Europe/Berlin"),
    ("calls/generic_de/with_preamble.csv", None, "dials", "%d.%m.%Y;%H:%M", "Europe/Berlin"),
    ("linkedin/2026-04/messages.csv", "mara-jansen", "messages_sent", "%Y-%m-%d %H:%M:%S UTC", "UTC"),
    ("linkedin/2026-04/messages.csv", "mara-jansen", "conversations", "%Y-%m-%d %H:%M:%S UTC", "UTC"),
]


@pytest.mark.parametrize(("export", "rep", "measure", "written", "zone"), EXPORTS)
def test_the_traced_line_is_the_line_of_that_record_in_the_file(con, export, rep, measure, written, zone):
    path = FIXTURES / export
    import_paths([path], con=con, rep=rep)
    found = trace.trace(con, measure, Definitions())
    assert found.count >= 1
    lines = path.read_bytes().decode("utf-8-sig", errors="replace").splitlines()
    for row in found.rows.iter_rows(named=True):
        assert row["file"] == f"{path.name}:{row['source_row']}"
        line = lines[row["source_row"] - 1]
        assert row["when"].astimezone(ZoneInfo(zone)).strftime(written) in line, (row["source_row"], line)
    if export.startswith("calls/hubspot"):  # HubSpot's record id is the first field of its line
        assert all(lines[r - 1].startswith(i) for r, i in found.rows.select("source_row", "source_id").rows())


def test_a_multi_line_message_is_traced_to_the_line_its_record_starts_on(con):
    path = FIXTURES / "linkedin/2026-04/messages.csv"
    import_paths([path], con=con, rep="mara-jansen")
    rows = trace.trace(con, "messages_sent", Definitions()).rows
    assert sorted(rows["source_row"]) == [2, 9]  # records 1 and 3; record 1 runs over six lines


# --- the command line -----------------------------------------------------------------------------------


def test_trace_prints_the_figure_of_the_report_above_its_rows(demo_db, demo):
    dials = metrics.report(demo, Definitions(), by="rep").filter(rep="anna-becker")["dials"][0]
    result = runner.invoke(
        app, ["trace", "--db", str(demo_db), "--rep", "Anna Becker", "--measure", "dials", "--limit", "3"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"{dials:,} dials by Anna Becker, all dates" in text and f"3 of {dials:,} rows" in text


def test_trace_csv_and_json_list_every_row_with_its_lineage(demo_db, demo):
    d = Definitions(attribution_rule="split", attribution_window_days=14, date_from=date(2026, 8, 1))
    row = metrics.report(demo, d, by="rep").filter(rep="lea-schroeder").row(0, named=True)
    options = ["--db", str(demo_db), "--rep", "lea-schroeder", "--rule", "split", "--window", "14"]
    options += ["--from", "2026-08-01", "--measure", "meetings_from_calls"]
    as_csv = runner.invoke(app, ["trace", *options, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert sum(float(r["credit"]) for r in rows) == pytest.approx(row["meetings_from_calls"])
    assert all(r["source_file"] and r["source_row"] and r["import_id"] for r in rows)
    as_json = json.loads(runner.invoke(app, ["trace", *options, "--format", "json"]).output)
    assert as_json["value"] == pytest.approx(row["meetings_from_calls"]) and len(as_json["rows"]) == len(rows)
    assert as_json["definitions"]["attribution_rule"] == "split"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rep", "nobody"], "--rep 'nobody': no such rep; known: anna-becker"),
        (["--measure", "dailz"], "measure 'dailz': use one of dials"),
        (["--format", "xml"], "--format 'xml': use table, csv, json"),
        (["--from", "1.9.2026"], "--from '1.9.2026' is not a date"),
    ],
)
def test_trace_errors_are_one_line(demo_db, args, message):
    result = runner.invoke(app, ["trace", "--db", str(demo_db), *args])
    assert result.exit_code == 1
    assert result.output.startswith("error:") and message in " ".join(result.output.split())


@pytest.mark.parametrize("measure", ["dials", "connects", "replied", "outreach", "invitations_accepted"])
def test_a_limited_trace_lists_the_latest_rows_of_the_full_one(demo, measure):
    """Limited, the lineage is joined to the latest rows only: the same rows, the same count."""
    d = Definitions(date_from=date(2026, 7, 1))
    full = trace.trace(demo, measure, d, rep="anna-becker")
    latest = trace.trace(demo, measure, d, rep="anna-becker", limit=7)
    assert (latest.count, latest.value) == (full.count, full.value) and full.count > 7
    assert latest.rows.equals(full.rows.head(7))


# --- the Coach dashboard's drill-down ---------------------------------------------------------------------


def test_the_drill_down_follows_the_coach_page_and_agrees_with_its_table(demo_db, demo, monkeypatch):
    from socialsell.dashboards import CoachApp

    monkeypatch.delenv("SOCIALSELL_VIEW", raising=False)
    app_ = CoachApp(demo)
    panel = app_.trace
    assert panel.rows.value == ""  # collapsed: a filter change does not pay for the rows
    panel.widget.selected_index = 0  # the coach opens it
    dials = app_.per_rep.filter(rep=panel.rep.value)["dials"][0]
    assert f"<b>{dials:,}</b> dials by" in panel.rows.value
    assert f"the same {dials:,} as in the table above" in panel.rows.value
    assert f"… and {dials - 200:,} more" in panel.rows.value and ".csv:" in panel.rows.value
    panel.measure.value = "meetings_from_social"
    assert "behind “meetings / 100 conv.” in the table above" in panel.rows.value
    app_.filters.team.value = "Süd"  # the page's filters reach the drill-down
    assert app_.per_rep.filter(rep=panel.rep.value)["team"][0] == "Süd"
    assert "disagree" not in panel.rows.value and "touch file" in panel.rows.value


@pytest.mark.parametrize("view", ["team", "self"])
def test_the_drill_down_is_built_in_the_coach_view_only(demo, monkeypatch, view):
    from socialsell.dashboards.trace_panel import TracePanel

    monkeypatch.setenv("SOCIALSELL_VIEW", view)
    monkeypatch.setenv("SOCIALSELL_REP", "anna-becker")
    with pytest.raises(PrivacyError):
        TracePanel(demo, {})
