"""Provenance in the model directory, rnn-apps info, and export --version."""

import hashlib
import json

from rnn_apps import SentimentClassifier
from rnn_apps.core.saving import ModelDirError, read_metadata
from tests.cli.test_cli import TINY_ARGS, one_line_error, run


def test_train_records_the_data_file_and_info_prints_it(tmp_path, small_csv):
    valid = tmp_path / "valid.csv"
    valid.write_bytes(small_csv.read_bytes())
    original = small_csv.read_bytes()
    out = tmp_path / "model"
    result = run("sentiment", "train", "--data", small_csv, "--valid-data", valid, "--out", out,
                 *TINY_ARGS)
    assert result.exit_code == 0, result.output
    assert small_csv.read_bytes() == original
    record = read_metadata(out)["provenance"]
    digest = hashlib.sha256(original).hexdigest()
    assert record["data_files"] == [
        {"name": "train.csv", "role": "train", "size": len(original), "sha256": digest},
        {"name": "valid.csv", "role": "validation", "size": len(original), "sha256": digest}]
    assert record["records"] == 120
    assert set(record["versions"]) == {"rnn_apps", "tensorflow", "keras", "python"}
    assert {"loss", "accuracy", "best_epoch"} <= set(record["validation"])

    text = run("info", out).output
    assert f"sha256 {digest}" in text and "records: 120" in text
    assert "validation: best_epoch 1" in text and "model directory of a sentiment model" in text
    found = json.loads(run("info", out, "--json").output)
    assert found["provenance"] == record and found["params"]["units"] == 4


def test_export_versions_carry_the_record_and_info_reads_the_highest(tmp_path, small_csv):
    model = tmp_path / "model"
    assert run("sentiment", "train", "--data", small_csv, "--out", model,
               *TINY_ARGS).exit_code == 0
    base = tmp_path / "serving"
    for version in (2, 10):
        result = run("sentiment", "export", "--model", model, "--out", base, "--version",
                     version)
        assert result.exit_code == 0 and f"{base}/{version}" in result.output
    assert (base / "10" / "saved_model.pb").is_file()
    found = json.loads(run("info", base, "--json").output)
    assert found["path"] == str(base / "10") and found["kind"] == "SavedModel"
    assert found["provenance"] == read_metadata(model)["provenance"]

    (base / "notes.txt").write_text("mine")
    one_line_error(run("sentiment", "export", "--model", model, "--out", base, "--version", 3),
                   "not only numbered versions")
    assert not (base / "3").exists() and (base / "notes.txt").read_text() == "mine"
    refused = run("sentiment", "export", "--model", model, "--out", base, "--version", 0)
    assert refused.exit_code == 2 and "not in the range x>=1" in refused.output


def test_python_fit_records_files_it_is_told_and_old_models_say_so(tmp_path, sentiment_train):
    texts, labels = sentiment_train
    source = tmp_path / "reviews.txt"
    source.write_text("\n".join(texts), encoding="utf-8")
    clf = SentimentClassifier(units=4, embedding_dim=4, epochs=1, seed=0, verbose=0)
    clf.fit(texts, labels, data_files=[source])
    assert clf.provenance_["records"] == len(texts)
    assert clf.provenance_["data_files"][0]["name"] == "reviews.txt"
    clf.fit(texts[:50], labels[:50])
    assert clf.provenance_["data_files"] == [] and clf.provenance_["records"] == 50
    clf.save(tmp_path / "model")
    assert "data files: none recorded" in run("info", tmp_path / "model").output

    meta_path = tmp_path / "model" / "rnn_apps.json"
    metadata = json.loads(meta_path.read_text())
    del metadata["provenance"]
    meta_path.write_text(json.dumps(metadata))
    assert "provenance: not recorded" in run("info", tmp_path / "model").output
    metadata["provenance"] = [1]
    meta_path.write_text(json.dumps(metadata))
    try:
        read_metadata(tmp_path / "model")
    except ModelDirError as error:
        assert "'provenance' must be a JSON object" in str(error)
    else:
        raise AssertionError("a malformed provenance entry was accepted")
    one_line_error(run("info", tmp_path / "nowhere"), "does not exist")
