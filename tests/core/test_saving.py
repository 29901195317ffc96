import json

import pytest

from rnn_apps.core import saving
from rnn_apps.errors import ModelDirError


def test_atomic_directory_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "model"
    with pytest.raises(RuntimeError), saving.atomic_directory(target) as tmp:
        (tmp / "half.txt").write_text("x")
        raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_directory_replaces_an_old_model_but_not_user_files(tmp_path):
    target = tmp_path / "model"
    with saving.atomic_directory(target) as tmp:
        saving.write_metadata(tmp, "sentiment", {}, {})
        (tmp / "model.keras").write_text("k")
    with saving.atomic_directory(target) as tmp:
        saving.write_metadata(tmp, "sentiment", {"units": 3}, {})
    assert json.loads((target / saving.METADATA_FILE).read_text())["params"] == {"units": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]

    users = tmp_path / "notes"
    users.mkdir()
    (users / "thesis.tex").write_text("precious")
    with pytest.raises(ModelDirError, match="not an rnn-apps model"), \
            saving.atomic_directory(users):
        pass
    assert (users / "thesis.tex").read_text() == "precious"


def test_read_metadata_errors_name_the_problem(tmp_path):
    with pytest.raises(ModelDirError, match="does not exist"):
        saving.read_metadata(tmp_path / "missing")
    with pytest.raises(ModelDirError, match="not an rnn-apps model directory"):
        saving.read_metadata(tmp_path)
    (tmp_path / saving.METADATA_FILE).write_text("{not json")
    with pytest.raises(ModelDirError, match="cannot be read"):
        saving.read_metadata(tmp_path)
    saving.write_metadata(tmp_path, "tagging", {}, {})
    with pytest.raises(ModelDirError, match="holds a 'tagging' model, not a 'sentiment' model"):
        saving.read_metadata(tmp_path, expected_task="sentiment")
    meta = json.loads((tmp_path / saving.METADATA_FILE).read_text())
    meta["format_version"] = 99
    (tmp_path / saving.METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelDirError, match="format version 99"):
        saving.read_metadata(tmp_path)


def test_load_of_unknown_task_is_a_clear_error(tmp_path):
    saving.write_metadata(tmp_path, "astrology", {}, {})
    with pytest.raises(ModelDirError, match="unknown task 'astrology'"):
        saving.load(tmp_path)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_written_directories_follow_the_umask(tmp_path, umask, mode):
    import os

    from rnn_apps.core.saving import atomic_directory

    old = os.umask(umask)
    try:
        with atomic_directory(tmp_path / "model") as tmp:
            (tmp / "file.txt").write_text("x")
    finally:
        os.umask(old)
    assert (tmp_path / "model").stat().st_mode & 0o777 == mode
