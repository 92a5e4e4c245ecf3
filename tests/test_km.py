"""km (issue 15): the Kaplan-Meier summary against published reference values, an
independent plain-numpy oracle (KM, Greenwood, Brookmeyer-Crowley), lifelines'
Aalen-Johansen, and the `summary` and `run` commands.

Reference values: R survival on its `lung` data set (NCCTG advanced lung cancer, 228
patients; lifelines ships the same data as lifelines.datasets.load_lung, status recoded
1 = death, 0 = censored). `print(survfit(Surv(time, status) ~ 1, lung))` gives n 228,
events 165, median 310, 0.95LCL 285, 0.95UCL 363 with R's default conf.type "log", the
values usually quoted for this data set. Every value below, those included, was printed
by R 4.2.2 with survival 3.5-3 (Debian's r-base-core and r-cran-survival) for conf.type
"log", "log-log" (SAS PROC LIFETEST's default; R gives 310 (284, 361)) and "plain":
`print(fit)`, `quantile(fit, c(.25, .5, .75))` and `summary(fit, times = c(180, 365, 730))`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from endpointdsl.api import km_summary
from endpointdsl.cli import main
from endpointdsl.data import km

# The km extra (lifelines, matplotlib) caps pandas below 3, so the `test` extra leaves it out
# and .ci/run's km job installs it; tests/test_km_optional.py covers a run without it.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("lifelines") is None,
    reason="the km extra is not installed (.ci/run's km job runs these)",
)

# (conf.type) -> {statistic: (estimate, lower, upper)}, as R prints them
R_LUNG = {
    "log": {"Q1": (170, 145, 197), "MEDIAN": (310, 285, 363), "Q3": (550, 460, 654),
            180: (0.722, 0.6655, 0.783), 365: (0.409, 0.3447, 0.486), 730: (0.116, 0.0716, 0.187)},
    "log-log": {"Q1": (170, 144, 194), "MEDIAN": (310, 284, 361), "Q3": (550, 457, 643),
                180: (0.722, 0.6583, 0.775), 365: (0.409, 0.3387, 0.478), 730: (0.116, 0.0676, 0.178)},
    "plain": {"Q1": (170, 145, 197), "MEDIAN": (310, 284, 361), "Q3": (550, 457, 643),
              180: (0.722, 0.6632, 0.780), 365: (0.409, 0.3390, 0.479), 730: (0.116, 0.0602, 0.171)},
}  # fmt: skip
R_LUNG_AT_RISK = {180: 160, 365: 65, 730: 13}
# survfit(Surv(time, status) ~ sex, lung, conf.type = "log-log"): n, events, median (LCL, UCL)
R_LUNG_BY_SEX = {"1": (138, 112, (270, 210, 306)), "2": (90, 53, (426, 345, 524))}


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    from lifelines.datasets import load_lung

    data = load_lung()
    return pd.DataFrame({
        "USUBJID": [f"L{i:03d}" for i in range(len(data))],
        "PARAMCD": "OS", "PARAM": "Overall Survival", "AVAL": data.time.astype(float), "AVALU": "DAYS",
        "CNSR": 1 - data.status, "EVNTDESC": np.where(data.status == 1, "Death", ""),
        "CNSDTDSC": np.where(data.status == 1, "", "Alive"), "SEX": data.sex.astype(str),
    })  # fmt: skip


def _stat(table: pd.DataFrame, stat: str, time: float | None = None) -> tuple[float, float, float]:
    rows = table[(table.STAT == stat) & ((table.TIME == time) if time is not None else True)]
    assert len(rows) == 1, rows
    r = rows.iloc[0]
    return r.ESTIMATE, r.LOWER, r.UPPER


@pytest.mark.parametrize("conf_type", sorted(R_LUNG))
def test_lung_matches_r_survival(lung, conf_type):
    table = km_summary(lung, at=[180, 365, 730], conf_type=conf_type)
    counts = dict(zip(table.STAT, table.COUNT, strict=False))
    assert (counts["SUBJECTS"], counts["EVENTS"], counts["CENSORED"]) == (228, 165, 63)
    for stat, expected in R_LUNG[conf_type].items():
        if isinstance(stat, str):  # times: R prints whole days
            assert _stat(table, stat) == expected, stat
        else:
            got = _stat(table, "SURVIVAL", stat)  # R prints 3 or 4 decimals
            assert got == pytest.approx(expected, abs=5e-4), (stat, got, expected)
            row = table[(table.STAT == "SURVIVAL") & (table.TIME == stat)].iloc[0]
            assert row.COUNT == R_LUNG_AT_RISK[stat]


def test_lung_by_sex_matches_r_survival(lung):
    table = km_summary(lung, by="SEX")
    for sex, (n, events, median) in R_LUNG_BY_SEX.items():
        part = table[table.SEX == sex]
        counts = dict(zip(part.STAT, part.COUNT, strict=False))
        assert (counts["SUBJECTS"], counts["EVENTS"]) == (n, events)
        assert _stat(part, "MEDIAN") == median


# R 4.2.2, survival 3.5-3: survfit(Surv(time, status) ~ 1, conf.type = ...) on times 10..50 with
# the one at 20 censored and the last an event (S falls to 0, where R's limits are NA):
# quantile(fit, c(.25, .5, .75)) and summary(fit) at 40 and 50. NaN: R's NA.
NAN = math.nan
R_EDGE = {
    "log": {"Q1": (30, 10, NAN), "MEDIAN": (40, 30, NAN), "Q3": (50, 30, NAN),
            40: (0.267, 0.0507, 1.0), 50: (0.0, NAN, NAN)},
    "log-log": {"Q1": (30, 10, 40), "MEDIAN": (40, 10, NAN), "Q3": (50, 10, NAN),
                40: (0.267, 0.00968, 0.686), 50: (0.0, NAN, NAN)},
    "plain": {"Q1": (30, 10, 40), "MEDIAN": (40, 10, NAN), "Q3": (50, 30, NAN),
              40: (0.267, 0.0, 0.709), 50: (0.0, NAN, NAN)},
}  # fmt: skip


@pytest.mark.parametrize("conf_type", sorted(R_EDGE))
def test_a_curve_that_falls_to_zero_matches_r_survival(conf_type):
    adtte = pd.DataFrame({"USUBJID": list("abcde"), "PARAMCD": "X", "PARAM": "x",
                          "AVAL": [10.0, 20, 30, 40, 50], "CNSR": [0, 1, 0, 0, 0]})  # fmt: skip
    table = km_summary(adtte, at=[40, 50], conf_type=conf_type)
    for stat, expected in R_EDGE[conf_type].items():
        got = _stat(table, stat) if isinstance(stat, str) else _stat(table, "SURVIVAL", stat)
        np.testing.assert_allclose(got, expected, atol=5e-4, equal_nan=True, err_msg=str(stat))


def test_log_log_bands_are_lifelines_own(lung):
    """lifelines' confidence_interval_ is the log-log ("exponential Greenwood") band."""
    from lifelines import KaplanMeierFitter

    time, event = lung.AVAL.to_numpy(), (lung.CNSR == 0).to_numpy()
    curve = km.fit_curve(time, event)
    lower, upper = km.survival_limits(curve.surv, curve.greenwood, "log-log", km._z(0.95))
    kmf = KaplanMeierFitter().fit(time, event)
    theirs = kmf.confidence_interval_.reindex(curve.times)
    np.testing.assert_allclose(lower[:-1], theirs.iloc[:-1, 0], rtol=1e-9)
    np.testing.assert_allclose(upper[:-1], theirs.iloc[:-1, 1], rtol=1e-9)


# ---- an independent oracle: plain numpy, from the textbook formulas ----------------------------


def oracle(time: np.ndarray, event: np.ndarray, target: float, z: float = 1.959963984540054):
    """KM at the distinct event times, Greenwood, log-log limits, and the time where each
    curve first reaches `target` or below (mid-way to the next drop when exactly at it)."""
    times = np.unique(time[event])
    s, acc, surv, lo, hi = 1.0, 0.0, [], [], []
    for t in times:
        n = np.sum(time >= t)
        d = np.sum((time == t) & event)
        s *= 1 - d / n
        acc = acc + d / (n * (n - d)) if n > d else math.inf
        surv.append(s)
        if s in (0.0, 1.0) or math.isinf(acc):
            lo.append(math.nan if s == 0 else 1.0)
            hi.append(math.nan if s == 0 else 1.0)
        else:
            c = z * math.sqrt(acc) / abs(math.log(s))
            lo.append(s ** math.exp(c))
            hi.append(s ** math.exp(-c))

    def first(curve):
        for i, v in enumerate(curve):
            if not math.isnan(v) and v <= target + 1e-8:
                if abs(v - target) < 1e-8:
                    nxt = [
                        j
                        for j in range(i + 1, len(curve))
                        if not math.isnan(curve[j]) and curve[j] < v - 1e-8
                    ]
                    if nxt:
                        return (times[i] + times[nxt[0]]) / 2
                return float(times[i])
        return math.nan

    return first(surv), first(lo), first(hi)


subjects = st.lists(
    st.tuples(st.integers(1, 40), st.booleans()), min_size=1, max_size=30
)  # (AVAL, event): small whole days, so that ties are common


@settings(max_examples=40)
@given(subjects)
def test_quartiles_agree_with_a_plain_numpy_oracle(data):
    time = np.array([t for t, _ in data], dtype=float)
    event = np.array([e for _, e in data])
    adtte = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(len(data))], "PARAMCD": "X", "PARAM": "x",
                          "AVAL": time, "CNSR": np.where(event, 0, 1)})  # fmt: skip
    table = km_summary(adtte)
    for stat, p in km.QUARTILES:
        got = _stat(table, stat)
        np.testing.assert_allclose(got, oracle(time, event, 1 - p), equal_nan=True)


def test_cumulative_incidence_agrees_with_lifelines_aalen_johansen():
    """Without tied times of different causes (where lifelines would jitter at random),
    the estimate and its log-log delta-method interval are lifelines' own."""
    from lifelines import AalenJohansenFitter

    rng = np.random.default_rng(7)
    time = rng.permutation(np.arange(1, 61)).astype(float)
    cause = rng.choice([0, 1, 2], size=60, p=[0.3, 0.45, 0.25])  # 0 censored, 1 interest, 2 competing
    aj = AalenJohansenFitter(calculate_variance=True).fit(time, cause, event_of_interest=1)
    adtte = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(60)], "PARAMCD": "CIR", "PARAM": "c",
                          "AVAL": time, "CNSR": np.select([cause == 1, cause == 2], [0, 2], 1)})  # fmt: skip
    at = [10, 25, 40]
    table = km_summary(adtte, at=at, competing={"CIR": [2]})
    for t in at:
        est, lo, hi = _stat(table, "CIF", t)
        assert est == pytest.approx(float(aj.cumulative_density_.loc[:t].iloc[-1, 0]), rel=1e-9)
        ci = aj.confidence_interval_.loc[:t].iloc[-1]
        assert (lo, hi) == pytest.approx((min(ci), max(ci)), rel=1e-9)
    counts = dict(zip(table.STAT, table.COUNT, strict=False))
    assert counts["COMPETING"] == (cause == 2).sum() and counts["EVENTS"] == (cause == 1).sum()


def test_unit_table_is_the_models():
    from endpointdsl.check.model import AVALU, TIME_UNIT_SECONDS, UNIT_DAYS

    for unit, days in UNIT_DAYS.items():
        assert km.AVALU_DAYS[AVALU[unit]] == days
    for unit, seconds in TIME_UNIT_SECONDS.items():
        assert km.AVALU_DAYS[AVALU[unit]] == pytest.approx(seconds / 86400)


def test_times_in_another_unit_and_beyond_the_last_observation(lung):
    table = km_summary(lung, at=[12, 40], unit="months")
    twelve = table[(table.STAT == "SURVIVAL") & (table.TIME == 12)].iloc[0]
    assert twelve.TIMEU == "MONTHS" and twelve.COUNT == int((lung.AVAL >= 12 * 30.4375).sum())
    assert math.isnan(_stat(table, "SURVIVAL", 40)[0])  # after the last follow-up: not estimable


# ---- the commands -----------------------------------------------------------------------------


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_summary_command_by_group_from_adsl_with_plots_and_table(lung, tmp_path):
    adtte = tmp_path / "adtte.csv"
    lung.drop(columns="SEX").to_csv(adtte, index=False)
    lung[["USUBJID", "SEX"]].to_csv(tmp_path / "adsl.csv", index=False)
    argv = ["summary", str(adtte), "--by", "SEX", "--adsl", str(tmp_path / "adsl.csv"), "--at", "12",
            "--unit", "months", "--out", str(tmp_path / "km.xpt"), "--plot", str(tmp_path / "km.svg")]  # fmt: skip
    code, out, err = _cli(argv)
    assert code == 0, err
    assert "OS Overall Survival, SEX = 1: N 138, events 112, censored 26" in out
    assert "MEDIAN       270  (210, 306)" in out
    svg = (tmp_path / "km.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "Number at risk" in svg
    written = pd.read_sas(tmp_path / "km.xpt", format="xport", encoding="utf-8")
    assert set(written.STAT) >= {"SUBJECTS", "MEDIAN", "SURVIVAL"}
    code, _, err = _cli([*argv[:-2], "--plot", str(tmp_path / "km.png")])
    assert code == 0 and (tmp_path / "km.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--at", "12,x"], "--at 12,x: give numbers"),
        (["--param", "PFS"], "no parameter PFS in the ADTTE"),
        (["--by", "TRT01P"], "the ADTTE has no column TRT01P"),
        (["--competing", "OS"], "--competing OS: give PARAMCD=CNSR"),
        (["--unit", "fortnights", "--at", "1"], "unknown unit 'fortnights'"),
        (["--plot", "km.pdf"], "the plot is written as .png or .svg"),
    ],
    ids=["at", "param", "by", "competing", "unit", "plot"],
)
def test_summary_command_refuses_bad_input_without_traceback(lung, tmp_path, extra, message):
    adtte = tmp_path / "adtte.csv"
    lung.to_csv(adtte, index=False)
    code, out, err = _cli(["summary", str(adtte), *extra])
    assert code == 2 and message in err and out == "", err


def test_summary_of_an_adtte_without_time_to_event_parameters(tmp_path):
    rows = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["ORR"], "AVAL": [1.0], "AVALC": ["Y"], "CNSR": [None]})
    rows.to_csv(tmp_path / "adtte.csv", index=False)
    code, out, err = _cli(["summary", str(tmp_path / "adtte.csv")])
    assert code == 2 and "no time-to-event parameter" in err and out == ""


def test_summary_without_lifelines_says_how_to_install(lung, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_lifelines(name, *args, **kwargs):
        if name.split(".")[0] == "lifelines":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_lifelines)
    monkeypatch.setattr("importlib.import_module", lambda name: no_lifelines(name))
    lung.to_csv(tmp_path / "adtte.csv", index=False)
    code, _, err = _cli(["summary", str(tmp_path / "adtte.csv")])
    assert code == 2 and 'pip install "endpointdsl[km]"' in err


def test_run_prints_and_writes_the_cumulative_incidence_of_competing_events(tmp_path):
    sap = EXAMPLES / "sap"
    out = tmp_path / "adtte.csv"
    code, printed, err = _cli(["run", str(sap / "cart_nrm_cir.ept"), "--data", str(sap / "data" / "cart_nrm_cir"),
                               "--out", str(out), "--at", "100", "--engine", "compiled"])  # fmt: skip
    assert code == 0, err
    assert "CIR Cumulative Incidence of Relapse (Days):" in printed and "CIF(t) at 100 days" in printed
    written = pd.read_csv(tmp_path / "adtte.km.csv")
    adtte = pd.read_csv(out)
    cir = adtte[adtte.PARAMCD == "CIR"]
    row = written[(written.PARAMCD == "CIR") & (written.STAT == "COMPETING")].iloc[0]
    assert row.COUNT == (cir.CNSR == 2).sum()
    # the same numbers as the summary command on the written file, told which codes compete
    again = km_summary(adtte, at=[100], competing={"CIR": [2], "NRM": [2]})
    np.testing.assert_allclose(
        written.ESTIMATE.to_numpy(dtype=float), again.ESTIMATE.to_numpy(dtype=float), equal_nan=True
    )
