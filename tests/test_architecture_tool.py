"""tools/architecture.py on a tiny synthetic package: each measure finds what was planted."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "architecture.py"
spec = importlib.util.spec_from_file_location("architecture_tool", TOOL)
architecture = importlib.util.module_from_spec(spec)
spec.loader.exec_module(architecture)

FILES = {
    "__init__.py": '__version__ = "1"\n_LAZY = {"Alpha": ("pkg.tasks.alpha", "Alpha")}\n',
    "errors.py": "class Oops(Exception):\n    pass\n",
    "core/__init__.py": "",
    "core/base.py": (
        "import importlib\n\n\n"
        "def _helper():\n    return 1\n\n\n"
        "def load():\n"
        '    """Mentions pkg.tasks.alpha and "alpha" in a docstring: no arrow, no edit."""\n'
        '    importlib.import_module("pkg.tasks")\n'
    ),
    "tasks/__init__.py": "from pkg.tasks.alpha import Alpha\nfrom pkg.tasks.beta import x\n",
    "tasks/alpha.py": (
        "from pkg.core.base import _helper, load\n"
        "from pkg.serving import adapters\n\n\n"
        "class Alpha:\n"
        "    def __init__(self):\n        self._secret = load()\n\n"
        "    def peek(self, other):\n        return other._secret, self._secret, other.__class__\n\n"
        "    def later(self):\n        from pkg.tasks.beta import x\n        return x\n"
    ),
    "tasks/beta.py": (
        "from pkg.serving.app import run\n\nx = 1\n\n\n"
        "def spy(task, model):\n    return task._secret, model._keras_only, run\n"
    ),
    "serving/__init__.py": "",
    "serving/adapters.py": "",
    "serving/app.py": "def run():\n    pass\n",
    "cli/__init__.py": (
        'CLASSES = {"alpha": "Alpha"}\n\n\n'
        "def cls(name):\n    import pkg\n\n    return getattr(pkg, CLASSES[name])\n"
    ),
    "cli/alpha.py": "from pkg.tasks.alpha import Alpha\n",
    "big.py": "x = 0\n" * 301,
}


@pytest.fixture
def package(tmp_path):
    for name, text in FILES.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "pkg"


def test_measures_find_what_was_planted(package):
    report = architecture.measure(package)
    assert report["tasks"] == ["alpha", "beta"]
    # core.base -> tasks only by string; tasks.alpha -> tasks.beta only inside a function
    assert report["circles"] == [["pkg.core.base", "pkg.tasks", "pkg.tasks.alpha"]]
    assert report["cross_task"] == [["pkg.tasks.alpha", "pkg.tasks.beta"]]
    assert report["imports"]["function"] >= 2 and report["imports"]["string"] >= 2
    # the service base module is allowed to a task, serving.app is not; the cli reads the
    # package top (upward) and, through the lazy table, tasks.alpha (downward)
    assert report["upward"] == [["pkg.cli", "pkg"], ["pkg.core.base", "pkg.tasks"],
                                ["pkg.tasks.beta", "pkg.serving.app"]]
    assert report["largest"] == ["pkg.big", 301]
    assert report["over_limit"] == [["pkg.big", 301]]
    sites = {(m.removeprefix("pkg."), name) for m, _, name in report["private"]}
    assert sites == {("tasks.alpha", "_helper"), ("tasks.beta", "_secret")}
    assert [s[2] for s in report["third_party_private"]] == ["_keras_only"]
    # tables naming a task are edits; cli.alpha is named after a task (a new file)
    assert report["task_edits"] == ["pkg", "pkg.cli", "pkg.tasks"]
    assert report["task_files"]["alpha"] == ["pkg.cli.alpha", "pkg.tasks.alpha"]


def test_allow_extends_the_service_bases(package):
    report = architecture.measure(package, allow=["serving.app"])
    assert ["pkg.tasks.beta", "pkg.serving.app"] not in report["upward"]


def test_task_helpers_of_cli_and_viz_are_allowed(package):
    (package / "cli" / "options.py").write_text("def option():\n    pass\n")
    (package / "viz").mkdir()
    (package / "viz" / "__init__.py").write_text("")
    (package / "viz" / "plots.py").write_text("")
    (package / "tasks" / "gamma.py").write_text(
        "from pkg.cli.options import option\nfrom pkg.viz import plots\nfrom pkg.cli import alpha\n")
    upward = [arrow for arrow in architecture.measure(package)["upward"]
              if arrow[0] == "pkg.tasks.gamma"]
    assert upward == [["pkg.tasks.gamma", "pkg.cli.alpha"]]


def test_an_entry_point_group_constant_is_no_arrow(package):
    (package / "core" / "plugins.py").write_text('GROUP = "pkg.tasks"\n')
    assert ["pkg.core.plugins", "pkg.tasks"] in architecture.measure(package)["upward"]
    (package.parent / "setup.cfg").write_text(
        "[options.entry_points]\npkg.tasks =\n    Alpha = pkg.tasks.alpha:Alpha\n")
    upward = architecture.measure(package)["upward"]
    assert ["pkg.core.plugins", "pkg.tasks"] not in upward
    assert ["pkg.core.base", "pkg.tasks"] in upward  # import_module("pkg.tasks") still is


def test_sklearn_protocol_names_are_not_private_uses(package):
    (package / "core" / "checks.py").write_text(
        "def check(est):\n    return est._parameter_constraints, est._validate_params(), "
        "est._secret\n")
    sites = [(m, name) for m, _, name in architecture.measure(package)["private"]
             if m == "pkg.core.checks"]
    assert sites == [("pkg.core.checks", "_secret")]


def run(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)],
                          check=False, capture_output=True, text=True, timeout=60)


def test_command_line_json_and_fail_on(package, tmp_path):
    done = run(package, "--json", "--fail-on", "circles,size")
    assert done.returncode == 1
    assert json.loads(done.stdout)["largest"] == ["pkg.big", 301]
    assert "circles: 1, size: 1" in done.stderr
    assert run(package, "--fail-on", "cross-task").returncode == 1
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "__init__.py").write_text("from clean import errors\n")
    (clean / "errors.py").write_text("")
    done = run(clean, "--fail-on", ",".join(architecture.FAIL_CHECKS))
    assert done.returncode == 0, done.stderr
    assert "import circles (largest)" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["missing"], "is not a package directory"),
    (["PKG", "--fail-on", "circles,bogus"], "unknown check 'bogus'"),
    (["PKG"], "cannot parse"),
])
def test_bad_input_is_one_line_error(package, args, message):
    if message == "cannot parse":
        (package / "broken.py").write_text("def f(:\n")
    done = run(*[package if a == "PKG" else package.parent / a for a in args[:1]], *args[1:])
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert message in last and "Traceback" not in done.stderr
