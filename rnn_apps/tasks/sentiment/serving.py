"""Serving a sentiment model: a text in, its label and class probabilities out."""

from __future__ import annotations

from rnn_apps.serving.adapters import Adapter


class SentimentAdapter(Adapter):
    def run(self, module, instances, options):
        import tensorflow as tf

        out = module.signatures["serving_default"](text=tf.constant(instances))
        labels = self._strings(out["label"].numpy())
        probabilities = out["probabilities"].numpy().tolist()
        return [{"label": label, "probabilities": p} for label, p in zip(labels, probabilities)]
