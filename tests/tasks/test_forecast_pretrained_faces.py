"""The pretrained forecaster's faces: ``forecast train/predict/backtest
--pretrained``, ``rnn-apps info`` on the weights and on a model fitted from
them, a damaged weights file, save/load, the SavedModel and the ONNX core.
Zero-shot fits train nothing, so every model here is built in about a second."""

import csv
import io
import json
import shutil

import numpy as np
import pytest

import rnn_apps
from rnn_apps.data.series import read_series_csv
from rnn_apps.tasks.forecast.estimator import Forecaster
from rnn_apps.tasks.forecast.pretrained import core
from tests.cli.test_cli import one_line_error, run

HORIZON = 12


@pytest.fixture(scope="module")
def monthly_csv(tmp_path_factory):
    """120 months (2010-01 .. 2019-12) of a trending yearly season with noise."""
    rng = np.random.default_rng(0)
    t = np.arange(120)
    values = 10 + 0.05 * t + 2 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.2, 120)
    path = tmp_path_factory.mktemp("pretrained") / "sales.csv"
    rows = [f"{2010 + k // 12}-{k % 12 + 1:02d},{v:.4f}" for k, v in enumerate(values)]
    path.write_text("month,sales\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def zero_shot(monthly_csv):
    return Forecaster(pretrained="zero-shot", horizon=HORIZON, quantiles=(0.1, 0.5, 0.9),
                      verbose=0).fit(read_series_csv(monthly_csv))


def forecast_table(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))


# -- the command line ------------------------------------------------------------------
def test_train_zero_shot_then_predict_equals_predict_pretrained(tmp_path, monthly_csv):
    out = tmp_path / "model"
    result = run("forecast", "train", "--data", monthly_csv, "--horizon", HORIZON,
                 "--pretrained", "zero-shot", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert "nothing trained" in result.output and "the pretrained core, zero-shot" in result.output
    saved = rnn_apps.load(out)
    assert saved.choices_["pretrained"]["mode"] == "zero-shot"
    assert saved.choices_["pretrained"]["sha256"] == core.manifest()["sha256"]

    from_model = run("forecast", "predict", "--model", out, "--data", monthly_csv)
    assert from_model.exit_code == 0, from_model.output
    fitted_here = run("forecast", "predict", "--pretrained", "--data", monthly_csv,
                      "--horizon", HORIZON)
    assert fitted_here.exit_code == 0, fitted_here.output
    assert fitted_here.stdout == from_model.stdout       # nothing else on standard output
    rows = forecast_table(fitted_here.stdout)
    assert rows[0] == ["time", "sales"] and len(rows) == HORIZON + 1
    assert [r[0] for r in rows[1:3]] == ["2020-01", "2020-02"]
    forecast = np.array([float(r[1]) for r in rows[1:]])
    np.testing.assert_allclose(forecast, saved.predict()[:, 0], rtol=1e-5)

    text = run("info", out).output
    assert "pretrained: zero-shot" in text and core.manifest()["sha256"] in text
    assert "cell gru" not in text            # the network is the core, not the class default
    found = json.loads(run("info", out, "--json").output)
    assert found["pretrained"]["mode"] == "zero-shot"


def test_predict_needs_a_model_or_pretrained_and_not_both(tmp_path, monthly_csv):
    result = run("forecast", "predict", "--data", monthly_csv)
    assert result.exit_code == 2 and "Missing option '--model'" in result.output
    assert "--pretrained" in result.output
    one_line_error(run("forecast", "predict", "--model", tmp_path, "--pretrained",
                       "--data", monthly_csv), "not both")
    one_line_error(run("forecast", "predict", "--model", tmp_path, "--horizon", "3",
                       "--data", monthly_csv), "--horizon applies with --pretrained")


def test_backtest_pretrained_scores_the_zero_shot_model(monthly_csv):
    result = run("forecast", "backtest", "--pretrained", "--data", monthly_csv,
                 "--horizon", HORIZON, "--origins", "2", "--quiet", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [row["origin"] for row in report["origins"]] == ["2018-01", "2019-01"]
    expected = Forecaster(pretrained="zero-shot", horizon=HORIZON, verbose=0).backtest(
        read_series_csv(monthly_csv), origins=2)
    assert report["mean"]["mase"] == pytest.approx(expected["mean"]["mase"], rel=1e-6)
    # the pretrained core beats seasonal naive on this smooth season
    assert report["mean"]["mase"] < report["mean"]["baseline_mase"]
    text = run("forecast", "backtest", "--pretrained", "--data", monthly_csv,
               "--horizon", HORIZON, "--origins", "2", "--quiet").output
    assert text.splitlines()[-2].startswith("mean")


def test_info_shows_the_weights_and_their_checksum():
    manifest = core.manifest()
    result = run("info", "--pretrained")
    assert result.exit_code == 0, result.output
    assert f"sha256 {manifest['sha256']} (verified)" in result.output
    for field in ("trained_on", "command", "keras", "tensorflow"):
        assert str(manifest[field]) in result.output
    found = json.loads(run("info", "--pretrained", "--json").output)["forecast"]
    assert found["verified"] is True and found["sha256"] == manifest["sha256"]
    assert found["size_bytes"] == core.WEIGHTS.stat().st_size
    assert found["parameters"] == manifest["parameters"] and found["seconds"] == manifest["seconds"]
    one_line_error(run("info"), "MODEL_DIR")


def test_damaged_weights_are_refused_in_one_line(tmp_path, monkeypatch, monthly_csv):
    for source in (core.WEIGHTS, core.MANIFEST):
        shutil.copy(source, tmp_path / source.name)
    damaged = bytearray((tmp_path / core.WEIGHTS.name).read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    (tmp_path / core.WEIGHTS.name).write_bytes(bytes(damaged))
    monkeypatch.setenv("RNN_APPS_PRETRAINED_DIR", str(tmp_path))

    one_line_error(run("forecast", "predict", "--pretrained", "--data", monthly_csv,
                       "--horizon", HORIZON), "fail their checksum", str(tmp_path))
    one_line_error(run("forecast", "backtest", "--pretrained", "--data", monthly_csv,
                       "--horizon", HORIZON, "--origins", "1", "--quiet"),
                   "fail their checksum")
    result = run("info", "--pretrained")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "FAILS" in result.output and result.output.strip().splitlines()[-1].startswith(
        "Error: the pretrained weights")
    assert json.loads(run("info", "--pretrained", "--json").stdout)["forecast"]["verified"] \
        is False


# -- saved, loaded, exported -----------------------------------------------------------
def test_save_and_load_keep_the_forecasts_and_the_choices(zero_shot, tmp_path, monthly_csv):
    zero_shot.save(tmp_path / "model")
    loaded = rnn_apps.load(tmp_path / "model")
    assert loaded.choices_["pretrained"] == zero_shot.choices_["pretrained"]
    np.testing.assert_allclose(loaded.predict(), zero_shot.predict(), rtol=1e-6)
    np.testing.assert_allclose(loaded.predict_quantiles(), zero_shot.predict_quantiles(),
                               rtol=1e-6)
    earlier = read_series_csv(monthly_csv).values[:-7]         # another history
    np.testing.assert_allclose(loaded.predict(earlier), zero_shot.predict(earlier), rtol=1e-6)


def test_savedmodel_and_onnx_core_forecast_as_predict(zero_shot, tmp_path, monthly_csv):
    import onnxruntime
    import tensorflow as tf

    from rnn_apps.portable import export_core

    values = read_series_csv(monthly_csv).values
    histories = np.stack([values[-zero_shot.lookback_ - k:len(values) - k] for k in (0, 5)])
    point, bands = zero_shot.predict(histories), zero_shot.predict_quantiles(histories)
    assert not np.allclose(point[0], point[1])      # two different forecasts are compared

    zero_shot.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    served = serve(history=tf.constant(histories.astype(np.float32)))
    np.testing.assert_allclose(served["forecast"].numpy(), point, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(served["quantiles"].numpy(), bands, rtol=1e-4, atol=1e-5)

    directory = export_core(zero_shot, tmp_path / "onnx", "onnx")
    described = json.loads((directory / "preprocessing.json").read_text())
    mean, std = (np.asarray(described["scaler"][k]) for k in ("mean", "std"))
    session = onnxruntime.InferenceSession(str(directory / "model.onnx"),
                                           providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    found = dict(zip(names, session.run(names, {"history": ((histories - mean) / std)
                                                .astype(np.float32)})))
    targets = described["targets"]
    np.testing.assert_allclose(found["forecast"] * std[targets] + mean[targets], point,
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(found["quantiles"] * std[targets][:, None]
                               + mean[targets][:, None], bands, rtol=1e-4, atol=1e-5)


def test_cli_export_of_a_zero_shot_model(zero_shot, tmp_path):
    zero_shot.save(tmp_path / "model")
    result = run("forecast", "export", "--model", tmp_path / "model", "--out",
                 tmp_path / "export")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "export" / "saved_model.pb").is_file()
