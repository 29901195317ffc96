"""Measured structure of a Python package: import circles, upward arrows between
layers, file sizes, private cross-module uses and the files a new task touches.

    python3 tools/architecture.py [PACKAGE_DIR] [--json] [--fail-on circles,upward]

Standard library only; the package is parsed, never imported.

Import graph. Nodes are the package's modules (a package is its ``__init__``).
An arrow A -> B is any of, wherever it stands (module level, class body or
inside a function; only ``if TYPE_CHECKING:`` blocks are skipped):
``import B``, ``from B import name``, ``from P import B`` (B a submodule of P),
and a string literal that is exactly B's dotted name or ``"B:attr"`` (this
catches ``importlib.import_module("B")``, ``lazy_module("B")`` and module names
in tables such as ``_layer_modules``); a module-level constant (``GROUP =
"pkg.tasks"``) equal to an entry-point group that ``setup.cfg`` or
``pyproject.toml`` beside the package declares names that group, not a module,
and is no arrow. A package ``__init__`` may hold a lazy
table, a dict ``{"Name": ("module", "attr")}`` read by its ``__getattr__``:
``from P import Name`` is then an arrow to that module, and the table itself is
not an arrow of P; a module that imports P and reads ``P.Name`` or holds the
string ``"Name"`` (as in ``getattr(P, "Name")``) has an arrow to it. Importing a submodule executes its parent packages too; those
implicit arrows are not counted. Imports of names outside the package are ignored.

Circles are the strongly connected components of more than one module.

Layers, lowest first (``LAYERS``): top-level helper modules such as ``errors``
and ``_lazy``; ``core``; ``preprocessing``, ``evaluation``, ``data``;
``tasks``; the services ``serving``, ``portable``, ``tuning``, ``viz``; ``cli``
and ``__main__``; the package ``__init__``. An arrow is upward when its target's
layer is higher than its source's. One exception (``SERVICE_BASES``, extended
with ``--allow``): a task may import the shared helpers of the layers above it
that name no task: the service bases ``serving.adapters``, ``portable.cores``
and ``tuning.space`` (base classes and helpers a task's hooks subclass or
call), the command factories and option helpers of a task's CLI group
``cli.options``, ``cli.export``, ``cli.tune`` and ``cli.errors``, and the plots
of ``viz``. A base module that itself imports a task shows up as a circle. Cross-task arrows join modules of two different
tasks. A module belongs to task T when it lies under ``tasks/T/`` or is
``tasks/T.py`` or ``tasks/T_*.py``; tasks are the subpackages of ``tasks/``
and its module names without ``_`` (or ``--tasks``).

Private cross-module uses (a heuristic, reported per site):
``from M import _name`` with M another module of the package, and attribute
access ``x._name`` (or ``getattr``/``setattr``/``hasattr(x, "_name")``) where
``x`` is not ``self``, ``cls`` or ``super()`` and ``_name`` is not defined in the
accessing module (defined: a def or class anywhere, a name assigned at module or
class level, or any ``self._name`` / ``cls._name``). Dunder names are excluded.
A site counts as a package private when another module of the package defines
or reaches for ``_name`` too; otherwise as a third-party private (for example a
Keras internal), reported separately. The private-named hooks of
scikit-learn's estimator protocol (``SKLEARN_PROTOCOL``: the
``_parameter_constraints`` table and ``_validate_params``, which scikit-learn
itself reads on any estimator) are the library's convention, not a private,
and are not counted.
Types are not inferred, so a private name defined in two modules counts as the
accessing module's own.

Files to touch for a new task (an estimate): modules that belong to no single
task and are not named after one (``cli/forecast.py`` is named after a task),
yet import a task's module or contain a string literal (docstrings aside)
equal to a task name or naming a task module. Each of these is an edit a
sixth task needs; the files belonging to or named after a task are the new
files it adds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_graph import circles, graph, private_sites

# (layer name, first components of the dotted name below the package); "" = other
# top-level modules, "." = the package __init__ itself.
LAYERS = [
    ("base", ("",)),
    ("core", ("core",)),
    ("preprocessing/evaluation/data", ("preprocessing", "evaluation", "data")),
    ("tasks", ("tasks",)),
    ("services", ("serving", "portable", "tuning", "viz")),
    ("cli", ("cli", "__main__")),
    ("top", (".",)),
]
SERVICE_BASES = ("serving.adapters", "portable.cores", "tuning.space",
                 "cli.options", "cli.export", "cli.tune", "cli.errors", "viz")
SKLEARN_PROTOCOL = frozenset({"_parameter_constraints", "_validate_params"})
SIZE_LIMIT = 300
FAIL_CHECKS = ("circles", "upward", "cross-task", "private", "size")


def layer(module: str, pkg: str, mods) -> int | None:
    if module == pkg:
        key = "."
    else:
        first = module.split(".")[1]
        subpackage = (mods[pkg].parent / first / "__init__.py").is_file()
        key = first if (subpackage or first == "__main__") else ""
    return next((i for i, (_, keys) in enumerate(LAYERS) if key in keys), None)


def task_names(root: Path, pkg: str) -> list[str]:
    tasks = root / "tasks"
    if not tasks.is_dir():
        return []
    names = {p.name for p in tasks.iterdir() if (p / "__init__.py").is_file()}
    names |= {p.stem for p in tasks.glob("*.py") if "_" not in p.stem}
    return sorted(names)


def task_of(module: str, pkg: str, tasks) -> str | None:
    """The task a module belongs to (under tasks/) or is named after (elsewhere)."""
    parts = module.split(".")[1:]
    if not parts or parts == ["tasks"]:
        return None
    names = parts[1:2] if parts[0] == "tasks" else parts[1:]
    for task in tasks:
        if any(name == task or name.startswith(task + "_") for name in names):
            return task
    return None


def entry_point_groups(project: Path) -> set[str]:
    """Entry-point group names declared in ``setup.cfg`` / ``pyproject.toml`` of ``project``."""
    import configparser

    groups = set()
    setup = project / "setup.cfg"
    if setup.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(setup, encoding="utf-8")
        if parser.has_section("options.entry_points"):
            groups |= set(parser.options("options.entry_points"))
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        try:
            import tomllib
        except ImportError:  # Python 3.10: setup.cfg only
            return groups
        with open(pyproject, "rb") as handle:
            project_table = tomllib.load(handle).get("project", {})
        groups |= set(project_table.get("entry-points", {}))
    return groups


def measure(root: Path, tasks=None, allow=()) -> dict:
    root = root.resolve()
    pkg = root.name
    mods, scans, edges, kinds, lazy = graph(root, entry_point_groups(root.parent))
    tasks = sorted(tasks) if tasks else task_names(root, pkg)
    allowed = tuple(f"{pkg}.{b}" for b in (*SERVICE_BASES, *allow))
    ranks = {m: layer(m, pkg, mods) for m in mods}
    owner = {m: task_of(m, pkg, tasks) for m in mods}
    upward, cross = [], []
    for m in sorted(edges):
        for t in sorted(edges[m]):
            if ranks[m] is not None and ranks[t] is not None and ranks[t] > ranks[m]:
                base = any(t == b or t.startswith(b + ".") for b in allowed)
                if not (LAYERS[ranks[m]][0] == "tasks" and base):
                    upward.append([m, t])
            under = [x.startswith(f"{pkg}.tasks.") for x in (m, t)]
            if all(under) and owner[m] and owner[t] and owner[m] != owner[t]:
                cross.append([m, t])
    private, external = private_sites(mods, scans, lazy, SKLEARN_PROTOCOL)
    lines = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in mods.items()}
    largest = max(lines, key=lambda m: (lines[m], m))
    edits = []
    for m, scan in scans.items():
        if owner[m]:
            continue
        names = {c.value for c in scan.strings} | {c.value.split(":")[0] for c in scan.strings}
        named = names & set(tasks) or {n for n in names if n in mods and owner[n]}
        if named or any(owner[t] for t in edges[m]):
            edits.append(m)
    return {
        "package": str(root),
        "modules": len(mods),
        "lines": sum(lines.values()),
        "tasks": tasks,
        "imports": kinds,
        "circles": circles(edges),
        "upward": upward,
        "cross_task": cross,
        "largest": [largest, lines[largest]],
        "over_limit": sorted(([m, n] for m, n in lines.items() if n > SIZE_LIMIT),
                             key=lambda x: -x[1]),
        "private": private,
        "third_party_private": external,
        "task_edits": sorted(edits),
        "task_files": {t: sorted(m for m in mods if owner[m] == t) for t in tasks},
    }


def failures(report: dict, checks) -> list[str]:
    counts = {"circles": len(report["circles"]), "upward": len(report["upward"]),
              "cross-task": len(report["cross_task"]), "private": len(report["private"]),
              "size": len(report["over_limit"])}
    return [f"{c}: {counts[c]}" for c in checks if counts[c]]


def render(report: dict) -> str:
    short = report["package"].rsplit("/", 1)[-1] + "."

    def s(module):
        return module.removeprefix(short)

    circles, imports = report["circles"], report["imports"]
    largest = report["largest"]
    rows = [
        ("modules / lines", f"{report['modules']} / {report['lines']}"),
        ("imports (module level / in functions / by string)",
         f"{imports['module']} / {imports['function']} / {imports['string']}"),
        ("import circles (largest)", f"{len(circles)} ({max(map(len, circles), default=0)})"),
        ("upward arrows between layers", len(report["upward"])),
        ("cross-task arrows", len(report["cross_task"])),
        ("largest file (lines)", f"{s(largest[0])} ({largest[1]})"),
        (f"files over {SIZE_LIMIT} lines", len(report["over_limit"])),
        ("private cross-module uses", len(report["private"])),
        ("private uses on third-party objects", len(report["third_party_private"])),
        ("files to edit for a new task", len(report["task_edits"])),
    ]
    width = max(len(name) for name, _ in rows)
    out = [f"{report['package']}  (tasks: {', '.join(report['tasks']) or 'none'})"]
    out += [f"{name:<{width}}  {value}" for name, value in rows]
    for c in circles:
        out.append(f"circle ({len(c)}): " + " ".join(map(s, c)))
    out += [f"upward: {s(a)} -> {s(b)}" for a, b in report["upward"]]
    out += [f"cross-task: {s(a)} -> {s(b)}" for a, b in report["cross_task"]]
    out += [f"over {SIZE_LIMIT}: {s(m)} ({n})" for m, n in report["over_limit"]]
    out += [f"private: {s(m)}:{line} {name}" for m, line, name in report["private"]]
    out.append("edit for a new task: " + " ".join(map(s, report["task_edits"])))
    for task, files in report["task_files"].items():
        out.append(f"files of {task} ({len(files)}): " + " ".join(map(s, files)))
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", nargs="?", default="rnn_apps", help="package directory")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--tasks", help="comma-separated task names (default: from tasks/)")
    parser.add_argument("--allow", action="append", default=[],
                        help="another service module a task may import (dotted, below the package)")
    parser.add_argument("--fail-on", default="",
                        help=f"exit 1 when any of these is non-zero: {','.join(FAIL_CHECKS)}")
    args = parser.parse_args(argv)
    root = Path(args.package)
    if not (root / "__init__.py").is_file():
        parser.error(f"{root} is not a package directory (no __init__.py)")
    checks = [c for c in args.fail_on.split(",") if c]
    unknown = [c for c in checks if c not in FAIL_CHECKS]
    if unknown:
        parser.error(f"--fail-on: unknown check {unknown[0]!r} (known: {', '.join(FAIL_CHECKS)})")
    tasks = [t for t in (args.tasks or "").split(",") if t]
    try:
        report = measure(root, tasks or None, args.allow)
    except SyntaxError as error:
        parser.error(f"cannot parse {error.filename}:{error.lineno}: {error.msg}")
    print(json.dumps(report, indent=1) if args.json else render(report))
    failed = failures(report, checks)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
