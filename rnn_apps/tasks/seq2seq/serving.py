"""Serving a sequence-to-sequence model: a source text in, the decoded text out
(beam width, length and length penalty per request)."""

from __future__ import annotations

from rnn_apps.serving.adapters import Adapter


class Seq2SeqAdapter(Adapter):
    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        serving = info.get("serving") or {}
        self.options_spec = {
            "beam_width": (int, 1, 64, int(self.params.get("beam_width") or 1)),
            "max_length": (int, 1, limits.max_generation_length,
                           min(int(serving.get("max_length", 100)),
                               limits.max_generation_length)),
            "length_penalty": (float, 0.0, 10.0, float(self.params.get("length_penalty", 0.0))),
        }

    def run(self, module, instances, options):
        import tensorflow as tf

        out = module.decode(tf.constant(instances), tf.constant(options["beam_width"], tf.int32),
                            tf.constant(options["max_length"], tf.int32),
                            tf.constant(options["length_penalty"], tf.float32))
        return [{"output": text} for text in self._strings(out["output"].numpy())]
