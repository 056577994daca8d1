"""The coach view names reps only as `[privacy]` allows, on every part of a page: tables, charts,
dropdowns, the drill-down and the Playbook's finding sentences (socialsell.dashboards.rep_names)."""

from __future__ import annotations

import json
import re

import duckdb
import ipywidgets as widgets
import polars as pl
import pytest

from socialsell import insights, privacy
from socialsell.dashboards import CoachApp, FunnelApp, OverviewApp, PlaybookApp
from socialsell.dashboards.rep_names import RepNames
from socialsell.demo_people import REPS

NAMES = {rep.rep_id: rep.name for rep in REPS}


def page_text(widget) -> str:
    """Everything a page sends to the browser as text: HTML, labels, options, figures."""
    parts: list[str] = []
    if isinstance(widget, widgets.Output):
        parts += [json.dumps(output, ensure_ascii=False) for output in widget.outputs]
    selection = isinstance(
        widget, widgets.widget_selection._Selection | widgets.widget_selection._MultipleSelection
    )
    for attribute in ("description", "placeholder") if selection else ("value", "description", "placeholder"):
        value = getattr(widget, attribute, None)
        if isinstance(value, str):
            parts.append(value)
    if selection:  # the browser gets the labels and the index, never the values (rep ids)
        parts += [str(label) for label in widget._options_labels]
    if isinstance(widget, widgets.Tab):
        parts += [widget.get_title(i) or "" for i in range(len(widget.children))]
    for child in getattr(widget, "children", ()):
        parts.append(page_text(child))
    return "\n".join(parts)


def names_on(text: str) -> set[str]:
    """The demo reps whose name or id appears in `text` (not a surname alone: prospects share them)."""
    found = set()
    for rep_id, name in NAMES.items():
        if re.search(rf"\b({re.escape(name)}|{re.escape(rep_id)})\b", text):
            found.add(rep_id)
    return found


def playbook_text(app: PlaybookApp) -> str:
    for index in range(len(insights.INSIGHTS)):
        app.tabs.selected_index = index  # each tab computes its insight when first shown
    return page_text(app.container)


def coach_text(app: CoachApp) -> str:
    app.trace.widget.selected_index = 0  # the drill-down, opened
    texts = [page_text(app.container)]
    for _, rep_id in [o for o in app.trace.rep.options if o[1]][:2]:
        app.trace.rep.value = rep_id  # the drill-down of two reps, whatever their label
        texts.append(page_text(app.container))
    return "\n".join(texts)


@pytest.fixture
def demo(demo_db, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the config is what each test writes here, or none
    monkeypatch.delenv("SOCIALSELL_CONFIG", raising=False)
    monkeypatch.delenv("SOCIALSELL_VIEW", raising=False)  # the coach view
    monkeypatch.setenv("SOCIALSELL_PSEUDONYM_KEY", "test-key")
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


def write_privacy(tmp_path, **settings) -> None:
    lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    (tmp_path / "socialsell.toml").write_text("[privacy]\n" + "\n".join(lines) + "\n")


@pytest.mark.slow
def test_without_the_agreement_no_page_names_a_rep(demo):
    coach, playbook = CoachApp(demo), PlaybookApp(demo)
    assert names_on(coach_text(coach)) == set()
    text = playbook_text(playbook)
    assert names_on(text) == set()
    # The reps are there, by pseudonym: the Playbook still says who copy-pastes.
    assert privacy.pseudonym("jonas-hoffmann") in text
    assert privacy.pseudonym("jonas-hoffmann") in coach_text(coach)
    for app in (OverviewApp(demo), FunnelApp(demo)):  # their rep filter too
        assert names_on(page_text(app.container)) == set()
        assert privacy.pseudonym("jonas-hoffmann") in page_text(app.filters.widget)


@pytest.mark.slow
def test_with_the_agreement_rankings_name_only_reps_who_opted_in(demo, tmp_path):
    write_privacy(tmp_path, coach_view=True, leaderboard_opt_in=["anna-becker"])
    coach = coach_text(CoachApp(demo))
    assert names_on(coach) == {"anna-becker"}  # the coach table ranks reps: the whole page follows it
    assert privacy.pseudonym("lea-schroeder") in coach
    assert names_on(playbook_text(PlaybookApp(demo))) == set(NAMES)  # not a ranking: everyone named


@pytest.mark.slow
def test_the_demo_config_names_the_fictional_team(demo, demo_db, monkeypatch):
    config = demo_db.parent / "exports" / "socialsell.toml"  # what `make demo` serves with
    monkeypatch.setenv("SOCIALSELL_CONFIG", str(config))
    assert names_on(page_text(CoachApp(demo).container)) == set(NAMES)


def test_a_page_names_each_rep_one_way_and_sorts_pseudonyms_by_pseudonym(con, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCIALSELL_PSEUDONYM_KEY", "test-key")
    write_privacy(tmp_path, coach_view=True, leaderboard_opt_in=["anna"])
    con.execute("INSERT INTO reps VALUES ('anna', 'Anna A', 'Nord', true), ('bert', 'Bert B', 'Nord', true)")
    frame = pl.DataFrame({"rep_id": ["anna", "bert"], "display_name": ["Anna A", "Bert B"], "x": [1, 2]})
    assert RepNames(con).frame(frame).equals(frame)  # coach_view: everyone named outside rankings
    ranking = RepNames(con, leaderboard=True)
    shown = ranking.frame(frame)
    assert shown["display_name"].to_list() == ["Anna A", privacy.pseudonym("bert")]
    assert shown["rep_id"].to_list() == ["anna", privacy.pseudonym("bert")]
    assert ranking.label("bert", "Bert B") == privacy.pseudonym("bert") and ranking.label("anna") == "anna"
    # Insight rows: the rep rows are named, team and total rows kept, reps ordered by their label.
    rows = pl.DataFrame(
        {
            "level": ["rep", "rep", "team", "total"],
            "group": ["bert", "anna", "Nord", "all"],
            "display_name": ["Bert B", "Anna A", "Nord", "all"],
        }
    )
    named = ranking.insight(rows)
    assert named["group"].to_list()[2:] == ["Nord", "all"]
    assert sorted(named["display_name"].to_list()[:2]) == named["display_name"].to_list()[:2]
    assert "Bert B" not in named["display_name"].to_list()
    lists = pl.DataFrame({"reps": [["anna", "bert"]]})
    assert ranking.id_lists(lists, "reps")["reps"].to_list() == [["anna", privacy.pseudonym("bert")]]


def test_file_names_that_name_a_pseudonymised_rep_are_masked(con, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no config: nobody named
    con.execute("INSERT INTO reps VALUES ('bert-bauer', 'Bert Bauer', 'Nord', true)")
    con.execute("INSERT INTO rep_identities VALUES ('email', 'bert.bauer@firma.example', 'bert-bauer')")
    frame = pl.DataFrame(
        {"file": ["bert.bauer@firma.example.ics:12", "Anrufliste_bauer.csv:3", "hubspot-calls.csv:7"]}
    )
    masked = RepNames(con).files(con, frame, "bert-bauer", ["file"])["file"].to_list()
    assert masked == ["(rep's file).ics:12", "(rep's file).csv:3", "hubspot-calls.csv:7"]
