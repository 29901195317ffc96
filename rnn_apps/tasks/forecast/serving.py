"""Serving a forecaster: a history (with future covariates and times when the
model reads them) in, the forecast (and quantiles) out."""

from __future__ import annotations

import numpy as np

from rnn_apps.serving.adapters import Adapter, RequestError, parse_matrix
from rnn_apps.tasks.forecast.spec import ForecastSpec


class ForecastAdapter(Adapter):
    main = "history"

    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        inputs = signature["inputs"]
        self.extra = [name for name in ("future", "future_time") if name in inputs]
        spec = (info.get("serving") or {}).get("spec")
        if spec is not None:  # the fitted model's spec, written by its export
            spec = ForecastSpec.from_dict(spec)
            self.lookback, self.columns, self.horizon = \
                spec.lookback, len(spec.columns), spec.horizon
            self.future_columns = len(spec.future_columns)
        else:  # a SavedModel exported before the spec was written: its signature's sizes
            self.lookback, self.columns = inputs["history"]["tensor_shape"][1:]
            self.future_columns = inputs["future"]["tensor_shape"][-1] \
                if "future" in inputs else 0
            self.horizon = (inputs.get("future") or inputs.get("future_time") or {}) \
                .get("tensor_shape", [0, 0])[1]
        has_quantiles = "quantiles" in signature["outputs"]
        self.options_spec = {"quantiles": (bool, False, True, has_quantiles)} \
            if has_quantiles else {}

    def parse(self, instance):
        names = ["history", *self.extra]
        if not isinstance(instance, dict):
            instance = {"history": instance}
        if sorted(instance) != sorted(names):
            raise RequestError(f"a forecast instance needs the field(s) {names}; "
                               f"got {sorted(instance)}")
        history = parse_matrix(instance["history"], "history", self.columns)
        if len(history) < self.lookback:
            raise RequestError(f"history has {len(history)} steps; this model reads the last "
                               f"{self.lookback}")
        parsed = {"history": history[-self.lookback:]}
        if "future" in instance:
            parsed["future"] = parse_matrix(instance["future"], "future", self.future_columns,
                                       rows=self.horizon)
        if "future_time" in instance:
            times = instance["future_time"]
            if not isinstance(times, list) or len(times) != self.horizon or any(
                    isinstance(t, bool) or not isinstance(t, int) for t in times):
                raise RequestError(f"future_time must be {self.horizon} integers "
                                   f"(epoch seconds)")
            parsed["future_time"] = np.asarray(times, np.int64)
        return parsed

    def run(self, module, instances, options):
        import tensorflow as tf

        given = {name: tf.constant(np.stack([item[name] for item in instances]))
                 for name in instances[0]}
        out = module.signatures["serving_default"](**given)
        answers = [{"forecast": row} for row in out["forecast"].numpy().tolist()]
        if options.get("quantiles"):
            for answer, row in zip(answers, out["quantiles"].numpy().tolist()):
                answer["quantiles"] = row
        return answers
