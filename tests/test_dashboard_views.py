"""The privacy views reach the dashboards: the team view offers no rep and no small team, the self
view shows one rep, coach-only dashboards refuse to open in other views (see socialsell.privacy)."""

from __future__ import annotations

import pytest
from metrics_builders import Data, phone

from socialsell.dashboards import CoachApp, FunnelApp, OverviewApp, PlaybookApp
from socialsell.privacy import PrivacyError

# Team Nord has 5 reps, Süd 3, Ost 6: Süd is under k = 5, and Nord goes with it (else the total
# minus Nord and Ost would give Süd away).
TEAMS = {"Nord": 5, "Süd": 3, "Ost": 6}


@pytest.fixture
def team_data(con, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no socialsell.toml around: default [privacy], k = 5
    reps = {f"{team.lower()}-{n}": team for team, size in TEAMS.items() for n in range(size)}
    data = Data(reps)
    for n, rep in enumerate(reps):
        data.call(phone(n), f"2026-03-02 {8 + n % 9:02d}:00", outcome="connected", duration_s=60, rep=rep)
    data.load(con)
    return con


def test_the_team_view_offers_only_teams_of_at_least_k_reps(team_data, monkeypatch):
    monkeypatch.setenv("SOCIALSELL_VIEW", "team")
    app = OverviewApp(team_data)
    assert list(app.filters.team.options) == ["All teams", "Ost"]
    assert app.filters.rep not in app.filters.widget.children[0].children  # no rep filter
    assert "2 dials" not in app.cards.value and "14 dials" in app.cards.value  # the all-teams total


def test_the_team_view_shows_nothing_below_k_reps_in_all(con, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCIALSELL_VIEW", "team")
    data = Data({"anna": "Nord", "ben": "Nord"})
    data.call(phone(1), "2026-03-02 09:00", rep="anna")
    data.call(phone(2), "2026-03-02 09:00", rep="ben")
    data.load(con)
    app = FunnelApp(con)
    assert app.filters.blocked == "The team view shows groups of at least 5 reps; this database has 2."
    overview = OverviewApp(con)
    assert overview.filters.blocked in overview.cards.value


def test_the_self_view_shows_only_the_viewers_own_figures(team_data, monkeypatch):
    monkeypatch.setenv("SOCIALSELL_VIEW", "self")
    monkeypatch.setenv("SOCIALSELL_REP", "ost-2")
    app = OverviewApp(team_data)
    assert app.filters.definitions().reps == ("ost-2",)
    assert "1 dials" in app.cards.value or "from 1 dials" in app.cards.value


@pytest.mark.parametrize("app", [CoachApp, PlaybookApp])
def test_named_dashboards_open_in_the_coach_view_only(team_data, monkeypatch, app):
    monkeypatch.setenv("SOCIALSELL_VIEW", "team")
    with pytest.raises(PrivacyError, match="not part of the team view"):
        app(team_data)


def test_after_an_import_the_filters_grow_with_the_data_and_keep_the_choices(con, monkeypatch, tmp_path):
    """A page open over night: the next import's days and reps become choosable (socialsell.snapshot
    swaps the data in; `Filters.follow` widens what the controls offer), a narrowed range stays."""
    from datetime import date
    from pathlib import Path

    from socialsell import store
    from socialsell.config import Config
    from socialsell.dashboards.panels import Filters

    monkeypatch.chdir(tmp_path)
    first = Data({"anna": "Nord", "ben": "Süd"})
    first.call(phone(1), "2026-03-02 09:00", rep="anna")
    first.call(phone(2), "2026-03-09 09:00", rep="ben")
    first.load(con)
    wide, narrowed = Filters(con), Filters(con)
    narrowed.date_to.value = date(2026, 3, 5)
    wide.team.value = "Süd"
    changes = []
    wide.on_change(lambda: changes.append(1))
    later = Data({"anna": "Nord", "ben": "Süd", "cem": "Ost"})  # the next export overlaps the first
    later.call(phone(1), "2026-03-02 09:00", rep="anna")
    later.call(phone(2), "2026-03-09 09:00", rep="ben")
    later.call(phone(3), "2026-03-20 09:00", rep="cem")
    store.load(con, later.parsed(), Path("nightly"), Config(), file_checksum="nightly")
    wide.follow(con)
    narrowed.follow(con)
    assert wide.definitions().date_to == date(2026, 3, 20)  # the range was at its edge: it grows
    assert narrowed.definitions().date_to == date(2026, 3, 5)  # the user's range stays
    assert list(wide.team.options) == ["All teams", "Nord", "Ost", "Süd"] and wide.team.value == "Süd"
    assert "cem" in [value for _, value in narrowed.rep.options]
    assert changes == []  # quiet: the update that noticed the new data draws once
