"""The import graph of the endpointdsl package, read from its source with ast (nothing is run).

    python tests/import_graph.py [PACKAGE_FOLDER]

prints every module by level (level 1 imports no module of the package; any other module
stands one level above the highest it imports, and the modules of a circle share a level),
the number of levels, the largest modules and every import circle, with one loop of each.
Every import counts: at the top of a module, inside a function, and under
`if TYPE_CHECKING:`. An import of a package counts as an import of its `__init__.py`.

tests/test_layering.py holds the package to the layers of docs/architecture.md with it.
To see the graph of an older commit: `git archive COMMIT endpointdsl | tar -x -C DIR`, then
`python tests/import_graph.py DIR/endpointdsl`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "endpointdsl"


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package (a package is its __init__.py)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = [package.name, *path.relative_to(package).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(module: str, is_package: bool, node: ast.AST, known: set[str]) -> set[str]:
    """The modules of the package that one import statement imports."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".")
            base = base if is_package else base[:-1]  # the package the module is in
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        # `from P import x`: the submodule P.x if there is one, else a name defined in P
        names = [
            f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target for alias in node.names
        ]
    out = set()
    for name in names:
        while name and name not in known:  # `import a.b.c` of a name that is no module: its module
            name = name.rpartition(".")[0]
        if name:
            out.add(name)
    return out


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (itself left out)."""
    found = modules(package)
    known = set(found)
    arrows: dict[str, set[str]] = {}
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets |= _imported(name, is_package, node, known)
        arrows[name] = targets - {name}
    return arrows


def circles(arrows: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # the graph is small: recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(arrows[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(arrows):
        if v not in index:
            visit(v)
    return sorted(found)


def loop(arrows: dict[str, set[str]], component: list[str]) -> list[str]:
    """One loop through the first module of a circle: [a, b, ..., a], shortest first."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(arrows[v] & members):
            if w == start:
                return [*paths[v], start]
            if w not in paths:
                paths[w] = [*paths[v], w]
                todo.append(w)
    raise AssertionError(f"{component} is not a circle")


def levels(arrows: dict[str, set[str]]) -> dict[str, int]:
    """Level of each module: 1 when it imports nothing of the package, else one above the
    highest module it imports; the modules of one circle share their level."""
    circle_of = {m: tuple(c) for c in circles(arrows) for m in c}
    level: dict[str, int] = {}

    def of(v: str) -> int:
        if v in level:
            return level[v]
        group = circle_of.get(v, (v,))
        below = {w for m in group for w in arrows[m]} - set(group)
        value = 1 + max((of(w) for w in below), default=0)
        for m in group:
            level[m] = value
        return value

    for v in sorted(arrows):
        of(v)
    return level


def _short(module: str) -> str:
    """A module's name without the package's (the package itself keeps its name)."""
    return module.partition(".")[2] or module


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def summary(package: Path = PACKAGE) -> str:
    found = modules(package)
    arrows = graph(package)
    level = levels(arrows)
    lines = []
    for n in range(max(level.values()), 0, -1):
        names = sorted(m for m in level if level[m] == n)
        lines.append(f"level {n:2}: " + ", ".join(f"{_short(m)} ({line_count(found[m])})" for m in names))
    sizes = sorted(((line_count(p), m) for m, p in found.items()), reverse=True)[:5]
    found_circles = circles(arrows)
    lines.append("")
    lines.append(
        f"{len(found)} modules, {sum(map(len, arrows.values()))} imports, {max(level.values())} levels, "
        f"{len(found_circles)} circles"
    )
    lines.append("largest (lines): " + ", ".join(f"{_short(m)} {n}" for n, m in sizes))
    for i, c in enumerate(found_circles, 1):
        inside = sorted(f"{_short(a)} -> {_short(b)}" for a in c for b in arrows[a] if b in c)
        lines.append(f"circle {i}, {len(c)} modules, e.g. " + " -> ".join(map(_short, loop(arrows, c))))
        lines.append("    its imports: " + ", ".join(inside))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    package = Path(argv[0]) if argv else PACKAGE
    if not (package / "__init__.py").is_file():
        print(f"{package} is not a package folder", file=sys.stderr)
        return 2
    print(summary(package))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
