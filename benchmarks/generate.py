"""Deterministic synthetic oncology data for the PFS benchmark: adsl and adrs, CSV and Parquet.

    python benchmarks/generate.py --sizes 1000,10000,100000,1000000

writes benchmarks/data/<size>/parquet/{adsl,adrs}.parquet and .../csv/{adsl,adrs}.csv
(benchmarks/data/ is not committed). The same size always gives the same data.

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


def folder(size: int, fmt: str) -> Path:
    return DATA / str(size) / fmt


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


def ensure(size: int) -> Path:
    """The data of one size (generated once); returns its folder."""
    parquet, csv = folder(size, "parquet"), folder(size, "csv")
    if (parquet / "adrs.parquet").exists() and (csv / "adrs.csv").exists():
        return DATA / str(size)
    adsl, adrs = generate(size)
    for target in (parquet, csv):
        target.mkdir(parents=True, exist_ok=True)
    for name, table in (("adsl", adsl), ("adrs", adrs)):
        pq.write_table(table, parquet / f"{name}.parquet")
        pacsv.write_csv(table, csv / f"{name}.csv")
    return DATA / str(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        path = ensure(size)
        rows = pq.ParquetFile(path / "parquet" / "adrs.parquet").metadata.num_rows
        print(f"{size} subjects, {rows} assessment rows: {path}")


if __name__ == "__main__":
    main()
