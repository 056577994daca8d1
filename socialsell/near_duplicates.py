"""A privacy-preserving sketch of a message's wording, so near-duplicate messages can be grouped in SQL.

MinHash with locality-sensitive hashing (LSH), computed at import from the words of the template text
(greeting line, URLs, digits and the names of the people involved already removed):

- Shingles are word bigrams (`SHINGLE_WORDS = 2`); a one-word text is its own shingle. Bigrams keep
  word order without being so long that one changed word (a company name) breaks many shingles.
- `BANDS × ROWS_PER_BAND = 10 × 6 = 60` MinHash values are folded into 10 band hashes. Two texts share
  at least one band with probability `1 - (1 - J**6)**10` for Jaccard similarity J of their bigram sets:
  ≈ 0.15 at J = 0.5, 0.38 at 0.6, 0.71 at 0.7, 0.95 at 0.8, 0.9995 at 0.9. The threshold where a
  shared band becomes likely is `(1/10)**(1/6) ≈ 0.68` (`SIMILARITY_THRESHOLD`): one template with a
  personalised sentence or a merged company name still collides; two different messages do not.
- Stored as `touches.template_bands`: ten strings `"<band>:<32-bit hash>"` (the band number is part of
  the value, so `unnest(template_bands)` groups buckets without an index). The text cannot be
  recovered from them.

Hashes are stable across library versions: words are hashed with MD5 (by DuckDB), everything after
that is fixed 64-bit integer arithmetic with constants generated here by SplitMix64. Each distinct
word sequence is sketched once, with numpy over all its shingles at once (0.5–0.9 s per 60 000
distinct messages of 15 words on this 2-core machine).
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl

__all__ = ["BANDS", "ROWS_PER_BAND", "SHINGLE_WORDS", "SIMILARITY_THRESHOLD", "band_hashes"]

SHINGLE_WORDS = 2
BANDS = 10
ROWS_PER_BAND = 6
SIMILARITY_THRESHOLD = (1 / BANDS) ** (1 / ROWS_PER_BAND)

_MASK = (1 << 64) - 1


def _splitmix64(seed: int) -> int:
    z = (seed + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


# One (odd multiplier, xor key) per MinHash function, and the constants that mix bigrams and bands.
_PERMUTATIONS = [(_splitmix64(2 * i) | 1, _splitmix64(2 * i + 1)) for i in range(BANDS * ROWS_PER_BAND)]
_FIRST, _SECOND, _FOLD, _FINAL = (_splitmix64(1000 + i) | 1 for i in range(4))


def _word_hashes(words: pl.Series) -> pl.DataFrame:
    """Each distinct word with a 60-bit hash (the first 15 hex digits of its MD5)."""
    vocabulary = pl.DataFrame({"word": words.unique().drop_nulls()})
    with duckdb.connect() as con:
        con.register("vocabulary", vocabulary)
        hashed = con.sql("SELECT word, md5(word)[:15] AS hex FROM vocabulary").pl()
    return hashed.select("word", h=pl.col("hex").str.to_integer(base=16).cast(pl.UInt64))


def _shingles(words: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(hashes of every row's word bigrams, one after the other; where each row's start) for rows
    with at least one word. A one-word row's only shingle is its word."""
    flat = pl.DataFrame({"word": words.explode()})
    flat = flat.join(_word_hashes(flat["word"]), on="word", how="left", maintain_order="left")
    h = flat["h"].to_numpy()
    lengths = words.list.len().to_numpy().astype(np.int64)
    ends = np.cumsum(lengths)
    last = np.zeros(len(h), dtype=bool)
    last[ends - 1] = True
    first = h * np.uint64(_FIRST)
    following = np.append(h[1:], np.uint64(0)) * np.uint64(_SECOND)
    shingle = np.where(last, first, first ^ following)
    keep = ~last | np.repeat(lengths == 1, lengths)
    counts = np.maximum(lengths - 1, 1)
    return shingle[keep], np.concatenate([[0], np.cumsum(counts)[:-1]])


def _minhashes(shingles: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per row (at `starts`), the minimum of each MinHash function: shape (rows, BANDS * ROWS_PER_BAND)."""
    out = np.empty((len(starts), len(_PERMUTATIONS)), dtype=np.uint64)
    permuted = np.empty_like(shingles)
    for i, (multiplier, key) in enumerate(_PERMUTATIONS):
        np.bitwise_xor(shingles, np.uint64(key), out=permuted)
        np.multiply(permuted, np.uint64(multiplier), out=permuted)
        np.right_shift(permuted, np.uint64(32), out=permuted)
        out[:, i] = np.minimum.reduceat(permuted, starts)
    return out


def _bands(minimums: np.ndarray) -> list[np.ndarray]:
    """Each band's ROWS_PER_BAND minimums folded into one 32-bit number."""
    bands = []
    for band in range(BANDS):
        folded = minimums[:, band * ROWS_PER_BAND].copy()
        for j in range(1, ROWS_PER_BAND):
            folded = folded * np.uint64(_FOLD) + minimums[:, band * ROWS_PER_BAND + j]
        bands.append(((folded ^ (folded >> np.uint64(29))) * np.uint64(_FINAL)) >> np.uint64(32))
    return bands


def band_hashes(words: pl.Series) -> pl.Series:
    """LSH band hashes of each row's words.

    Each distinct word sequence is sketched once (a copy-paste template sent 500 times costs one).

    Args:
        words: a `List(String)` series, the words of each row's text in order (null or empty: no text).

    Returns:
        A `List(String)` series of BANDS values per row, null for rows without words.
    """
    words = words.cast(pl.List(pl.String)).list.drop_nulls()
    rows = pl.DataFrame({"key": words.list.join("\x1f"), "words": words}).with_columns(
        key=pl.when(pl.col("words").list.len() > 0).then("key")
    )
    distinct = rows.filter(pl.col("key").is_not_null()).unique(
        subset="key", keep="first", maintain_order=True
    )
    if not len(distinct):
        return pl.Series("template_bands", [None] * len(words), dtype=pl.List(pl.String))
    bands = _bands(_minhashes(*_shingles(distinct["words"])))
    sketched = distinct.select("key").with_columns(
        template_bands=pl.concat_list(
            pl.format(f"{band}:{{}}", pl.lit(pl.Series(values))) for band, values in enumerate(bands)
        )
    )
    joined = rows.select("key").join(sketched, on="key", how="left", maintain_order="left")
    return joined["template_bands"].alias("template_bands")
