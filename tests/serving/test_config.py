"""models.json and version policies, read without TensorFlow."""

import json
import subprocess
import sys

import pytest

from rnn_apps.errors import RnnAppsError
from rnn_apps.serving.config import ModelConfig, one_model, read_config


def base_with_versions(root, versions, kind="saved_model.pb"):
    for version in versions:
        (root / str(version)).mkdir(parents=True)
        (root / str(version) / kind).write_bytes(b"")
    return root


def write(tmp_path, value):
    path = tmp_path / "models.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def test_policies_choose_versions(tmp_path):
    base = base_with_versions(tmp_path / "m", [1, 2, 10])
    (base / "7").mkdir()  # a version still being written (no saved_model.pb): not served
    (base / "notes").mkdir()
    assert list(ModelConfig("m", base).wanted()) == ["10"]
    assert list(ModelConfig("m", base, latest=2).wanted()) == ["2", "10"]
    assert list(ModelConfig("m", base, latest=0).wanted()) == ["1", "2", "10"]
    assert list(ModelConfig("m", base, None, (1, 3)).wanted()) == ["1"]
    assert ModelConfig("m", base).versioned
    single = tmp_path / "single"
    single.mkdir()
    (single / "rnn_apps.json").write_text("{}")
    assert ModelConfig("m", single).wanted() == {"1": single}
    assert not ModelConfig("m", single).versioned


def test_config_file_reads_names_paths_and_policies(tmp_path):
    base_with_versions(tmp_path / "a", [1, 2])
    base_with_versions(tmp_path / "b", [1, 3])
    path = write(tmp_path, {"models": [
        {"name": "reviews", "base_path": "a"},
        {"name": "co2", "base_path": str(tmp_path / "b"), "version_policy": {"specific": [1, 3]}},
        {"name": "all", "base_path": "a", "version_policy": "all"},
        {"name": "two", "base_path": "a", "version_policy": {"latest": 2}}]})
    configs = read_config(path)
    assert [c.name for c in configs] == ["reviews", "co2", "all", "two"]
    assert configs[0].base_path == tmp_path / "a"  # relative to the config file
    assert list(configs[0].wanted()) == ["2"]
    assert list(configs[1].wanted()) == ["1", "3"]
    assert list(configs[2].wanted()) == ["1", "2"] == list(configs[3].wanted())


@pytest.mark.parametrize("value, fragment", [
    ("{not json", "is not readable JSON"),
    ({"models": []}, 'expected {"models"'),
    ({"models": [{"name": "a"}]}, "needs a 'name' and a 'base_path'"),
    ({"models": [{"name": "a", "base_path": "x", "extra": 1}]}, "unknown field 'extra'"),
    ({"models": [{"name": "a b", "base_path": "x"}]}, "must be letters, digits"),
    ({"models": [{"name": "a", "base_path": "x"}, {"name": "a", "base_path": "y"}]},
     "'a' is given more than once"),
    ({"models": [{"name": "a", "base_path": "x", "version_policy": {"latest": 0}}]},
     "version_policy must be"),
    ({"models": [{"name": "a", "base_path": "x", "version_policy": {"specific": []}}]},
     "version_policy must be"),
    ({"models": [{"name": "a", "base_path": "x", "version_policy": "newest"}]},
     "version_policy must be"),
])
def test_bad_config_files_get_one_line(tmp_path, value, fragment):
    with pytest.raises(RnnAppsError) as error:
        read_config(write(tmp_path, value))
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_missing_config_and_bad_name(tmp_path):
    with pytest.raises(RnnAppsError, match="does not exist"):
        read_config(tmp_path / "absent.json")
    with pytest.raises(RnnAppsError, match="must be letters"):
        one_model(tmp_path, name="no/slashes")


REFUSE = """
import sys
from click.testing import CliRunner
from rnn_apps.cli import cli
result = CliRunner().invoke(cli, ["serve", *sys.argv[1:]])
print(result.exit_code, "tensorflow" in sys.modules)
print(result.output.strip().splitlines()[-1])
"""


@pytest.mark.parametrize("make, fragment", [
    (lambda tmp: ["--model", str(tmp / "absent")], "does not exist"),
    (lambda tmp: ["--model", str(base_with_versions(tmp / "b", [1]) / "1" / "saved_model.pb")],
     "not"),
    (lambda tmp: ["--config", str(write(tmp, {"models": [{"name": "a", "base_path": "zz"}]}))],
     "does not exist"),
    (lambda tmp: ["--config", str(write(tmp, {"models": [
        {"name": "a", "base_path": str(base_with_versions(tmp / "c", [1])),
         "version_policy": {"specific": [4]}}]}))], "has no version 4"),
    (lambda tmp: ["--model", str(tmp), "--config", "x.json"], "exactly one of --model"),
])
def test_serve_refuses_before_tensorflow_loads(tmp_path, make, fragment):
    out = subprocess.run([sys.executable, "-c", REFUSE, *make(tmp_path)], capture_output=True,
                         text=True, timeout=120, check=False)
    first, line = out.stdout.splitlines()[:2]
    status, loaded = first.split()
    assert status != "0" and loaded == "False", out.stdout
    assert fragment in line and "Traceback" not in out.stdout + out.stderr, out.stdout
