"""Benchmark (issue 16): benchmarks/responses.ept, six response endpoints and a duration of
response reading the confirmed best response's rows, by the set-based SQL backend.

    python benchmarks/responses.py --sizes 100000,1000000 --check 2000

For each size (generate.py's data, made on first use; Parquet read before the clock
starts), the wall time of `CompiledFile.run(tables, engine="sql")`, the fastest of
--repeat runs, and the endpoints the script leaves to the per-subject path (none
expected). At the --check size the per-subject compiled functions derive the same file
and the two outputs (records and report) must be identical. Not a test: timings vary
with the machine's load; the issue's target is 1M subjects in 10 s or less. With
--dor-per-subject, also the time when DOR is derived per subject inside the SQL run (as
before issue 16: `run_sql(..., force_fallback=("DOR",))`). With --shuffled, the rows of
both tables in generate.py's `shuffled` order (the same permutations, made in memory
before the clock starts, the check size too): the SQL engine cannot prove them sorted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402

import endpointdsl  # noqa: E402
from endpointdsl.data.read import read_tables  # noqa: E402
from endpointdsl.engines.sql.generate import generate_sql  # noqa: E402
from endpointdsl.engines.sql.run import run_sql  # noqa: E402

FILE = HERE / "responses.ept"


def load(size: int, arrow: bool, shuffled: bool = False) -> dict:
    folder = generate.ensure(size) / "parquet"
    tables = read_tables(folder, ["adsl", "adrs"], arrow=arrow)
    if not shuffled:
        return tables
    # generate.vary's permutations, read off tables of row numbers (Arrow and pandas alike)
    rows = (pa.table({"i": np.arange(len(tables[n]))}) for n in ("adsl", "adrs"))
    order = dict(zip(("adsl", "adrs"), generate.vary(*rows, "shuffled", size), strict=True))
    take = {n: order[n]["i"].to_numpy() for n in order}
    if arrow:
        return {n: t.take(take[n]) for n, t in tables.items()}
    return {n: t.iloc[take[n]].reset_index(drop=True) for n, t in tables.items()}


def timed(compiled, tables: dict, engine: str, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = compiled.run(tables, engine=engine)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--check", type=int, default=2000, help="size at which the compiled engine must agree"
    )
    parser.add_argument("--shuffled", action="store_true", help="the rows in a random order")
    parser.add_argument("--dor-per-subject", action="store_true", help="also time DOR derived per subject")
    args = parser.parse_args()
    compiled = endpointdsl.load(FILE)
    fallback = generate_sql(compiled.model).fallback
    print(f"per-subject fallback: {fallback or 'none'}")
    if args.check:
        sql_s, sql = timed(compiled, load(args.check, True, args.shuffled), "sql", 1)
        py_s, py = timed(compiled, load(args.check, False, args.shuffled), "compiled", 1)
        same = sql.adtte.equals(py.adtte) and sql.report.equals(py.report)
        print(f"N={args.check}: sql {sql_s:.2f} s, compiled {py_s:.2f} s, outputs identical: {same}")
        if not same:
            raise SystemExit("the SQL and compiled outputs differ")
    for size in (int(s) for s in args.sizes.split(",")):
        tables = load(size, True, args.shuffled)
        seconds, result = timed(compiled, tables, "sql", args.repeat)
        adrs = tables["adrs"].shape[0]
        print(
            f"responses N={size}{' shuffled' if args.shuffled else ''} ({adrs} assessment rows, {len(compiled.model.endpoints)} endpoints):"
            f" sql {seconds:.2f} s, {len(result.adtte)} records, {len(result.report)} report rows"
        )
        if args.dor_per_subject:
            functions = compiled.namespace["ENDPOINTS"]
            t0 = time.perf_counter()
            before = run_sql(compiled.model, tables, functions, None, ("DOR",))
            mixed = time.perf_counter() - t0
            # run_sql's own output: without the ADaM columns the API adds (PARAMN)
            same = before.adtte.equals(result.adtte[list(before.adtte.columns)]) and before.report.equals(
                result.report
            )
            print(f"  with DOR per subject: {mixed:.2f} s, outputs identical: {same}")


if __name__ == "__main__":
    main()
