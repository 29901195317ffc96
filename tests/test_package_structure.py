"""The package keeps the shape issue 28 gave it: no import circles, no arrow up
a layer or across tasks, no private name used from another module, no module
over 300 lines (tools/architecture.py, the numbers in docs/architecture.md)."""

import subprocess
import sys

from tests.conftest import ROOT


def test_the_package_has_no_circles_upward_arrows_private_uses_or_long_files():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "architecture.py"), str(ROOT / "rnn_apps"),
         "--fail-on", "circles,upward,cross-task,private,size"],
        check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
