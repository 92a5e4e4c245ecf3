"""A best response's confirmation over each subject's visits as one sorted list (perf, issue 16).

The window path (`best.ResponseSql._confirmation`) finds each visit V's confirming visit W
with a window aggregate per question over all visits: at 1M subjects (9M visits, 1M
partitions) about 1 s of CPU each, seven for RECIST 1.1, and an equi-join to read W's row.
Here each subject's visits are one sorted list of integers, `i * 64 + rank` (the day
number, then the category's rank: the visits of a subject have distinct dates, so the
integers order as the visits do and each one decodes to its visit), and for each candidate
V the same questions are asked of the visits after it (`t`, a slice of the list) with list
lambdas: W is the first element that may confirm V, the break the first that may not, the
NE and disease-control visits up to W are counted, the response ranks compared. It writes
only the confirmed visits, each with the category it counts as (`bestgroup._category`
reads that where the window path's flags are combined).

It is DuckDB's SQL (list lambdas; `lambda x: ...` from DuckDB 1.3), so it is written only
where the run proves the dates fit (the `packs` fact of packed.py: days from 1900-01-01
under 2^17, so `i * 64 + rank` is an INTEGER): the general script, the golden files and
the Spark translation keep the window path, and so does a criteria set with a window
after the visit before W (iRECIST) or more than 64 categories. Each candidate's questions
scan the visits after it, so a subject's cost grows with the square of its visits: the
path is also written only where the run proves the subjects' rows few (the `short` fact,
proofs.short_rows). With 500 visits a subject the lists took 7 times the windows' time.

Issue 16, seventh round: a packed visit's rank and day are read with bit operations (`x & 63`,
`x >> 6`; the integers are not negative), cheaper than `%` and `//` in every lambda; only
candidates before a subject's last visit are unnested; the break and the next responses are
asked only of candidates with a W. Rows in no proven order (shuffled input) are sorted by
(key, visit) before the lists are built: DuckDB's `list` aggregate over rows in random order
cost twice the sort.
"""

from __future__ import annotations

import math

import duckdb

from ...check import model as m
from .writer import SqlWriter, ident, number

SLOTS = 64  # ranks per day in a packed visit: a criteria set with more categories keeps the windows
SHIFT = SLOTS.bit_length() - 1  # x >> SHIFT: the day of a packed visit x (x >= 0)
RANK = f"& {SLOTS - 1}"  # x & 63: its rank


def _version() -> tuple[int, ...]:
    return tuple(int(p) for p in duckdb.__version__.split(".")[:2] if p.isdigit())


LAMBDAS = _version() >= (1, 3)  # the `lambda x: ...` syntax (the arrow form is refused by DuckDB 2)


def applies(crit: m.CriteriaSet, xs: list) -> bool:
    """The list path can answer every question the window path asks of these categories."""
    return LAMBDAS and len(crit.categories) <= SLOTS and not any(k.window for k in xs)


def _ranks(crit: m.CriteriaSet, names) -> str:
    return "(" + ", ".join(str(i) for i, k in enumerate(crit.categories) if k.name in names) + ")"


def _first(cond: str, of: str = "t") -> str:
    """The first visit after V (`t`, or its slice `b`, is sorted) where `cond` holds of `x`, or NULL."""
    return f"list_filter({of}, lambda x: {cond})[1]"


def write_confirmation_lists(
    w: SqlWriter, name: str, visits: str, crit: m.CriteriaSet, conf, xs: list, in_order: bool = False
) -> None:
    """`name`: per visit V of a category in `xs` that a later visit W confirms (every rule of
    semantics 6.6 item 5 holds), V's category as confirmed (`cat`, a rank: W's where V is not
    a response or W a worse response, else V's own), for the visits `visits` (key, i, rnk:
    one row per subject and date); a visit not confirmed has no row. `in_order`: the visits
    are proven in (key, i) order (no sort before the lists; either way each list is sorted,
    so this is speed only).

    Issue 16, ninth round: the window path's columns (W's category, role and each rule's
    flag, for `bestgroup._category` to combine) are combined here, and only the confirmed
    visits written: at 1M, 1.9M rows of eleven columns became 0.84M of three, and the best
    responses' join builds on those. The questions about the visits between V and W are
    asked of the slice up to W (`b`), not of every later visit with `x <= j`."""
    days = conf.days if conf else 0
    cats = crit.categories
    rank = f"(x {RANK})"
    role_of = {i: k.role for i, k in enumerate(cats)}
    js, rules = [], []

    def roles(role: str) -> str:
        return "(" + ", ".join(str(i) for i, x in role_of.items() if x == role) + ")"

    def counted(role: str) -> str:  # the visits of a role after V up to and including W
        if not any(x == role for x in role_of.values()):
            return "0"
        return f"len(list_filter(b, lambda x: {rank} IN {roles(role)}))"

    # no response after a better one between V and W: for ranks r1 < r2 (r1 better), the
    # next r1 after V comes before the last r2 up to W (an r1 after W: no break)
    ranks = [i for i, k in enumerate(cats) if k.role == "response"] if conf else []
    nexts = [f"{_first(f'{rank} = {r}', 'b')} AS next_{r}" for r in ranks[:-1]] if len(ranks) > 1 else []
    mono = " OR ".join(
        f"coalesce(next_{r1} < list_max(list_filter(b, lambda x: {rank} = {r2})), FALSE)"
        for r1 in ranks
        for r2 in ranks
        if r1 < r2
    )
    max_ne = conf.max_ne if conf else 0
    max_sd = conf.max_sd if conf else 0
    # the limits on NE and disease-control visits between, and the order of responses, are a
    # response's (semantics 6.6 item 5)
    response_rules = [f"{counted('ne')} <= {max_ne}", f"{counted('control')} <= {max_sd}"]
    response_rules += [f"NOT ({mono})"] if mono else []
    for k in xs:
        r = cats.index(k)
        by = _ranks(crit, k.confirmed_by) if k.confirmed_by else None
        in_by = f"(j {RANK}) IN {by}" if by else "FALSE"
        if k.at_next:  # W: the first later visit not allowed between; it must be in `by`
            hit = f"{rank} NOT IN {_ranks(crit, k.between)}" if k.between else "TRUE"
            ok = [in_by]
        else:  # W: the first later one in `by` (a response: N days or more after V), and no
            # visit up to W outside `by` and `between` (W itself is in `by`)
            hit = f"{rank} IN {by}"
            if k.role == "response":  # dates are distinct: later is at least a day after
                hit += f" AND x >> {SHIFT} >= i + {max(math.ceil(days), 1)}"
            allowed = _ranks(crit, (*k.confirmed_by, *k.between))
            ok = [in_by, f"len(list_filter(b, lambda x: {rank} NOT IN {allowed})) = 0"]
        js.append(f"WHEN {r} THEN {_first(hit)}")
        if k.role == "response":  # N days or more after V
            ok += [f"(j >> {SHIFT}) - i >= {number(days)}", *response_rules]
        rules.append(f"WHEN {r} THEN {' AND '.join(ok)}")
    listed = "(" + ", ".join(str(cats.index(k)) for k in xs) + ")"
    # V confirmed: a response counts as W's category where W is a worse response (IMWG: CR
    # then VGPR), else as its own; any other category counts as W's
    cat = f"j {RANK}"
    if "response" in role_of.values():
        worse = f"(j {RANK}) IN {roles('response')} AND (j {RANK}) > r"
        cat = f"CASE WHEN r IN {roles('response')} AND NOT ({worse}) THEN r ELSE {cat} END"
    packed = f"CAST(i AS INTEGER) * {SLOTS} + rnk"
    # rows in random order: a sort first (DuckDB's `list` over shuffled rows costs twice as much)
    rows = visits if in_order else f"(SELECT key, {packed} AS x FROM {visits} ORDER BY key, x)"
    w.line(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS")
    w.line(
        f"WITH l AS (SELECT key, list_sort(list({packed if in_order else 'x'})) AS p FROM {rows} GROUP BY key)"
    )
    # the candidates before the last visit (nothing follows the last: no W)
    w.line(", u AS (SELECT key, p, unnest(list_filter(generate_series(1, len(p) - 1),")
    w.line(f"    lambda k: (p[k] {RANK}) IN {listed})) AS k FROM l)")
    w.line(f", c AS (SELECT key, CAST(p[k] >> {SHIFT} AS BIGINT) AS i, p[k] {RANK} AS r,")
    w.line("    list_slice(p, k + 1, len(p)) AS t FROM u)")
    w.line(f", f AS (SELECT key, i, r, t, CASE r {' '.join(js)} END AS j FROM c)")
    # where there is a W: the visits after V up to W (dates are distinct: W is found once)
    w.line(", g AS (SELECT key, i, r, j, list_slice(t, 1, list_position(t, j)) AS b")
    w.line("    FROM f WHERE j IS NOT NULL)")
    w.line(f", h AS (SELECT *{''.join(', ' + nx for nx in nexts)} FROM g)")
    w.line(f"SELECT key, i, CAST({cat} AS INTEGER) AS cat")
    w.line(f"FROM h WHERE CASE r {' '.join(rules)} END;")
