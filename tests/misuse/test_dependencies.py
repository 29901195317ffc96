"""The Keras we require has no known safe_mode bypass."""

import configparser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

SETUP = Path(__file__).resolve().parents[2] / "setup.cfg"


def test_keras_requirement_excludes_versions_with_safe_mode_bypasses():
    config = configparser.ConfigParser()
    config.read(SETUP)
    lines = [line.strip() for line in config["options"]["install_requires"].splitlines()]
    keras = next(Requirement(line) for line in lines
                 if line and not line.startswith("#") and Requirement(line).name == "keras")
    for unsafe in ("3.8.0", "3.10.0", "3.13.1"):  # CVE-2025-1550, CVE-2025-8747, CVE-2026-1462
        assert not keras.specifier.contains(Version(unsafe))
    assert keras.specifier.contains(Version("3.14.0"))  # the floor (3.13.x: see setup.cfg)
