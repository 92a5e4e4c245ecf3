"""Benchmark: the PFS of benchmarks/pfs.ept by four implementations, side by side.

    python benchmarks/run.py --sizes 1000,100000

For each size (data from generate.py, made on first use) and implementation, one fresh
process loads the data (not timed), then derives the ADTTE (timed: wall time, and peak
resident memory above the loaded data, from the kernel's high-water mark reset after
loading). Implementations: the set-based SQL backend (DuckDB), the per-subject compiled
functions (up to --compiled-max subjects), the reference interpreter (up to
--interpreter-max) and a hand-written pandas version (pandas_pfs.py). Every output is
compared row for row with the SQL backend's. Also timed: `endpointdsl run` end to end
(Parquet to Parquet) at the largest size, parsing/checking/compiling a file of 20
endpoints, and `endpointdsl --help`. Prints a table, writes benchmarks/results.md; the
last line is `speedup_vs_pandas N=<largest size>: <pandas time / SQL time>`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PFS = HERE / "pfs.ept"
IMPLEMENTATIONS = ("sql", "compiled", "interpreter", "pandas")
COLUMNS = ["USUBJID", "PARAMCD", "PARAM", "STARTDT", "ADT", "AVAL", "AVALU", "CNSR", "EVNTDESC", "CNSDTDSC",
           "SRCDOM", "SRCVAR", "SRCSEQ"]  # fmt: skip


# ---- one measurement, in its own process -------------------------------------------------------


def _status(field: str) -> int:
    """A /proc/self/status memory field, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def measure(impl: str, size: int, result_path: Path) -> None:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    import pyarrow as pa
    import pyarrow.parquet as pq

    import endpointdsl
    from endpointdsl.data.read import read_tables

    folder = HERE / "data" / str(size) / "parquet"
    t0 = time.perf_counter()
    if impl == "pandas":
        import pandas_pfs

        tables = pandas_pfs.load(folder)
        run = lambda: pandas_pfs.derive(tables["adsl"], tables["adrs"])  # noqa: E731
    else:
        compiled = endpointdsl.load(PFS)
        tables = read_tables(folder, ["adsl", "adrs"], arrow=impl == "sql")
        if impl == "sql":  # importing DuckDB (once per process) is start-up, not derivation
            import duckdb  # noqa: F401
        run = lambda: compiled.run(tables, engine=impl).adtte  # noqa: E731
    load_s = time.perf_counter() - t0
    gc.collect()
    loaded = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark (VmHWM) to now
    t0 = time.perf_counter()
    adtte = run()
    derive_s = time.perf_counter() - t0
    peak = _status("VmHWM")
    schema = pa.schema([
        ("USUBJID", pa.string()), ("PARAMCD", pa.string()), ("PARAM", pa.string()), ("STARTDT", pa.date32()),
        ("ADT", pa.date32()), ("AVAL", pa.float64()), ("AVALU", pa.string()), ("CNSR", pa.int64()),
        ("EVNTDESC", pa.string()), ("CNSDTDSC", pa.string()), ("SRCDOM", pa.string()), ("SRCVAR", pa.string()),
        ("SRCSEQ", pa.float64()),
    ])  # fmt: skip
    table = pa.Table.from_pandas(adtte[COLUMNS], schema=schema, preserve_index=False)
    pq.write_table(table, OUT / f"{impl}_{size}.parquet")
    result = {"load_s": load_s, "derive_s": derive_s, "loaded_mib": loaded / 2**20,
              "peak_above_loaded_mib": max(peak - loaded, 0) / 2**20, "rows": table.num_rows}  # fmt: skip
    result_path.write_text(json.dumps(result))


def spawn(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT)


def run_one(impl: str, size: int, repeat: int) -> dict:
    """The fastest of `repeat` fresh processes (this VM's timings vary by 20-40% from run to
    run, as timeit's documentation advises for noisy machines) with the highest peak memory."""
    path = OUT / f"{impl}_{size}.json"
    runs = []
    for _ in range(repeat):
        done = spawn([str(Path(__file__)), "--measure", impl, "--size", str(size), "--result", str(path)])
        if done.returncode != 0:
            raise SystemExit(f"{impl} at {size} failed:\n{done.stderr}")
        runs.append(json.loads(path.read_text()))
    best = min(runs, key=lambda r: r["derive_s"])
    best["peak_above_loaded_mib"] = max(r["peak_above_loaded_mib"] for r in runs)
    best["runs"] = [round(r["derive_s"], 2) for r in runs]
    return best


def same_rows(impl: str, size: int) -> str:
    import pyarrow.parquet as pq

    mine, reference = (
        pq.read_table(OUT / f"{impl}_{size}.parquet"),
        pq.read_table(OUT / f"sql_{size}.parquet"),
    )
    if mine.equals(reference):
        return "identical"
    if mine.num_rows != reference.num_rows:
        return f"DIFFER: {mine.num_rows} vs {reference.num_rows} rows"
    bad = [c for c in COLUMNS if not mine[c].equals(reference[c])]
    return f"DIFFER in {', '.join(bad)}"


# ---- the other timings --------------------------------------------------------------------------


def twenty_endpoints() -> str:
    text = PFS.read_text()
    variants = []
    for i in range(19):
        variants.append(
            f'endpoint PFS{i:02d} "PFS variant {i}" like PFS\n'
            + (f"  horizon {i + 1} years\n" if i % 3 == 0 else "")
            + (f"  cutoff 2023-{1 + i % 12:02d}-01\n" if i % 3 == 1 else "")
            + ("  ascertainment: at visits\n" if i % 3 != 2 else "")  # tumour assessments
            + ("  origin is day 0\n" if i % 2 else "")
            + "end\n"
        )
    return text + "\n" + "\n".join(variants)


COMPILE = """
import sys, time
import endpointdsl
from endpointdsl.api import CompiledFile
from endpointdsl.engines.sql.generate import generate_sql
text = open(sys.argv[1], encoding="utf-8").read()
t0 = time.perf_counter()
model = endpointdsl.check_text(text, "twenty.ept")
CompiledFile.from_model(model)
generate_sql(model)
assert len(model.endpoints) == 20
print(time.perf_counter() - t0)
"""


def compile_time() -> tuple[float, float]:
    """Parse, check and compile (Python and SQL) the 20-endpoint file: best of 5 in this
    process (warm), and best of 3 fresh processes, where the LALR parser is loaded from the
    user's cache (the first run fills it) as every command does."""
    sys.path.insert(0, str(ROOT))
    import endpointdsl
    from endpointdsl.api import CompiledFile
    from endpointdsl.engines.sql.generate import generate_sql

    text = twenty_endpoints()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        model = endpointdsl.check_text(text, "twenty.ept")
        CompiledFile.from_model(model)
        generate_sql(model)
        best = min(best, time.perf_counter() - t0)
    assert len(model.endpoints) == 20
    path = OUT / "twenty.ept"
    path.write_text(text, encoding="utf-8")
    fresh = []
    for _ in range(4):
        done = spawn(["-c", COMPILE, str(path)])
        assert done.returncode == 0, done.stderr
        fresh.append(float(done.stdout))
    return best, min(fresh[1:])


def help_time() -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        done = spawn(["-m", "endpointdsl.cli", "--help"])
        best = min(best, time.perf_counter() - t0)
        assert done.returncode == 0, done.stderr
    return best


def end_to_end(size: int, repeat: int) -> float:
    folder = HERE / "data" / str(size) / "parquet"
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = spawn(["-m", "endpointdsl.cli", "run", str(PFS), "--data", str(folder), "--out",
                      str(OUT / f"e2e_{size}.parquet")])  # fmt: skip
        best = min(best, time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"endpointdsl run failed:\n{done.stderr}")
    return best


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = _status_total()
    import duckdb
    import pandas
    import pyarrow

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem / 2**30:.1f} GiB RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
        f"duckdb {duckdb.__version__}"
    )


def _status_total() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


# ---- the run --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument(
        "--compiled-max", type=int, default=100_000, help="largest size for the per-subject path"
    )
    parser.add_argument(
        "--interpreter-max", type=int, default=10_000, help="largest size for the interpreter"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="fresh processes per measurement (the fastest is kept)"
    )
    parser.add_argument("--measure", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.measure:
        measure(args.measure, args.size, args.result)
        return
    sys.path.insert(0, str(HERE))
    import generate

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for size in sizes:
        generate.ensure(size)
        for impl in IMPLEMENTATIONS:
            if (impl == "compiled" and size > args.compiled_max) or (
                impl == "interpreter" and size > args.interpreter_max
            ):
                continue
            result = run_one(impl, size, args.repeat)
            result.update(impl=impl, size=size, check="reference" if impl == "sql" else same_rows(impl, size))
            rows.append(result)
            print(f"{size:>9} {impl:<12} {result['derive_s']:8.2f} s  {result['peak_above_loaded_mib']:8.0f} MiB"
                  f"  {result['check']}  (runs: {result['runs']})", flush=True)  # fmt: skip
    largest = max(sizes)
    extras = {
        "e2e": end_to_end(largest, args.repeat),
        "compile20": compile_time(),
        "help": help_time(),
    }
    report = render(rows, sizes, extras, largest, args.repeat)
    (HERE / "results.md").write_text(report)
    print()
    print(report)
    by = {(r["impl"], r["size"]): r for r in rows}
    ratio = by[("pandas", largest)]["derive_s"] / by[("sql", largest)]["derive_s"]
    print(f"speedup_vs_pandas N={largest}: {ratio:.2f}")


def render(rows: list[dict], sizes: list[int], extras: dict, largest: int, repeat: int) -> str:
    by = {(r["impl"], r["size"]): r for r in rows}
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Run: `python benchmarks/run.py --sizes {','.join(map(str, sizes))}` on {time.strftime('%Y-%m-%d %H:%M')}.",
        "Each cell: derivation wall time (data already loaded) / peak resident memory above the loaded data;",
        f"the fastest of {repeat} fresh processes per measurement (memory: the highest of them). All outputs are",
        "compared row for row with the SQL backend's.",
        "",
        "| subjects | assessment rows | SQL backend (DuckDB) | per-subject compiled | interpreter | hand-written pandas | pandas / SQL | outputs |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    import pyarrow.parquet as pq

    for size in sizes:
        n_rows = pq.ParquetFile(HERE / "data" / str(size) / "parquet" / "adrs.parquet").metadata.num_rows
        cells = []
        for impl in IMPLEMENTATIONS:
            r = by.get((impl, size))
            cells.append(f"{r['derive_s']:.2f} s / {r['peak_above_loaded_mib']:.0f} MiB" if r else "—")
        ratio = by[("pandas", size)]["derive_s"] / by[("sql", size)]["derive_s"]
        checks = sorted({r["check"] for (impl, s), r in by.items() if s == size and impl != "sql"})
        lines.append(
            f"| {size:,} | {n_rows:,} | " + " | ".join(cells) + f" | {ratio:.1f}× | {'; '.join(checks)} |"
        )
    spread = "; ".join(f"{impl}: {', '.join(f'{t:.2f}' for t in by[(impl, largest)]['runs'])} s"
                       for impl in ("sql", "pandas"))  # fmt: skip
    lines += ["", f"Every run at {largest:,} subjects (the VM's timings vary from run to run): {spread}."]
    sql = [by[("sql", s)] for s in sizes if s >= 10_000]
    if len(sql) > 1:
        per = ", ".join(f"{r['size']:,}: {1e6 * r['derive_s'] / r['size']:.2f} µs" for r in sql)
        lines += ["", f"SQL backend time per subject (linearity): {per}."]
    lines += [
        "",
        "R baseline, quoted from issue 5 (admiral's `derive_param_tte()` for the same PFS on this kind of",
        "2-core machine; not rerun here, as this machine has no R): 1.4 s at 1,000 subjects, 55 s at 100,000,",
        "583 s and 7 GiB at 1,000,000.",
    ]
    lines += [
        "",
        f"- `endpointdsl run` end to end at {largest:,} subjects, Parquet to Parquet (start, read, derive, write): "
        f"{extras['e2e']:.2f} s",
        f"- parse + check + compile (Python and SQL) a file of 20 endpoints: {1000 * extras['compile20'][1]:.0f} ms"
        f" in a fresh process (the parser loaded from the user's cache), {1000 * extras['compile20'][0]:.0f} ms"
        " when the process has done it before",
        f"- `endpointdsl --help` (process start to exit): {1000 * extras['help']:.0f} ms",
        "",
    ]
    sql, pandas = by[("sql", largest)], by[("pandas", largest)]
    ratio = pandas["derive_s"] / sql["derive_s"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "missed"

    targets = [
        (f"derivation at {largest:,} subjects <= 2 s", f"{sql['derive_s']:.2f} s", sql["derive_s"] <= 2),
        ("peak memory <= 1.5 GiB above the loaded data", f"{sql['peak_above_loaded_mib'] / 1024:.2f} GiB",
         sql["peak_above_loaded_mib"] <= 1536),
        (">= 5x faster than hand-written pandas", f"{ratio:.1f}x", ratio >= 5),
        ("end to end `endpointdsl run`, Parquet to Parquet < 10 s", f"{extras['e2e']:.2f} s", extras["e2e"] < 10),
        ("parse, check and compile 20 endpoints < 100 ms (fresh process)", f"{1000 * extras['compile20'][1]:.0f} ms",
         extras["compile20"][1] < 0.1),
        ("`endpointdsl --help` < 0.5 s", f"{1000 * extras['help']:.0f} ms", extras["help"] < 0.5),
    ]  # fmt: skip
    lines += ["Targets of issue 5 (measured at the largest size of this run):", "",
              "| target | measured | |", "|---|---:|---|"]  # fmt: skip
    lines += [f"| {name} | {value} | {verdict(ok)} |" for name, value, ok in targets]
    lines += ["", "Where the SQL backend's time goes, and what bounds it: docs/backends.md.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
