"""pyarrow Tables given to the API (issue 16): what they save against converting to pandas first.

    python benchmarks/arrow_input.py [SIZE] [--repeat N]

Reads benchmarks/data/SIZE/parquet with pyarrow (the caller's Arrow tables), then runs
benchmarks/pfs.ept on the SQL engine in a fresh process per measurement, alternating:
- `arrow`: the Tables given as they are;
- `pandas`: `table.to_pandas()` first (what a caller without Arrow input would write);
- `arrowdtype`: `table.to_pandas(types_mapper=pandas.ArrowDtype)` first (the old hint).
Each line: the wall time of conversion and run (the SQL engine warmed first: imports,
database, script), the process's peak RSS, and the RSS once the Tables were read. The
records of every mode are compared (SHA-256 of the ADTTE and report as CSV).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("arrow", "pandas", "arrowdtype")


def _rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def one(size: str, mode: str) -> None:
    """A measurement in this process: prints `mode seconds peak_mib read_mib digest`."""
    import pandas as pd
    import pyarrow.parquet as pq

    import endpointdsl

    compiled = endpointdsl.load(ROOT / "benchmarks" / "pfs.ept")
    folder = ROOT / "benchmarks" / "data" / size / "parquet"
    tables = {name: pq.read_table(folder / f"{name}.parquet") for name in ("adsl", "adrs")}
    compiled.warm_sql()
    read = _rss_mib()
    start = time.perf_counter()
    if mode == "pandas":
        tables = {name: table.to_pandas() for name, table in tables.items()}
    elif mode == "arrowdtype":
        tables = {name: table.to_pandas(types_mapper=pd.ArrowDtype) for name, table in tables.items()}
    result = compiled.run(tables, engine="sql")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    digest = hashlib.sha256()
    digest.update(result.adtte.to_csv(index=False).encode())
    digest.update(result.report.to_csv(index=False).encode())
    print(f"{mode} {seconds:.3f} {peak:.0f} {read:.0f} {digest.hexdigest()[:16]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        one(args.size, args.one)
        return 0
    best: dict[str, tuple[float, float]] = {}
    digests = set()
    for _ in range(args.repeat):
        for mode in MODES:
            done = subprocess.run(
                [sys.executable, __file__, args.size, "--one", mode],
                capture_output=True,
                text=True,
                check=True,
            )
            name, seconds, peak, read, digest = done.stdout.split()
            print(
                f"{name:<10} {float(seconds):7.3f} s  peak {peak} MiB  (tables read: {read} MiB)", flush=True
            )
            digests.add(digest)
            was = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(was[0], float(seconds)), min(was[1], float(peak)))
    for name, (seconds, peak) in best.items():
        print(f"fastest {name:<10} {seconds:7.3f} s  lowest peak {peak:.0f} MiB")
    print("outputs identical" if len(digests) == 1 else f"OUTPUTS DIFFER: {sorted(digests)}")
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
