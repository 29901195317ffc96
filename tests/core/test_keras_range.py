"""Keras and TensorFlow are a tested range: setup.cfg's lower bounds are the
versions `make test-oldest` pins, its upper bounds stop before the next minor,
and the suite runs on versions inside it."""

import configparser
from pathlib import Path

import keras
import tensorflow as tf
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def requirements():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = [line.strip() for line in config["options"]["install_requires"].splitlines()]
    return {r.name: r for r in (Requirement(line) for line in lines
                                if line and not line.startswith("#"))}


def oldest():
    lines = (ROOT / ".ci" / "oldest.txt").read_text(encoding="utf-8").splitlines()
    pins = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {pin.name: Version(str(pin.specifier).removeprefix("==")) for pin in pins}


def test_oldest_pins_are_the_lower_bounds_and_the_range_ends_before_a_new_minor():
    required, pinned = requirements(), oldest()
    assert sorted(pinned) == ["keras", "tensorflow"]
    for name, version in pinned.items():
        bounds = {spec.operator: Version(spec.version) for spec in required[name].specifier}
        assert set(bounds) == {">=", "<"}, f"{name}: {required[name]}"
        assert bounds[">="] == version
        upper = bounds["<"]
        assert upper.micro == 0 and upper > version, f"{name}: {upper} is not a next minor"


def test_the_installed_versions_are_inside_the_range():
    required = requirements()
    assert required["keras"].specifier.contains(keras.__version__)
    assert required["tensorflow"].specifier.contains(tf.__version__.split("+")[0])
