"""The privacy views: [privacy] settings, small-group suppression in the team view, naming reps."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialsell import privacy
from socialsell.config import Config, ConfigError
from socialsell.privacy import PrivacyError, PrivacySettings, count_reps, name_reps, pseudonym, suppress

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COMPLEMENT = "hidden too, so a smaller group cannot be worked out from the total"


# --- [privacy] settings ----------------------------------------------------------------------------


def test_defaults_when_the_config_has_no_privacy_table():
    assert Config().privacy == PrivacySettings(5, False, (), 24)
    assert Config.from_dict({}).privacy == PrivacySettings()


def test_privacy_table_is_read_into_the_config():
    data = {
        "reps": {"anna-becker": {"name": "Anna Becker"}, "ben-ode": {}},
        "privacy": {
            "k_min_group": 3,
            "coach_view": True,
            "leaderboard_opt_in": ["anna-becker"],
            "retention_months": 12,
        },
    }
    assert Config.from_dict(data).privacy == PrivacySettings(3, True, ("anna-becker",), 12)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"k_min": 5}, r"\[privacy\]: unknown settings \['k_min'\]"),
        ({"k_min_group": 1}, "k_min_group = 1 must be a whole number of reps, at least 2"),
        ({"k_min_group": True}, "k_min_group = True"),
        ({"k_min_group": 4.5}, "k_min_group = 4.5"),
        ({"coach_view": "yes"}, "coach_view = 'yes' must be true or false"),
        ({"leaderboard_opt_in": "anna-becker"}, "leaderboard_opt_in must be a list of rep ids"),
        ({"retention_months": 0}, "retention_months = 0 must be a whole number"),
        ({"leaderboard_opt_in": ["anna-beker"]}, r"leaderboard_opt_in names \['anna-beker'\], not reps"),
    ],
)
def test_bad_privacy_settings_are_refused_with_one_line(section, message):
    with pytest.raises(ConfigError, match=message) as error:
        Config.from_dict({"reps": {"anna-becker": {}}, "privacy": section}, Path("team.toml"))
    assert str(error.value).startswith("team.toml: ") and "\n" not in str(error.value)


def test_opt_in_is_not_checked_against_reps_when_the_config_lists_none():
    assert Config.from_dict({"privacy": {"leaderboard_opt_in": ["x"]}}).privacy.leaderboard_opt_in == ("x",)


def test_settings_come_from_the_config_in_use(tmp_path, monkeypatch):
    config = tmp_path / "socialsell.toml"
    config.write_text("[privacy]\nk_min_group = 7\n")
    monkeypatch.setenv("SOCIALSELL_CONFIG", str(config))
    assert privacy.settings().k_min_group == 7


# --- the current view ------------------------------------------------------------------------------


def test_current_view_is_coach_for_local_use_and_what_serve_sets_otherwise(monkeypatch):
    monkeypatch.delenv("SOCIALSELL_VIEW", raising=False)
    assert privacy.current_view() == "coach"
    monkeypatch.setenv("SOCIALSELL_VIEW", "team")
    assert privacy.current_view() == "team"
    assert not privacy.shows_reps()
    with pytest.raises(PrivacyError, match="not part of the team view"):
        privacy.require_view("coach")
    assert privacy.require_view("team", "coach") == "team"
    monkeypatch.setenv("SOCIALSELL_VIEW", "boss")
    with pytest.raises(PrivacyError, match="SOCIALSELL_VIEW='boss' is not one of self, team, coach"):
        privacy.current_view()


def test_every_dashboard_says_which_views_serve_it():
    unlisted = [p.name for p in NOTEBOOKS.glob("*.ipynb") if p.name not in privacy.NOTEBOOK_VIEWS]
    assert not unlisted, f"add {unlisted} to privacy.NOTEBOOK_VIEWS (unlisted notebooks are coach-only)"
    assert privacy.notebook_views("9_new.ipynb") == ("coach",)
    assert all(set(views) <= set(privacy.VIEWS) for views in privacy.NOTEBOOK_VIEWS.values())
    assert all("coach" in views for views in privacy.NOTEBOOK_VIEWS.values())


# --- suppression -----------------------------------------------------------------------------------


def _teams(reps: list[int]) -> pl.DataFrame:
    names = [f"T{i}" for i in range(len(reps))]
    return pl.DataFrame({"team": names, "reps": reps, "meetings": [10 * n for n in reps]})


def test_no_small_group_leaves_every_figure():
    out = suppress(_teams([5, 8]), "team", "reps", 5)
    assert out.drop("suppressed").equals(_teams([5, 8]))
    assert out["suppressed"].null_count() == 2


def test_a_small_group_is_hidden_with_the_next_smallest_as_its_complement():
    out = suppress(_teams([9, 3, 6, 12]), "team", "reps", 5)
    assert out.rows() == [
        ("T0", 9, 90, None),
        ("T1", 3, None, "fewer than 5 reps"),
        ("T2", 6, None, COMPLEMENT),
        ("T3", 12, 120, None),
    ]


def test_complements_are_added_until_the_hidden_groups_reach_k():
    # 1 + 1 reps together are still fewer than 5: the group of 6 goes too (1 + 1 + 6 = 8 ≥ 5).
    out = suppress(_teams([1, 20, 1, 6, 7]), "team", "reps", 5)
    assert out["meetings"].to_list() == [None, 200, None, None, 70]
    assert out["suppressed"].to_list() == [
        "fewer than 5 reps",
        None,
        "fewer than 5 reps",
        COMPLEMENT,
        None,
    ]


def test_two_small_groups_that_reach_k_together_need_no_complement():
    out = suppress(_teams([2, 3, 9]), "team", "reps", 5)
    assert out["meetings"].to_list() == [None, None, 90]


def test_the_demo_teams_of_three_are_both_hidden_and_a_total_of_six_is_shown():
    teams = suppress(_teams([3, 3]), "team", "reps", 5)
    assert teams["meetings"].null_count() == 2
    total = suppress(pl.DataFrame({"team": ["all"], "reps": [6], "meetings": [60]}), "team", "reps", 5)
    assert total["meetings"].to_list() == [60]
    small_total = suppress(pl.DataFrame({"team": ["all"], "reps": [4], "meetings": [40]}), "team", "reps", 5)
    assert small_total["meetings"].to_list() == [None]


def test_within_suppresses_each_week_on_its_own_and_figures_limits_the_columns():
    frame = pl.DataFrame(
        {
            "week": ["w1", "w1", "w1", "w2", "w2"],
            "team": ["Nord", "Süd", "West", "Nord", "Süd"],
            "reps": [6, 2, 7, 6, 7],
            "dials": [600, 200, 700, 610, 710],
            "note": ["a", "b", "c", "d", "e"],
        }
    )
    out = suppress(frame, "team", "reps", 5, within="week", figures=["dials"])
    assert out["dials"].to_list() == [None, None, 700, 610, 710]
    assert out["note"].to_list() == ["a", "b", "c", "d", "e"]
    assert out.columns == [*frame.columns, "suppressed"]


def test_null_rep_counts_count_as_zero_and_k_must_be_a_whole_number():
    out = suppress(pl.DataFrame({"team": ["A", "B"], "reps": [None, 9], "m": [1, 2]}), "team", "reps", 5)
    assert out["m"].to_list() == [None, None]
    with pytest.raises(PrivacyError, match="k = 0"):
        suppress(_teams([5]), "team", "reps", 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=8), st.integers(2, 8))
def test_a_shown_total_never_gives_away_fewer_than_k_reps(reps, k):
    out = suppress(_teams(reps), "team", "reps", k)
    hidden = out.filter(pl.col("suppressed").is_not_null())
    shown = out.filter(pl.col("suppressed").is_null())
    assert (shown["reps"] >= k).all()
    assert shown["meetings"].null_count() == 0 and hidden["meetings"].null_count() == hidden.height
    # total − shown groups = the hidden groups together: never one group, never fewer than k reps,
    # unless everything is hidden (then the total covers < k reps or has no shown part to subtract).
    if hidden.height and shown.height:
        assert hidden.height >= 2 and hidden["reps"].sum() >= k
    if any(n < k for n in reps):
        assert hidden.height >= 1


def test_count_reps_counts_distinct_active_reps_per_group():
    per_rep = pl.DataFrame(
        {
            "group": ["anna", "ben", "cem", "dora", "emil"],
            "team": ["Nord", "Nord", "Nord", "Süd", None],
            "dials": [10, 0, 5, 0, 1],
            "messages_sent": [0, 0, 3, 4, None],
        }
    )
    counted = count_reps(per_rep, "team", "group", active=["dials", "messages_sent"]).sort("team")
    assert counted.rows() == [(None, 1), ("Nord", 2), ("Süd", 1)]
    assert count_reps(per_rep, "team", "group").sort("team")["reps"].to_list() == [1, 3, 1]


# --- naming reps -----------------------------------------------------------------------------------


PER_REP = pl.DataFrame(
    {
        "rep_id": ["anna-becker", "ben-ode", "cem-yilmaz"],
        "display_name": ["Anna Becker", "Ben Ode", "Cem Yilmaz"],
        "meetings": [12, 7, 3],
    }
)


def test_team_view_shows_no_per_rep_rows():
    out = name_reps(PER_REP, PrivacySettings(), "team")
    assert out.height == 0 and out.schema == PER_REP.schema


def test_self_view_keeps_only_the_reps_own_rows(monkeypatch):
    monkeypatch.setenv("SOCIALSELL_REP", "ben-ode")
    assert name_reps(PER_REP, PrivacySettings(), "self").rows() == [("ben-ode", "Ben Ode", 7)]
    assert name_reps(PER_REP, PrivacySettings(), "self", rep="cem-yilmaz")["meetings"].to_list() == [3]
    monkeypatch.delenv("SOCIALSELL_REP")
    with pytest.raises(PrivacyError, match="the self view needs the rep"):
        name_reps(PER_REP, PrivacySettings(), "self")


def test_coach_view_without_agreement_names_only_reps_who_opted_in():
    out = name_reps(PER_REP, PrivacySettings(leaderboard_opt_in=("ben-ode",)), "coach", rep_col="rep_id")
    assert out["display_name"].to_list()[1] == "Ben Ode"
    hidden = [r for r in out.rows() if r[0] != "ben-ode"]
    assert [r[0] for r in hidden] == [r[1] for r in hidden]  # rep_id replaced too: it is a name slug
    assert all(r[0].startswith("Rep ") and len(r[0]) == 8 for r in hidden)
    assert "becker" not in str(out.rows()).lower() and "yilmaz" not in str(out.rows()).lower()
    assert out["meetings"].to_list() == [12, 7, 3]


def test_coach_view_with_agreement_names_everyone_but_rankings_only_opted_in_reps():
    agreed = PrivacySettings(coach_view=True, leaderboard_opt_in=("cem-yilmaz",))
    assert name_reps(PER_REP, agreed, "coach").equals(PER_REP)
    ranking = name_reps(PER_REP, agreed, "coach", leaderboard=True)
    assert ranking["display_name"].to_list() == [pseudonym("anna-becker"), pseudonym("ben-ode"), "Cem Yilmaz"]


def test_report_frames_name_the_rep_in_the_group_column():
    report = PER_REP.rename({"rep_id": "group"})
    out = name_reps(report, PrivacySettings(), "coach", rep_col="group")
    assert (
        out["group"].to_list() == out["display_name"].to_list() == [pseudonym(r) for r in PER_REP["rep_id"]]
    )


def test_pseudonyms_are_stable_keyed_and_not_the_plain_hash(monkeypatch):
    monkeypatch.setenv("SOCIALSELL_PSEUDONYM_KEY", "one")
    first = pseudonym("anna-becker")
    assert pseudonym("anna-becker") == first != pseudonym("ben-ode")
    monkeypatch.setenv("SOCIALSELL_PSEUDONYM_KEY", "two")
    assert pseudonym("anna-becker") != first
    assert pseudonym("anna-becker", key="one") == first
