"""Summary tables: the Clopper-Pearson interval against an exact oracle, counting, formatting.

The oracle here inverts the binomial tails by bisection with math.comb, so it shares
nothing with the beta quantiles that `clopper_pearson` uses.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from endpointdsl.data.summary import SUMMARY_COLUMNS, SummarySpec, clopper_pearson, format_summary, summarise

# --- an independent oracle --------------------------------------------------------------------


def upper_tail(n: int, N: int, p: float) -> float:
    """P(X >= n) for X ~ Binomial(N, p), summed directly (no 1 - cdf cancellation)."""
    return math.fsum(math.comb(N, i) * p**i * (1 - p) ** (N - i) for i in range(n, N + 1))


def lower_tail(n: int, N: int, p: float) -> float:
    """P(X <= n) for X ~ Binomial(N, p)."""
    return math.fsum(math.comb(N, i) * p**i * (1 - p) ** (N - i) for i in range(n + 1))


def bisect(increasing, target: float) -> float:
    """The p in [0, 1] where an increasing function of p reaches target."""
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if increasing(mid) < target else (lo, mid)
    return (lo + hi) / 2


def oracle(n: int, N: int, level: float = 0.95) -> tuple[float, float]:
    tail = (1 - level) / 2
    lower = 0.0 if n == 0 else bisect(lambda p: upper_tail(n, N, p), tail)
    upper = 1.0 if n == N else bisect(lambda p: -lower_tail(n, N, p), -tail)
    return lower, upper


# --- clopper_pearson ---------------------------------------------------------------------------

# R binom.test(n, N, conf.level = level)$conf.int, SAS PROC FREQ exact binomial limits; 6 significant digits.
REFERENCE = [
    # n, N, level, lower, upper
    (0, 10, 0.95, 0.0, 0.308497),
    (10, 10, 0.95, 0.691503, 1.0),
    (5, 10, 0.95, 0.187086, 0.812914),
    (1, 20, 0.95, 0.00126509, 0.248733),
    (7, 25, 0.95, 0.120717, 0.493877),
    (3, 10, 0.95, 0.0667395, 0.652453),
    (50, 100, 0.95, 0.398321, 0.601679),
    (3, 10, 0.90, 0.0872644, 0.606624),
    (2, 5, 0.99, 0.0228812, 0.917171),
    (1, 1, 0.95, 0.025, 1.0),
    (0, 1, 0.95, 0.0, 0.975),
]


def close(expected: float):
    return pytest.approx(expected, rel=1e-5, abs=1e-12)


@pytest.mark.parametrize(("n", "N", "level", "lower", "upper"), REFERENCE)
def test_reference_values(n, N, level, lower, upper):
    assert oracle(n, N, level) == (close(lower), close(upper))  # the table itself is right
    assert clopper_pearson(n, N, level) == (close(lower), close(upper))


def test_no_denominator_gives_nan():
    lower, upper = clopper_pearson(0, 0)
    assert math.isnan(lower) and math.isnan(upper)


def test_numpy_counts_are_accepted():
    assert clopper_pearson(np.int64(3), np.int64(10)) == clopper_pearson(3, 10)


@pytest.mark.parametrize(
    ("n", "N", "level", "message"),
    [
        (-1, 10, 0.95, "0 <= n <= N"),
        (11, 10, 0.95, "0 <= n <= N"),
        (1, 0, 0.95, "0 <= n <= N"),
        (3, 10, 0.0, "between 0 and 1"),
        (3, 10, 1.0, "between 0 and 1"),
        (3, 10, 95, "between 0 and 1"),
        (3, 10, math.nan, "between 0 and 1"),
        (0, 0, 1.5, "between 0 and 1"),  # checked even when there is nothing to estimate
    ],
)
def test_invalid_arguments(n, N, level, message):
    with pytest.raises(ValueError, match=message):
        clopper_pearson(n, N, level)


def test_fractional_counts_are_refused():
    with pytest.raises(TypeError):
        clopper_pearson(2.5, 10)


@st.composite
def counts(draw):
    N = draw(st.integers(1, 200))
    return draw(st.integers(0, N)), N


@given(counts(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_interval_properties(nN, level):
    n, N = nN
    lower, upper = clopper_pearson(n, N, level)
    assert 0 <= lower <= n / N <= upper <= 1
    tail = (1 - level) / 2
    # The defining equations: each bound puts exactly `tail` probability beyond n.
    if n > 0:
        assert upper_tail(n, N, lower) == pytest.approx(tail, abs=1e-7)
    if n < N:
        assert lower_tail(n, N, upper) == pytest.approx(tail, abs=1e-7)
        next_lower, next_upper = clopper_pearson(n + 1, N, level)
        assert lower <= next_lower and upper <= next_upper


def test_scipy_is_imported_only_when_needed():
    # The CLI imports this module; scipy would add a noticeable start-up delay.
    code = "import sys, endpointdsl.data.summary; assert 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- SummarySpec -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(kind="binary"), "kind must be one of flag, category"),
        (dict(kind="flag", categories=("Y", "N")), "takes no categories"),
        (dict(kind="category", categories="CR"), "sequence of strings"),
        (dict(kind="category", categories=("CR", "PR", "CR")), "more than once: CR"),
    ],
)
def test_invalid_specs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SummarySpec("BOR", "Best overall response", **kwargs)


def test_spec_is_frozen_and_keeps_categories_as_a_tuple():
    spec = SummarySpec("BOR", "Best overall response", "category", ["CR", "PR"])
    assert spec.categories == ("CR", "PR")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.kind = "flag"


# --- summarise ---------------------------------------------------------------------------------

ORR = SummarySpec("ORR", "Objective response (CR/PR)", "flag")
BOR_CATEGORIES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")
BOR = SummarySpec("BOR", "Best overall response", "category", BOR_CATEGORIES)
DCR = SummarySpec("DCR", "Disease control (CR/PR/SD)", "flag")


def records(**values: str) -> pd.DataFrame:
    """One row per subject S01, S02, ... and parameter: records(ORR="YYN") or a list of values."""
    rows = [
        (f"S{i:02d}", paramcd, value)
        for paramcd, column in values.items()
        for i, value in enumerate(column, start=1)
    ]
    return pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVALC"])


def excluded(*pairs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(s, p, "excluded", "no baseline") for s, p in pairs],
        columns=["USUBJID", "PARAMCD", "STATUS", "MESSAGE"],
    )


BOR_VALUES = ["CR", "PR", "PR", "SD", "SD", "SD", "PD", "NE", "MISSING", "PD"]
DATA = records(ORR="YYYNNNNNNN", BOR=BOR_VALUES, OTHER="NNNNNNNNNN")
EXCLUDED = excluded(("S11", "ORR"), ("S12", "ORR"), ("S12", "ORR"), ("S11", "BOR"), ("S13", "OTHER"))


def row(table: pd.DataFrame, paramcd: str, category: str) -> dict:
    match = table[(table.PARAMCD == paramcd) & (table.CATEGORY == category)]
    assert len(match) == 1
    return match.iloc[0].to_dict()


def test_columns_and_types():
    table = summarise(DATA, [ORR, BOR], EXCLUDED)
    assert list(table.columns) == SUMMARY_COLUMNS
    assert {c: table[c].dtype.kind for c in ["n", "N", "EXCLUDED", "RATE", "LOWER", "UPPER"]} == {
        "n": "i", "N": "i", "EXCLUDED": "i", "RATE": "f", "LOWER": "f", "UPPER": "f",
    }  # fmt: skip


def test_flag_counts_y():
    table = summarise(DATA, [ORR])
    assert table.to_dict("records") == [
        {
            "PARAMCD": "ORR", "PARAM": "Objective response (CR/PR)", "CATEGORY": "Y", "n": 3, "N": 10,
            "RATE": 0.3, "LOWER": close(0.0667395), "UPPER": close(0.652453), "EXCLUDED": 0,
        }
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("category", "n"),
    [("CR", 1), ("PR", 2), ("SD", 3), ("NON-CR/NON-PD", 0), ("PD", 2), ("NE", 1), ("MISSING", 1)],
)
def test_category_counts_including_zero(category, n):
    got = row(summarise(DATA, [BOR]), "BOR", category)
    assert (got["n"], got["N"], got["RATE"]) == (n, 10, n / 10)
    assert (got["LOWER"], got["UPPER"]) == clopper_pearson(n, 10)


def test_categories_in_spec_order_and_summing_to_n():
    table = summarise(DATA, [BOR])
    assert list(table.CATEGORY) == list(BOR_CATEGORIES)
    assert table.n.sum() == 10


def test_unlisted_values_are_appended_sorted():
    data = records(BOR=["CR", "ZZ", "PR", "AA", "ZZ"])
    table = summarise(data, [SummarySpec("BOR", "Best overall response", "category", ("PR", "CR"))])
    assert list(zip(table.CATEGORY, table.n, strict=True)) == [("PR", 1), ("CR", 1), ("AA", 1), ("ZZ", 2)]
    assert set(table.N) == {5}


def test_category_spec_without_categories_lists_what_is_there():
    table = summarise(records(BOR=["SD", "CR", "SD"]), [SummarySpec("BOR", "BOR", "category")])
    assert list(zip(table.CATEGORY, table.n, strict=True)) == [("CR", 1), ("SD", 2)]


def test_excluded_counts_distinct_subjects_per_parameter():
    table = summarise(DATA, [ORR, BOR], EXCLUDED)
    assert row(table, "ORR", "Y")["EXCLUDED"] == 2  # S12 twice (two reasons) counts once
    assert set(table[table.PARAMCD == "BOR"].EXCLUDED) == {1}
    assert set(table.N) == {10}  # exclusions are not part of the denominator


def test_excluded_subject_with_a_record_is_refused():
    with pytest.raises(ValueError, match=r"both excluded .* counted.*S01/ORR"):
        summarise(DATA, [ORR], excluded(("S01", "ORR")))


def test_spec_order_is_kept():
    table = summarise(DATA, [BOR, ORR])
    assert list(table.PARAMCD.drop_duplicates()) == ["BOR", "ORR"]


@pytest.mark.parametrize("seed", range(5))
def test_input_row_order_does_not_matter(seed):
    expected = summarise(DATA, [ORR, BOR, DCR], EXCLUDED)
    shuffled = DATA.sample(frac=1, random_state=seed).reset_index(drop=True)
    shuffled_excluded = EXCLUDED.sample(frac=1, random_state=seed)
    pd.testing.assert_frame_equal(summarise(shuffled, [ORR, BOR, DCR], shuffled_excluded), expected)


def test_unlisted_values_do_not_depend_on_row_order():
    unlisted = ["ZZ", "AA", "MM", "QQ", "BB", "XX", "CC", "PP"]
    data = records(BOR=[*unlisted, "CR"])
    spec = SummarySpec("BOR", "BOR", "category", ("CR",))
    first = summarise(data, [spec])
    pd.testing.assert_frame_equal(summarise(data.iloc[::-1], [spec]), first)
    assert list(first.CATEGORY) == ["CR", *sorted(unlisted)]


def test_duplicate_subject_and_parameter_is_refused():
    data = pd.concat([DATA, DATA.iloc[[0]]])
    with pytest.raises(ValueError, match=r"duplicated .*S01/ORR"):
        summarise(data, [ORR])


@pytest.mark.parametrize("spec", [DCR, BOR], ids=["flag", "category"])
def test_parameter_without_records(spec):
    table = summarise(DATA[DATA.PARAMCD == "OTHER"], [spec], excluded(("S01", spec.paramcd)))
    assert len(table) == (1 if spec.kind == "flag" else len(BOR_CATEGORIES))
    assert set(table.n) == {0} and set(table.N) == {0} and set(table.EXCLUDED) == {1}
    assert table[["RATE", "LOWER", "UPPER"]].isna().all().all()


def test_level_is_used():
    assert row(summarise(DATA, [ORR], level=0.90), "ORR", "Y")["LOWER"] == close(0.0872644)


def test_sas_padding_is_stripped():
    table = summarise(records(ORR=["Y ", " N", "Y"]), [ORR])
    assert (table.n[0], table.N[0]) == (2, 3)


@pytest.mark.parametrize(
    ("data", "specs", "message"),
    [
        (records(ORR=["Y", "y", "1"]), [ORR], r"ORR is a Y/N flag but AVALC has '1', 'y'"),
        (records(ORR=["Y", None]), [ORR], "missing USUBJID or AVALC.*S02"),
        (records(BOR=["CR", "  "]), [BOR], "missing USUBJID or AVALC.*S02"),
        (DATA.drop(columns="AVALC"), [ORR], "records has no column AVALC"),
        (DATA, [ORR, ORR], "more than one spec for ORR"),
    ],
)
def test_unusable_data_is_refused(data, specs, message):
    with pytest.raises(ValueError, match=message):
        summarise(data, specs)


def test_unusable_level_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        summarise(DATA, [ORR], level=95)


# --- format_summary ----------------------------------------------------------------------------


def line_for(text: str, paramcd: str, category: str) -> str:
    """The one line of a parameter and category, whitespace collapsed."""
    found = [" ".join(w) for w in map(str.split, text.splitlines()) if w[:1] == [paramcd] and category in w]
    assert len(found) == 1, found
    return found[0]


def test_format_rows_and_header():
    text = format_summary(summarise(DATA, [ORR, BOR, DCR], EXCLUDED))
    lines = text.splitlines()
    assert lines[0].split() == [
        "PARAMCD",
        "PARAM",
        "CATEGORY",
        "n",
        "N",
        "RATE",
        "95%",
        "CI",
        "(Clopper-Pearson)",
    ]
    assert line_for(text, "ORR", "Y") == "ORR Objective response (CR/PR) Y 3 10 30.0% 6.7% - 65.2%"
    assert (
        line_for(text, "BOR", "NON-CR/NON-PD")
        == "BOR Best overall response NON-CR/NON-PD 0 10 0.0% 0.0% - 30.8%"
    )
    assert line_for(text, "BOR", "SD") == "BOR Best overall response SD 3 10 30.0% 6.7% - 65.2%"
    assert line_for(text, "DCR", "Y") == "DCR Disease control (CR/PR/SD) Y 0 0 - -"  # N = 0: no rate, no CI
    assert text.isascii()


def test_format_footnotes_name_exclusions():
    text = format_summary(summarise(DATA, [ORR, BOR, DCR], EXCLUDED))
    assert "ORR: 2 subjects excluded from N (see the report)" in text
    assert "BOR: 1 subject excluded from N (see the report)" in text  # once, not once per category
    assert text.count("BOR:") == 1
    assert "DCR:" not in text


def test_format_without_exclusions_has_no_footnote():
    assert "excluded" not in format_summary(summarise(DATA, [ORR, BOR]))


def test_format_columns_line_up():
    lines = format_summary(summarise(DATA, [ORR, BOR])).splitlines()
    # Rates are right-aligned: every "%" of the RATE column ends at the header's "RATE".
    end = lines[0].index("RATE") + len("RATE")
    assert all(re.match(r"\s*\d+\.\d%", line[end - 6 : end]) for line in lines[1:])


@pytest.mark.parametrize(("level", "label"), [(0.90, "90% CI"), (0.975, "97.5% CI")])
def test_format_labels_the_level(level, label):
    text = format_summary(summarise(DATA, [ORR], level=level), level=level)
    assert label in text.splitlines()[0]


def test_format_extremes():
    text = format_summary(summarise(records(ORR="YYYY"), [ORR]))
    assert "100.0% 39.8% - 100.0%" in " ".join(text.split())
