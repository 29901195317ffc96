"""The forecaster's spec: horizon, lookback, columns, targets, future inputs and
quantiles in one frozen record built from the fitted state, read by the
SavedModel export, the serving adapter and the portable description."""

import dataclasses
import json

import pytest

from rnn_apps.tasks.forecast.spec import ForecastSpec


@pytest.fixture(scope="module")
def fitted(series_csv):
    from rnn_apps import Forecaster
    from rnn_apps.data.series import read_series_csv

    table = read_series_csv(series_csv, time_column="date")
    return Forecaster(inputs="relative", deseasonalize="none", ensemble=1, units=4,
                      lookback=10, horizon=3, targets=["sales"], quantiles=[0.9, 0.1],
                      future_covariates=["temp"], calendar=True, epochs=1, seed=0,
                      verbose=0).fit(table)


def test_the_spec_is_the_fitted_models(fitted):
    spec = fitted.spec_
    assert (spec.lookback, spec.horizon, spec.season) == (10, 3, fitted.season_)
    assert spec.columns == ("sales", "temp") and spec.targets == (0,)
    assert spec.target_names == ["sales"] and spec.future_columns == (1,)
    assert spec.quantiles == (0.1, 0.9) and spec.calendar == tuple(fitted.state_["calendar"])
    assert spec.calendar  # daily time stamps: the weekday at least
    assert fitted.lookback_ == spec.lookback
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.horizon = 4


def test_the_spec_round_trips_through_json_and_a_saved_model(fitted, tmp_path):
    from rnn_apps import Forecaster

    text = json.dumps(fitted.spec_.to_dict())
    assert ForecastSpec.from_dict(json.loads(text)) == fitted.spec_
    assert Forecaster.load(fitted.save(tmp_path / "model")).spec_ == fitted.spec_


def test_the_savedmodel_and_its_server_read_the_spec(fitted, tmp_path):
    from rnn_apps.core.model_info import read_info
    from rnn_apps.serving import load_servable

    spec = fitted.spec_
    target = fitted.export(tmp_path / "export")
    assert read_info(target)["serving"]["spec"] == spec.to_dict()
    servable = load_servable(target)
    inputs = servable.signature["inputs"]
    assert inputs["history"]["tensor_shape"] == [-1, spec.lookback, len(spec.columns)]
    assert inputs["future"]["tensor_shape"] == [-1, spec.horizon, len(spec.future_columns)]
    assert inputs["future_time"]["tensor_shape"] == [-1, spec.horizon]
    adapter = servable.adapter
    assert (adapter.lookback, adapter.horizon) == (spec.lookback, spec.horizon)
    assert (adapter.columns, adapter.future_columns) == (2, 1)
    from rnn_apps.serving import Limits
    from rnn_apps.tasks.forecast.serving import ForecastAdapter

    # the adapter reads the marker's spec, not the signature...
    told = {**servable.info, "serving": {"spec": {**spec.to_dict(), "lookback": 7}}}
    assert ForecastAdapter(told, servable.signature, Limits()).lookback == 7
    # ...and a SavedModel exported before the spec was written gets its signature's sizes
    old = ForecastAdapter({**servable.info, "serving": {}}, servable.signature, Limits())
    assert (old.lookback, old.horizon, old.columns, old.future_columns) == (10, 3, 2, 1)


def test_the_portable_description_reads_the_spec(fitted):
    import copy

    from rnn_apps.tasks.forecast.portable import describe

    spec = fitted.spec_
    described = describe(fitted, "onnx")
    assert (described["lookback"], described["horizon"]) == (spec.lookback, spec.horizon)
    assert described["columns"] == list(spec.columns) and described["targets"] == [0]
    assert described["target_names"] == ["sales"] and described["future_columns"] == [1]
    assert described["quantiles"] == [0.1, 0.9] and described["calendar"] == list(spec.calendar)
    assert described["calendar_features"]["shape"] == [3, 2 * len(spec.calendar)]
    told = copy.copy(fitted)
    told.spec_ = dataclasses.replace(spec, lookback=7, horizon=5)
    assert (describe(told, "onnx")["lookback"], describe(told, "onnx")["horizon"]) == (7, 5)
