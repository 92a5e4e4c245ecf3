"""Deterministic synthetic oncology data for the PFS benchmark: adsl and adrs, CSV and Parquet.

    python benchmarks/generate.py --sizes 1000,10000,100000,1000000 [--variant shuffled]

writes benchmarks/data/<size>/parquet/{adsl,adrs}.parquet and .../csv/{adsl,adrs}.csv
(benchmarks/data/ is not committed). The same size always gives the same data. A
--variant other than `sorted` (the default, unchanged) goes to benchmarks/data/<size>-<variant>/
and changes the sorted data after they are made (VARIANTS below says how).

Subjects (adsl): USUBJID, RANDDT (two years of accrual), DTHDT (about 25% dead, after
their last visit), LSTALVDT. Assessments (adrs, PARAMCD "OVR"): an overall response
(CR/PR/SD/NE, PD at progression) every 6 weeks +/- 7 days from randomisation, 6 to 20
planned visits; about 55% of subjects progress (no visit after PD); about 5% have no
visit; ASEQ numbers each subject's records. About 9 records per subject.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
EPOCH = dt.date(1970, 1, 1)
FIRST_RAND = (dt.date(2019, 1, 1) - EPOCH).days
RESPONSES = np.array(["CR", "PR", "SD", "NE"])
RESPONSE_P = [0.10, 0.25, 0.50, 0.15]


# What each variant changes; the default `sorted` data stay exactly as they were.
VARIANTS = {
    "sorted": "the data as generated: rows sorted by subject, then date",
    "shuffled": "the same rows in a random order (adsl and adrs): no sortedness to exploit",
    "ties": "same-date records: ~10% of later assessments on the previous one's date (ASEQ still "
    "distinct), ~20% of deaths of progressors on the PD date, ~3% of subjects' first assessment "
    "on the randomisation date and ~2% three days before it",
    "findings": "data that need checks: ADT as text with ~1% partial ('2021-03') and ~0.5% "
    "impossible ('2021-02-30') dates, ~1% of subjects twice in adsl, ~1% without RANDDT, "
    "~0.2% of assessment rows of subjects not in adsl",
}


def folder(size: int, fmt: str, variant: str = "sorted") -> Path:
    return base(size, variant) / fmt


def base(size: int, variant: str = "sorted") -> Path:
    return DATA / (str(size) if variant == "sorted" else f"{size}-{variant}")


def generate(size: int, seed: int = 20240601) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng([seed, size])
    ids = pa.array([f"SUBJ-{i:07d}" for i in range(1, size + 1)])
    rand = FIRST_RAND + rng.integers(0, 730, size)
    planned = rng.integers(6, 21, size)
    no_visit = rng.random(size) < 0.05
    progresses = (rng.random(size) < 0.55 / 0.95) & ~no_visit
    pd_visit = (rng.random(size) * planned).astype(np.int64) + 1
    visits = np.where(no_visit, 0, np.where(progresses, pd_visit, planned))

    total = int(visits.sum())
    subject = np.repeat(np.arange(size), visits)
    starts = np.cumsum(visits) - visits
    number = np.arange(total) - np.repeat(starts, visits) + 1  # 1..visits per subject
    adt = rand[subject] + 42 * number + rng.integers(-7, 8, total)
    avalc = RESPONSES[rng.choice(4, size=total, p=RESPONSE_P)]
    last = number == visits[subject]
    avalc = np.where(last & progresses[subject], "PD", avalc)

    last_visit = np.where(visits > 0, rand + 42 * visits + 7, rand)
    dead = rng.random(size) < 0.25
    death = last_visit + rng.integers(1, 365, size)
    alive = np.where(dead, death, last_visit + rng.integers(0, 90, size))

    def dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        return pa.array(days.astype(np.int32), pa.int32(), mask=mask).cast(pa.date32())

    adsl = pa.table(
        {"USUBJID": ids, "RANDDT": dates(rand), "DTHDT": dates(death, ~dead), "LSTALVDT": dates(alive)}
    )
    adrs = pa.table(
        {
            "USUBJID": ids.take(pa.array(subject)),
            "PARAMCD": pa.array(np.full(total, "OVR")),
            "ADT": dates(adt),
            "AVALC": pa.array(avalc),
            "ASEQ": pa.array(number.astype(np.int64)),
        }
    )
    return adsl, adrs


def vary(adsl: pa.Table, adrs: pa.Table, variant: str, size: int, seed: int = 20240601):
    """The sorted data changed as VARIANTS says, deterministically."""
    if variant == "sorted":
        return adsl, adrs
    rng = np.random.default_rng([seed, size, sorted(VARIANTS).index(variant)])
    if variant == "shuffled":
        return adsl.take(rng.permutation(adsl.num_rows)), adrs.take(rng.permutation(adrs.num_rows))
    days = lambda column: column.cast(pa.int32()).to_numpy(zero_copy_only=False)  # noqa: E731
    if variant == "ties":  # the sorted data: each row's subject is its adsl row
        subject = np.searchsorted(
            adsl["USUBJID"].to_numpy(zero_copy_only=False), adrs["USUBJID"].to_numpy(zero_copy_only=False)
        )
        adt, seq = days(adrs["ADT"]).copy(), adrs["ASEQ"].to_numpy()
        rand = days(adsl["RANDDT"])[subject]
        later = (seq > 1) & (rng.random(len(adt)) < 0.10)
        for i in np.flatnonzero(later):  # in order, so a run of ties keeps one date
            adt[i] = adt[i - 1]
        first = seq == 1
        adt = np.where(first & (rng.random(len(adt)) < 0.03), rand, adt)
        adt = np.where(first & (rng.random(len(adt)) < 0.02), rand - 3, adt)
        pd_date = np.full(adsl.num_rows, -1)
        is_pd = adrs["AVALC"].to_numpy(zero_copy_only=False) == "PD"
        pd_date[subject[is_pd]] = adt[is_pd]
        death = adsl["DTHDT"]
        same = (
            (pd_date >= 0)
            & death.is_valid().to_numpy(zero_copy_only=False)
            & (rng.random(len(pd_date)) < 0.2)
        )
        dthdt = np.where(same, pd_date, days(death.fill_null(0)))
        adsl = adsl.set_column(2, "DTHDT", _dates(dthdt, ~death.is_valid().to_numpy(zero_copy_only=False)))
        return adsl, adrs.set_column(2, "ADT", _dates(adt))

    # findings: each kind at least once, however small the data
    def some(n: int, share: float) -> np.ndarray:
        return rng.choice(n, max(1, round(n * share)), replace=False)

    text = adrs["ADT"].cast(pa.string()).to_numpy(zero_copy_only=False).astype(object)
    partial, impossible = np.split(some(len(text), 0.015), [max(1, round(len(text) * 0.01))])
    text[partial] = [t[:7] for t in text[partial]]
    text[impossible] = [t[:4] + "-02-30" for t in text[impossible]]
    ids = adrs["USUBJID"].to_numpy(zero_copy_only=False).astype(object)
    ids[some(len(ids), 0.002)] = [f"ORPHAN-{i:07d}" for i in range(max(1, round(len(ids) * 0.002)))]
    adrs = adrs.set_column(0, "USUBJID", pa.array(ids, pa.string()))
    adrs = adrs.set_column(2, "ADT", pa.array(text, pa.string()))
    no_rand = np.zeros(adsl.num_rows, bool)
    no_rand[some(adsl.num_rows, 0.01)] = True
    rand = adsl["RANDDT"].cast(pa.int32()).to_numpy(zero_copy_only=False)
    adsl = adsl.set_column(1, "RANDDT", _dates(rand, no_rand))
    both = pa.concat_tables([adsl, adsl.take(np.sort(some(adsl.num_rows, 0.01)))])
    return both.take(np.argsort(both["USUBJID"].to_numpy(zero_copy_only=False), kind="stable")), adrs


def _dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32(), mask=mask).cast(pa.date32())


def ensure(size: int, variant: str = "sorted") -> Path:
    """The data of one size and variant (generated once); returns its folder."""
    parquet, csv = folder(size, "parquet", variant), folder(size, "csv", variant)
    if (parquet / "adrs.parquet").exists() and (csv / "adrs.csv").exists():
        return base(size, variant)
    adsl, adrs = vary(*generate(size), variant, size)
    for target in (parquet, csv):
        target.mkdir(parents=True, exist_ok=True)
    for name, table in (("adsl", adsl), ("adrs", adrs)):
        pq.write_table(table, parquet / f"{name}.parquet")
        pacsv.write_csv(table, csv / f"{name}.csv")
    return base(size, variant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="sorted")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        path = ensure(size, args.variant)
        rows = pq.ParquetFile(path / "parquet" / "adrs.parquet").metadata.num_rows
        print(f"{size} subjects, {rows} assessment rows: {path}")


if __name__ == "__main__":
    main()
