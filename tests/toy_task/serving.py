"""Serving a counter: a text in, its count out."""

from __future__ import annotations

from rnn_apps.serving.adapters import Adapter


class CountAdapter(Adapter):
    def run(self, module, instances, options):
        import tensorflow as tf

        out = module.signatures["serving_default"](text=tf.constant(instances))
        return [{"count": value} for value in out["count"].numpy().tolist()]
