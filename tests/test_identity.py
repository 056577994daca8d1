"""Identity normalisation: the vectorised fast paths give exactly what the per-value functions give."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from socialsell import identity

_URL_PARTS = st.tuples(
    st.sampled_from(["https://", "http://", "HTTPS://", "", " "]),
    st.sampled_from(["www.", "de.", "", "WWW.", "evil.", "www.notlinkedin.com."]),
    st.sampled_from(["linkedin.com", "LinkedIn.com", "linkedin.de"]),
    st.sampled_from(["/in/", "/IN/", "/pub/", "/sales/lead/", "/in", "/company/"]),
    st.text(alphabet="abcXYZ09-_%C3Bü.,/? ", max_size=12),
    st.sampled_from(["", "/", "?trk=x", "/de", " "]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_URL_PARTS, min_size=1, max_size=8))
def test_linkedin_url_fast_path_matches_the_per_value_rule(parts):
    values = ["".join(p) for p in parts]
    expected = [identity._linkedin_url_one(v) for v in values]
    assert identity.linkedin_url(pl.Series(values, dtype=pl.String)).to_list() == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=15), st.text(alphabet="Anna Mü-ßé. \t,'0", max_size=15)))
)
def test_slugs_match_slug(names):
    expected = [None if n is None else identity.slug(n) for n in names]
    assert identity.slugs(pl.Series(names, dtype=pl.String)).to_list() == expected


def test_common_values_skip_python():
    calls = []

    def counted(value):
        calls.append(value)
        return identity.slug(value)

    values = pl.Series(["Anna Becker", "Jürgen Weiß", "Anna Becker", None])
    fast = pl.when(pl.col("v").str.contains(r"^[\x00-\x7f]*$")).then(pl.col("v").str.to_lowercase())
    out = identity.map_distinct(values, counted, fast=fast)
    assert out.to_list() == ["anna becker", "jurgen-weiss", "anna becker", None]
    assert calls == ["Jürgen Weiß"]
