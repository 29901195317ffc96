"""Serving a text generator: a prompt in, generated text out (length,
temperature, top-k and seed per request)."""

from __future__ import annotations

from rnn_apps.serving.adapters import Adapter


class TextgenAdapter(Adapter):
    main = "prompt"

    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        self.options_spec = {
            "length": (int, 1, limits.max_generation_length,
                       min(200, limits.max_generation_length)),
            "temperature": (float, 0.0, 100.0, 1.0),
            "top_k": (int, 1, 1 << 20, None),
            "seed": (int, 0, 2**31 - 1, None),
        }

    def batchable(self, options):
        return dict(options)["seed"] is None  # a seeded sample is drawn on its own, as in Python

    def run(self, module, instances, options):
        import tensorflow as tf

        out = module.generate_seeded(
            tf.constant(instances), tf.constant(options["length"], tf.int32),
            tf.constant(options["temperature"], tf.float32),
            tf.constant(options["top_k"] or 0, tf.int32),
            tf.constant(-1 if options["seed"] is None else options["seed"], tf.int32))
        return [{"text": text} for text in self._strings(out["text"].numpy())]
