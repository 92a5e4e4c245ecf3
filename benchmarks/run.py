"""Benchmark: the PFS of benchmarks/pfs.ept by the engines and by hand-written peers, side by side.

    pip install -e ".[bench]"       # polars, for the Polars peer
    python benchmarks/run.py --sizes 1000,100000 [--variants sorted,shuffled,ties,findings,csv]

For each input variant, size (data from generate.py, made on first use) and implementation,
one fresh process reads the data (timed apart: the read), then derives the ADTTE (timed:
wall time, and peak resident memory above the read data, from the kernel's high-water mark
reset after reading; the records as the implementation gives them, the SQL backend's Arrow
records as `endpointdsl run` writes them, and its pandas frame `RunResult.adtte` timed apart). Between the two, the SQL backend's start-up, which the issue keeps out
of the derivation, is done apart (`CompiledFile.warm_sql`: its imports, DuckDB's database,
the generated scripts, with nothing and with every fact proven; the run proves the facts on
its data, timed). Implementations: the set-based SQL backend (DuckDB), the per-subject
compiled functions (up to --compiled-max subjects) and the reference interpreter (up to
--interpreter-max), both on the sorted data only; and three peers written by hand from the
rules, not from the backend: pandas (pandas_pfs.py), one DuckDB statement (duckdb_pfs.py)
and one Polars lazy program (polars_pfs.py). Variants (generate.VARIANTS): sorted,
shuffled, ties, findings, and csv (the sorted data as CSV, which each implementation
reads itself). Every output is compared row for row with the SQL backend's
(compare.py): a difference stops the run with exit 1 and writes no results.md. Also timed
(with the sorted variant): `endpointdsl run` end to end (Parquet to Parquet) at the
largest size, parsing/checking/compiling a file of 20 endpoints, and `endpointdsl --help`.
Prints the tables and writes benchmarks/results.md; the last line of both is
`speedup_vs_pandas N=<largest size>: <pandas time / SQL time>` (sorted Parquet data).
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
IMPLEMENTATIONS = ("sql", "compiled", "interpreter", "pandas", "duckdb", "polars")
PEERS = ("pandas", "duckdb", "polars")
ENGINES_ONLY_SORTED = ("compiled", "interpreter")  # slow per-subject paths: the sorted data only
VARIANTS = ("sorted", "shuffled", "ties", "findings", "csv")
NAMES = {"sql": "SQL backend (DuckDB)", "compiled": "per-subject compiled", "interpreter": "interpreter",
         "pandas": "hand-written pandas", "duckdb": "one DuckDB statement", "polars": "one Polars program"}  # fmt: skip


def data_folder(size: int, variant: str) -> Path:
    """csv: the sorted data as CSV files; any other variant: its Parquet files."""
    import generate

    if variant == "csv":
        return generate.folder(size, "csv")
    return generate.folder(size, "parquet", variant)


# ---- one measurement, in its own process -------------------------------------------------------


def _status(field: str) -> int:
    """A /proc/self/status memory field, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def measure(impl: str, size: int, variant: str, result_path: Path) -> None:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    import compare

    folder, fmt = data_folder(size, variant), "csv" if variant == "csv" else "parquet"
    t0 = time.perf_counter()
    if impl in PEERS:
        peer = __import__(f"{impl}_pfs")
        tables = peer.load(folder, fmt)
        if impl == "duckdb":
            run = lambda: peer.derive(tables)  # noqa: E731
        else:
            run = lambda: peer.derive(tables["adsl"], tables["adrs"])  # noqa: E731
    else:
        import endpointdsl
        from endpointdsl.data.read import read_tables

        compiled = endpointdsl.load(PFS)
        tables = read_tables(folder, ["adsl", "adrs"], arrow=impl == "sql")  # as `endpointdsl run` reads
        # timed: the records as the run gives them and `endpointdsl run` writes them (the SQL
        # engine's are Arrow, as the DuckDB and Polars peers' are); the pandas frame apart
        run = lambda: compiled.run(tables, engine=impl)  # noqa: E731
    load_s = time.perf_counter() - t0
    if impl == "sql":  # start-up, neither read nor derivation (issue 16): imports, DuckDB, the script
        compiled.warm_sql()
    gc.collect()
    loaded = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark (VmHWM) to now
    t0 = time.perf_counter()
    adtte = run()
    derive_s = time.perf_counter() - t0
    peak = _status("VmHWM")
    pandas_s = derive_s
    if impl not in PEERS:  # the API's pandas frame (RunResult.adtte), timed apart: compared below
        t0 = time.perf_counter()
        adtte = adtte.adtte
        pandas_s += time.perf_counter() - t0
    import pyarrow.parquet as pq

    table = compare.as_table(adtte)
    pq.write_table(table, output_path(impl, size, variant))
    result = {"load_s": load_s, "derive_s": derive_s, "pandas_s": pandas_s, "loaded_mib": loaded / 2**20,
              "peak_above_loaded_mib": max(peak - loaded, 0) / 2**20, "rows": table.num_rows}  # fmt: skip
    result_path.write_text(json.dumps(result))


def output_path(impl: str, size: int, variant: str) -> Path:
    return OUT / f"{impl}_{variant}_{size}.parquet"


def spawn(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT)


def run_one(impl: str, size: int, variant: str, repeat: int) -> dict:
    """The fastest of `repeat` fresh processes (this VM's timings vary by 20-40% from run to
    run, as timeit's documentation advises for noisy machines) with the highest peak memory."""
    path = OUT / f"{impl}_{variant}_{size}.json"
    runs = []
    for _ in range(repeat):
        done = spawn([str(Path(__file__)), "--measure", impl, "--size", str(size), "--variant", variant,
                      "--result", str(path)])  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"{impl} at {size} ({variant}) failed:\n{done.stderr}")
        runs.append(json.loads(path.read_text()))
    best = min(runs, key=lambda r: r["derive_s"])
    best["load_s"] = min(r["load_s"] for r in runs)
    best["pandas_s"] = min(r["pandas_s"] for r in runs)
    best["peak_above_loaded_mib"] = max(r["peak_above_loaded_mib"] for r in runs)
    best["runs"] = [round(r["derive_s"], 2) for r in runs]
    best["at"] = time.strftime("%H:%M")
    return best


def check_same(impl: str, size: int, variant: str) -> None:
    """Stop the run, loudly, when an output differs from the SQL backend's."""
    import compare
    import pyarrow.parquet as pq

    mine, reference = (pq.read_table(output_path(i, size, variant)) for i in (impl, "sql"))
    problem = compare.differences(mine, reference)
    if problem is not None:
        print(f"\nFAILED: {NAMES[impl]} differs from the SQL backend at {size:,} subjects ({variant}): "
              f"{problem}\n(outputs in {OUT}; results.md not written)", file=sys.stderr)  # fmt: skip
        raise SystemExit(1)


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
        "--variants", default=",".join(VARIANTS), help=f"input variants, of {', '.join(VARIANTS)}"
    )
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
    parser.add_argument("--variant", choices=VARIANTS, default="sorted", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    sys.path.insert(0, str(HERE))
    if args.measure:
        measure(args.measure, args.size, args.variant, args.result)
        return
    import generate

    sizes = [int(s) for s in args.sizes.split(",")]
    variants = args.variants.split(",")
    if "sorted" not in variants or set(variants) - set(VARIANTS):
        parser.error(f"--variants: some of {', '.join(VARIANTS)}, with sorted")
    started = f"{time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.1f}"
    rows = []
    for variant in variants:
        for size in sizes:
            generate.ensure(size, "sorted" if variant == "csv" else variant)
            for impl in IMPLEMENTATIONS:
                if variant != "sorted" and impl in ENGINES_ONLY_SORTED:
                    continue
                if (impl == "compiled" and size > args.compiled_max) or (
                    impl == "interpreter" and size > args.interpreter_max
                ):
                    continue
                result = run_one(impl, size, variant, args.repeat)
                if impl != "sql":
                    check_same(impl, size, variant)
                result.update(impl=impl, size=size, variant=variant)
                rows.append(result)
                print(f"{variant:<9} {size:>9} {impl:<12} read {result['load_s']:6.2f} s  derive "
                      f"{result['derive_s']:6.2f} s (with pandas {result['pandas_s']:6.2f} s)  "
                      f"{result['peak_above_loaded_mib']:6.0f} MiB  identical  (runs: {result['runs']})",
                      flush=True)  # fmt: skip
    largest = max(sizes)
    extras = {
        "e2e": end_to_end(largest, args.repeat),
        "compile20": compile_time(),
        "help": help_time(),
        "started": started,
    }
    report = render(rows, sizes, variants, extras, largest, args.repeat)
    (HERE / "results.md").write_text(report)
    print()
    print(report, end="")


def speedup_line(rows: list[dict], largest: int) -> str:
    by = {(r["impl"], r["size"]): r for r in rows if r["variant"] == "sorted"}
    ratio = by[("pandas", largest)]["derive_s"] / by[("sql", largest)]["derive_s"]
    return f"speedup_vs_pandas N={largest}: {ratio:.2f}"


def variant_table(rows: list[dict], sizes: list[int], variant: str) -> list[str]:
    """One variant: each implementation's time and memory, and each peer's time over the SQL backend's."""
    import generate
    import pyarrow.parquet as pq

    by = {(r["impl"], r["size"]): r for r in rows if r["variant"] == variant}
    impls = [i for i in IMPLEMENTATIONS if any(impl == i for impl, _ in by)]
    peers = [i for i in impls if i in PEERS]
    csv = variant == "csv"
    head = ["subjects", "assessment rows", *(NAMES[i] for i in impls), *(f"{i} ÷ SQL" for i in peers),
            "measured"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * (len(head) - 1) + "---|"]
    for size in sizes:
        parquet = generate.folder(size, "parquet", "sorted" if csv else variant)
        n_rows = pq.ParquetFile(parquet / "adrs.parquet").metadata.num_rows
        cells = []
        for impl in impls:
            r = by.get((impl, size))
            if r is None:
                cells.append("—")
                continue
            read = f"read {r['load_s']:.2f} s + " if csv else ""
            cells.append(f"{read}{r['derive_s']:.2f} s / {r['peak_above_loaded_mib']:.0f} MiB")
        sql = by[("sql", size)]
        ratios = [_times(by[(p, size)]["derive_s"] / sql["derive_s"]) for p in peers]
        if csv:  # read and derivation together too
            whole = sql["load_s"] + sql["derive_s"]
            ratios = [f"{x} ({_times((by[(p, size)]['load_s'] + by[(p, size)]['derive_s']) / whole)} with the read)"
                      for x, p in zip(ratios, peers, strict=True)]  # fmt: skip
        lines.append(f"| {size:,} | {n_rows:,} | " + " | ".join(cells + ratios) + f" | {sql['at']} |")
    return lines


def _times(ratio: float) -> str:
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.1f}×"


def render(rows: list[dict], sizes: list[int], variants: list[str], extras: dict, largest: int,
           repeat: int) -> str:  # fmt: skip
    import generate

    by = {(r["impl"], r["size"]): r for r in rows if r["variant"] == "sorted"}
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Run: `python benchmarks/run.py --sizes {','.join(map(str, sizes))} --variants {','.join(variants)}`, "
        f"started {extras['started']}.",
        "The machine was shared with other jobs during the run, so absolute times are high and noisy: the",
        "ratios within one row (measured minutes apart, at the time in its last column) are what count.",
        "",
        "Each cell: derivation wall time (data already read) / peak resident memory above the read data;",
        f"the fastest of {repeat} fresh processes per measurement (memory: the highest of them). Every",
        "output is compared row for row with the SQL backend's (benchmarks/compare.py); a difference",
        "stops the run, so every table here is of identical outputs. `X ÷ SQL`: the peer's derivation",
        "time over the SQL backend's (above 1: the backend is faster).",
        "",
        "Peers, written by hand from the rules of pfs.ept and not from the backend: `pandas_pfs.py`,",
        "`duckdb_pfs.py` (one statement, `min`/`max` of an (ADT, ASEQ) struct), `polars_pfs.py` (one lazy",
        "program, a packed (ADT, ASEQ) key). They make the same ADTTE, with the same data checks for",
        "these data (duplicate subjects and subjects without RANDDT get no record, dates that are not ISO",
        "calendar dates are not read, rows of unknown subjects are ignored), but report none of them:",
        "the backend also writes the exclusions and findings report, checks every cell it reads (types,",
        "keys, sequence ties).",
        "",
        "What is timed: each implementation's records as it gives them. The SQL backend's are the Arrow",
        "records of `CompiledFile.run` (`RunResult.table`), which `endpointdsl run` writes from, as the",
        "DuckDB and Polars peers give Arrow and Polars frames and the pandas peer a pandas frame. The",
        "pandas frame of the API (`RunResult.adtte`, converted on first use) is timed apart, in the same",
        "process, and shown under each table (`with the pandas frame`); the comparison of outputs reads it.",
    ]  # fmt: skip
    titles = {"sorted": "Sorted Parquet (the default data)", "shuffled": "Shuffled rows (Parquet)",
              "ties": "Same-date records (Parquet)", "findings": "Data with findings (Parquet)",
              "csv": "CSV input (the sorted data), read by each implementation itself"}  # fmt: skip
    for variant in variants:
        what = generate.VARIANTS.get(variant, "the sorted data written as CSV; `read`: reading both files "
                                     "(pandas: into pandas, the backend: into Arrow as `endpointdsl run` reads, DuckDB: into its tables, "
                                     "Polars: into frames)")  # fmt: skip
        lines += ["", f"## {titles[variant]}", "", what[0].upper() + what[1:] + ".", ""]
        lines += variant_table(rows, sizes, variant)
        sql = [r for r in rows if r["variant"] == variant and r["impl"] == "sql"]
        lines += ["", "SQL backend with the pandas frame (`RunResult.adtte`, in the same process): "
                  + ", ".join(f"{r['size']:,}: {r['pandas_s']:.2f} s ({r['derive_s']:.2f} s + "
                              f"{r['pandas_s'] - r['derive_s']:.2f} s)" for r in sql) + "."]  # fmt: skip
    spread = "; ".join(f"{impl}: {', '.join(f'{t:.2f}' for t in by[(impl, largest)]['runs'])} s"
                       for impl in ("sql", *PEERS))  # fmt: skip
    lines += [
        "",
        f"Every run at {largest:,} subjects, sorted data (the timings vary from run to run): {spread}.",
    ]
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
    lines += [f"Targets of issue 5 (measured at the largest size of this run, {largest:,}):", "",
              "| target | measured | |", "|---|---:|---|"]  # fmt: skip
    lines += [f"| {name} | {value} | {verdict(ok)} |" for name, value, ok in targets]
    issue16 = issue16_targets(by)
    if issue16:
        lines += ["", "Targets of issue 16 (sorted data):", "", "| target | measured | |", "|---|---:|---|"]
        lines += [f"| {name} | {value} | {verdict(ok)} |" for name, value, ok in issue16]
    lines += ["", "Where the SQL backend's time goes, and what bounds it: docs/backends.md.", ""]
    lines += [speedup_line(rows, largest), ""]
    return "\n".join(lines)


def issue16_targets(by: dict) -> list[tuple[str, str, bool]]:
    """Issue 16's derivation targets at the sizes measured (sorted data): (target, measured,
    met). A ratio to pandas also shows the other hand-written peers' ratios to pandas, doing
    the same work in the same run: what the target asks, measured against what they reach."""
    out = []
    for size, seconds, times in ((1_000, 0.05, None), (100_000, None, 5), (1_000_000, 1.0, 10)):
        if ("sql", size) not in by:
            continue
        mine, theirs = by[("sql", size)]["derive_s"], by[("pandas", size)]["derive_s"]
        if seconds is not None:
            out.append((f"derivation at {size:,} subjects <= {seconds * 1000:.0f} ms", f"{mine * 1000:.0f} ms",
                        mine <= seconds))  # fmt: skip
        if times is not None:
            others = [
                f"{NAMES[p]} {theirs / by[(p, size)]['derive_s']:.1f}x" for p in PEERS[1:] if (p, size) in by
            ]
            shown = f"{theirs / mine:.1f}x" + (f" ({', '.join(others)})" if others else "")
            out.append((f">= {times}x hand-written pandas at {size:,}", shown, theirs / mine >= times))
    return out


if __name__ == "__main__":
    main()
