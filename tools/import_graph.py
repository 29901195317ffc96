"""The parsing half of ``tools/architecture.py``: a package's import graph and
its private-name sites, from the source alone (the rules are in that script's
docstring)."""

from __future__ import annotations

import ast
from pathlib import Path


def find_modules(root: Path) -> dict[str, Path]:
    mods = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


class Scan(ast.NodeVisitor):
    """One pass over a module: imports, strings, private names, definitions."""

    def __init__(self):
        self.imports = []  # (node, kind) with kind "module" or "function"
        self.strings = []  # str constants outside docstrings
        self.constants = set()  # ids of str constants assigned to a module-level name
        self.private_from = []  # (node, name) for ``from M import _name``
        self.attrs = []  # (line, name) for ``x._name``, x not self/cls/super()
        self.attr_names = set()  # every ``x.name``
        self.defined = set()
        self.depth = 0  # function nesting
        self.scope = []  # "class" / "def"

    def _def(self, node):
        self.defined.add(node.name)
        self.scope.append("def")
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _def

    def visit_Lambda(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_ClassDef(self, node):
        self.defined.add(node.name)
        self.scope.append("class")
        self.generic_visit(node)
        self.scope.pop()

    def visit_If(self, node):
        test = node.test
        name = getattr(test, "id", None) or getattr(test, "attr", None)
        if name == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node):
        self.imports.append((node, "function" if self.depth else "module"))

    def visit_ImportFrom(self, node):
        self.imports.append((node, "function" if self.depth else "module"))
        for alias in node.names:
            if _private(alias.name):
                self.private_from.append((node, alias.name))

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring or a bare string
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            self.strings.append(node)

    def visit_Assign(self, node):
        value = node.value
        if not self.scope and isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.constants.add(id(value))
        self.generic_visit(node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store) and (not self.scope or self.scope[-1] == "class"):
            self.defined.add(node.id)

    def _access(self, value, name, line):
        own = isinstance(value, ast.Name) and value.id in ("self", "cls")
        own = own or (isinstance(value, ast.Call) and getattr(value.func, "id", "") == "super")
        if own:
            self.defined.add(name)
        elif _private(name):
            self.attrs.append((line, name))

    def visit_Attribute(self, node):
        self.attr_names.add(node.attr)
        self._access(node.value, node.attr, node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node):
        func, args = getattr(node.func, "id", ""), node.args
        if (func in ("getattr", "setattr", "hasattr", "delattr") and len(args) >= 2
                and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str)):
            self._access(args[0], args[1].value, node.lineno)
        self.generic_visit(node)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def lazy_table(tree: ast.Module, mods) -> tuple[dict[str, str], set[int]]:
    """``{"Name": ("module", "attr")}`` dicts at module level: name -> module, string ids."""
    table, ids = {}, set()
    for stmt in tree.body:
        value = getattr(stmt, "value", None)
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or not isinstance(value, ast.Dict):
            continue
        pairs = [(k, v) for k, v in zip(value.keys, value.values)
                 if isinstance(k, ast.Constant) and isinstance(v, ast.Tuple) and len(v.elts) == 2
                 and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
                 and v.elts[0].value in mods]
        if pairs and len(pairs) == len(value.keys):
            for k, v in pairs:
                table[k.value] = v.elts[0].value
                ids.update(id(e) for e in v.elts)
    return table, ids


def nearest(name: str, mods) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def targets(module: str, node, mods, lazy) -> list[str]:
    """Modules of the package an import statement reaches (see the module docstring)."""
    if isinstance(node, ast.Import):
        return [nearest(a.name, mods) for a in node.names]
    if node.level:
        parts = module.split(".")
        keep = len(parts) - node.level + (mods[module].name == "__init__.py")
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    found = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        found.append(sub if sub in mods else lazy.get(base, {}).get(alias.name, nearest(base, mods)))
    return found


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (iterative Tarjan)."""
    index, low, on, stack, found = {}, {}, set(), [], []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return sorted(found, key=lambda c: (-len(c), c))


def graph(root: Path, groups=frozenset()):
    """Modules, their scans, import arrows and arrow counts by kind, lazy tables.
    ``groups``: entry-point group names; a module-level constant equal to one
    names the group, not a module."""
    pkg = root.name
    mods = find_modules(root)
    trees = {m: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for m, p in mods.items()}
    lazy, lazy_ids = {}, set()
    for m, tree in trees.items():
        if mods[m].name == "__init__.py":
            table, ids = lazy_table(tree, mods)
            if table:
                lazy[m] = table
                lazy_ids |= ids
    scans, edges, kinds = {}, {m: set() for m in mods}, {"module": 0, "function": 0, "string": 0}
    for m, tree in trees.items():
        scan = scans[m] = Scan()
        scan.visit(tree)
        found = [(t, kind) for node, kind in scan.imports for t in targets(m, node, mods, lazy)]
        for const in scan.strings:
            name = const.value.split(":")[0]
            group = const.value in groups and id(const) in scan.constants
            if id(const) not in lazy_ids and name in mods and "." in name and name != pkg \
                    and not group:
                found.append((name, "string"))
        names = {c.value for c in scan.strings} | scan.attr_names
        for package, table in lazy.items():  # ``import P`` then ``P.Name`` or getattr(P, "Name")
            if package != m and package in {t for t, _ in found}:
                found += [(table[n], "string") for n in sorted(names & set(table))]
        for t, kind in found:
            if t and t != m and t in mods:
                kinds[kind] += 1
                edges[m].add(t)
    return mods, scans, edges, kinds, lazy


def private_sites(mods, scans, lazy, protocol=frozenset()):
    """(package privates, third-party privates): [module, line, name] per site;
    names in ``protocol`` (a library's documented private-named hooks) are skipped."""
    definers = {}  # private name -> modules that define or reach for it
    for m, scan in scans.items():
        for name in scan.defined | {name for _, name in scan.attrs}:
            definers.setdefault(name, set()).add(m)
    private, external = [], []
    for m, scan in scans.items():
        for node, name in scan.private_from:
            for t in targets(m, node, mods, lazy):
                if t and t != m and t in mods:
                    private.append([m, node.lineno, name])
        for line, name in scan.attrs:
            if name in scan.defined or name in protocol:
                continue
            (private if definers.get(name, set()) - {m} else external).append([m, line, name])
    return sorted(private), sorted(external)
