"""Serving a tagger: tokens (a list, or a string split as the training text was) or
feature frames in, one tag per token or frame out."""

from __future__ import annotations

import numpy as np

from rnn_apps.serving.adapters import Adapter, RequestError, parse_field, parse_matrix, parse_text


class TaggingAdapter(Adapter):
    def __init__(self, info, signature, limits):
        super().__init__(info, signature, limits)
        self.main = "tokens" if "tokens" in signature["inputs"] else "frames"
        self.features = signature["inputs"].get("frames", {}).get("tensor_shape", [0, 0, 0])[-1]

    def parse(self, instance):
        value = parse_field(instance, self.main)
        if self.main == "tokens":
            if isinstance(value, str):  # split as the model's training text was
                value = self._split(value)
            if not isinstance(value, list) or not value:
                raise RequestError("tokens must be a non-empty list of strings (or one string)")
            if len(value) > self.limits.max_text_chars:
                raise RequestError(f"{len(value)} tokens; the limit is "
                                   f"{self.limits.max_text_chars}", status=413)
            return [parse_text(token, "a token", self.limits) for token in value]
        rows = parse_matrix(value, "frames", self.features)
        if len(rows) > self.limits.max_text_chars:
            raise RequestError(f"{len(rows)} frames; the limit is {self.limits.max_text_chars}",
                               status=413)
        return rows

    def _split(self, text: str) -> list[str]:
        from rnn_apps.errors import RnnAppsError
        from rnn_apps.preprocessing.tokens import split_text

        tokenizer = (self.info.get("serving") or {}).get("tokenizer", "whitespace")
        try:
            return split_text([parse_text(text, "tokens", self.limits)], tokenizer)[0]
        except RnnAppsError as error:  # spaCy missing here: token lists still work
            raise RequestError(f"{error}; or send token lists", status=501) from None

    def run(self, module, instances, options):
        import tensorflow as tf

        length = max(len(item) for item in instances)
        if self.main == "tokens":
            batch = np.full((len(instances), length), "", dtype=object)
        else:
            batch = np.full((len(instances), length, self.features), np.nan, np.float32)
        for row, item in enumerate(instances):
            batch[row, :len(item)] = item
        tensor = tf.constant(batch.tolist() if self.main == "tokens" else batch)
        tags = module.signatures["serving_default"](**{self.main: tensor})["tags"].numpy()
        return [{"tags": self._strings(tags[row, :len(item)])}
                for row, item in enumerate(instances)]
