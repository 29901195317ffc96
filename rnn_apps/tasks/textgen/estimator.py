"""Text generation: a character- or subword-level language model (one-to-many)."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from rnn_apps.core import choices, registry
from rnn_apps.core import params as rules
from rnn_apps.core.task import BaseTask
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing.strings import check_string
from rnn_apps.tasks.textgen.choices import TEXTGEN_LEVELS, TEXTGEN_MODES
from rnn_apps.tasks.textgen.data import (
    check_text,
    fit_vocabulary,
    is_text_stream,
    split_text,
    training_data,
    vocabulary_from,
    vocabulary_state,
)

UNIT_NAMES = {"char": "character", "piece": "piece", "word": "word"}


class TextGenerator(BaseTask):
    """Language model: learns the next character (or subword piece), then writes text.

    ``level="word"``: lower-cased words, punctuation and line breaks words of their own
    (:mod:`rnn_apps.preprocessing.words`; ``max_chars`` caps them, 20,000 by default).
    ``level="subword"`` reads and writes pieces of a SentencePiece
    ``subword_model`` (unigram or bpe) of up to ``vocab_size`` pieces learned from the training text (line breaks
    are pieces of their own; runs of spaces become one); ``length`` in
    :meth:`generate` then counts pieces and ``max_chars`` caps the pieces.

    ``mode="tbptt"`` cuts the text into ``batch_size`` contiguous streams and
    trains on ``bptt``-step chunks with the recurrent state carried from chunk
    to chunk (reset every epoch); ``mode="windows"`` trains on independent
    ``bptt``-character windows. ``embedding_dim=None`` feeds one-hot characters.
    Gradient clipping (``clipnorm=1.0``) is on by default. ``direction="backward"``
    learns the text right to left (a backward character model for tagging's
    ``char_lm``): ``evaluate`` reads it reversed, and ``generate`` writes text
    that ends with the prompt (the SavedModel takes and returns reversed text).
    """

    task_name = "textgen"
    # where the services find this task's pieces (rnn_apps.core.registry.LAYOUT)
    hooks: ClassVar[dict] = registry.package_hooks(cli="textgen", serving_adapter="TextgenAdapter")
    _parameter_constraints: ClassVar[dict] = {
        **BaseTask._parameter_constraints,
        "embedding_dim": [rules.size(1, "embedding_dim"), None],
        "max_chars": [rules.size(2, "vocabulary"), None],
        "level": [rules.one_of(*TEXTGEN_LEVELS)], "vocab_size": [rules.VOCAB_SIZE],
        "subword_model": [rules.one_of(*choices.SUBWORD_MODELS)],
        "mode": [rules.one_of(*TEXTGEN_MODES)], "bptt": [rules.size(1, "sequence")],
        "direction": [rules.one_of("forward", "backward")],
    }

    def __init__(self, *, cell="lstm", units=128, layers=1, bidirectional=False, dropout=0.0,
                 recurrent_dropout=0.0, clipnorm=1.0, clipvalue=None, spectral_radius=0.9,
                 leak_rate=1.0, input_scaling=1.0, embedding_dropout=0.0, weight_drop=0.0,
                 locked_dropout=False, activation_reg=0.0, temporal_reg=0.0, embedding_dim=32, level="char",
                 vocab_size=2000, subword_model="unigram", max_chars=None, mode="tbptt",
                 bptt=64, epochs=10, batch_size=32, learning_rate=2e-3, patience=3,
                 valid_split=0.1, seed=None, verbose=1, distribute="none",
                 mixed_precision=False, direction="forward"):
        self._store_params(locals())

    def _check_settings(self):
        if self.bidirectional:
            raise RnnAppsError("a language model reads left to right; bidirectional=True "
                               "is not possible for textgen")

    def _oriented(self, text):
        """``text`` as the model reads it: reversed for ``direction="backward"``."""
        return text[::-1] if text and self.direction == "backward" else text

    # -- training ---------------------------------------------------------
    def _plan(self, X, y, validation_data, prior):
        """Character vocabulary and stream-ordered (tbptt) or shuffled (windows)
        training data for the engine; validation is the streamed loss."""
        from rnn_apps.core.engine import TrainingPlan
        from rnn_apps.tasks.textgen import network as textgen_model

        config = self.config_
        if is_text_stream(X):
            from rnn_apps.tasks.textgen.stream import stream_training

            if self.direction == "backward":
                raise DataError("a backward language model reads its text in memory")
            vocabulary, train, size, valid_ids, reset_every, errors = stream_training(
                self, X, validation_data, prior)
            ratios = (1.0, 1.0)  # streams are read character by character
        else:
            reset_every, errors = None, []
            train_text, valid_text = (self._oriented(part) for part in split_text(
                check_text(X), validation_data, self.valid_split))
            vocabulary = fit_vocabulary(self, train_text, prior)
            ids = vocabulary.encode(train_text)
            valid_ids = vocabulary.encode(valid_text) if valid_text else None
            train, size = training_data(ids, self.mode, self.batch_size, self.bptt)
            ratios = (len(ids) / len(train_text),  # tokens per character: loss per character
                      None if valid_ids is None else (len(valid_ids) - 1) / (len(valid_text) - 1))
        self.set_state(vocabulary_state(vocabulary))
        stateful = self.mode == "tbptt"
        shape = {"config": config, "vocab_size": len(vocabulary),
                 "embedding_dim": self.embedding_dim}

        built = {}

        def build():
            built["model"] = textgen_model.build_language_model(**shape, with_states=True)
            trainer = textgen_model.build_language_model(
                **shape, batch_size=self.batch_size if stateful else None, stateful=stateful)
            return built["model"], trainer

        def validation_loss(trainer):
            model = built["model"]
            model.set_weights(trainer.get_weights())
            return textgen_model.stream_loss(model, valid_ids)

        import keras

        from rnn_apps.core.callbacks import LogValue, ResetStates

        callbacks = [] if valid_ids is None else [LogValue("val_loss", validation_loss)]
        callbacks.append(textgen_model.bits_per(self._unit(vocabulary), *ratios))
        if stateful:
            callbacks.insert(0, ResetStates(every=reset_every))
        return TrainingPlan(
            build=build, train=train, size=size, shuffle=not stateful,
            batch=(lambda data, _: data) if stateful else None, separate_trainer=True,
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            callbacks=callbacks, has_validation=valid_ids is not None, errors=errors,
            single_device=None if not stateful else (
                "textgen mode='tbptt' carries its state on one device; use mode='windows' "
                "to train on several devices or workers"))

    # -- evaluation -------------------------------------------------------
    def evaluate(self, X, y=None) -> dict:
        """``loss`` (nats per character, or per piece), ``perplexity`` (per
        character or piece), ``bits_per_char``, ``n_chars`` and ``loss_unit``
        (what ``loss`` is per); a subword model adds ``bits_per_piece`` and
        ``n_pieces``. Its bits per character spread the pieces' total loss
        over the characters of the text, so both levels compare."""
        from rnn_apps.tasks.textgen import network as textgen_model

        self.check_is_fitted()
        text = self._oriented(check_text(X))
        ids = self.vocabulary_.encode(text)
        if len(text) < 2 or len(ids) < 2:
            raise DataError("evaluation text needs at least 2 characters (or pieces)")
        loss = textgen_model.stream_loss(self.model_, ids)
        per_char = loss * (len(ids) - 1) / (len(text) - 1)
        unit = self._unit(self.vocabulary_)
        metrics = {"loss": loss, "perplexity": math.exp(loss),
                   "bits_per_char": per_char / math.log(2), "n_chars": len(text) - 1}
        if unit == "piece":
            metrics.update(bits_per_piece=loss / math.log(2), n_pieces=len(ids) - 1)
        if unit == "word":  # unknown words are one class: compare word models of one vocabulary
            metrics.update(bits_per_word=loss / math.log(2), n_words=len(ids) - 1)
        return {**metrics, "loss_unit": f"nats per {UNIT_NAMES[unit]}"}

    @staticmethod
    def _unit(vocabulary) -> str:
        """What the network predicts one at a time: ``char``, ``piece`` or ``word``."""
        return {"subword": "piece", "word": "word"}.get(getattr(vocabulary, "level", "char"),
                                                         "char")

    def figure_units(self, data) -> dict:
        """What the figures of a training run on ``data`` are per (kept with its
        provenance): the loss, and the records counted."""
        return {"loss": f"nats per {UNIT_NAMES[self._unit(self.vocabulary_)]}",
                "records": "characters" if isinstance(data, str) else "documents"}

    def score(self, X, y=None) -> float:
        """Negative bits per character (higher is better, for scikit-learn search)."""
        return -self.evaluate(X)["bits_per_char"]

    def predict(self, X):
        """Each prompt followed by a continuation (:meth:`generate` with its
        defaults): a string for a string, a list for a list."""
        return self.generate(X)

    # -- generation -------------------------------------------------------
    def generate(self, prompt, length: int = 200, temperature: float = 1.0, top_k=None,
                 seed=None, stop=None):
        """Continue ``prompt`` (a string or a list of them) by ``length`` characters.

        ``temperature=0`` is greedy; ``top_k`` samples among the k likeliest
        characters; ``seed`` makes a sample repeatable; ``stop`` cuts the
        continuation after the first occurrence of that string.
        Returns the prompt followed by its continuation.
        """
        import tensorflow as tf

        self.check_is_fitted()
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        for index, item in enumerate(prompts):
            if not isinstance(item, str) or not item:
                raise DataError(f"prompt {index} is empty or not a string")
            check_string(item, f"prompt {index}")
            # unknown words of a word-level prompt are read as unknown; characters must be known
            unseen = [] if self._unit(self.vocabulary_) == "word" else \
                self.vocabulary_.unknown_chars(item)
            if unseen:
                raise DataError(f"prompt {index} has characters not in the training text: "
                                + ", ".join(repr(c) for c in unseen[:10]))
        rules.check_value("length", length, [rules.size(1, "generated")])
        rules.check_value("temperature", temperature, [rules.number(0, 100)])
        rules.check_value("top_k", top_k, [rules.size(1, "vocabulary"), None])
        rules.check_value("seed", seed, [rules.integer(0, 2**31 - 1), None])
        rules.check_value("stop", stop, [rules.Rule("a string", lambda v: isinstance(v, str)),
                                         None])
        prompts, stop = [self._oriented(p) for p in prompts], self._oriented(stop)
        texts = self._sampler()(tf.constant(prompts), tf.constant(length, tf.int32),
                                tf.constant(temperature, tf.float32),
                                tf.constant(top_k or 0, tf.int32),
                                tf.constant(-1 if seed is None else int(seed), tf.int32))["text"]
        out = [t.decode("utf-8", errors="replace") for t in texts.numpy()]
        if stop:
            out = [p + t[len(p):].split(stop, 1)[0] + (stop if stop in t[len(p):] else "")
                   for p, t in zip(prompts, out)]
        out = [self._oriented(t) for t in out]
        return out[0] if isinstance(prompt, str) else out

    def _sampler(self):
        """The graph function shared by ``generate`` and the SavedModel."""
        from rnn_apps.tasks.textgen import network as textgen_model

        if getattr(self, "_sampler_fn", None) is not None:
            return self._sampler_fn
        sample = textgen_model.prompt_sampler(self.model_, self.vocabulary_, self.lookup_)
        self._sampler_fn = sample
        return sample

    def hidden_states(self, X) -> list[dict]:
        """Recurrent activations per character: ``{"tokens", "layers": [[steps, units] ...]}``."""
        import tensorflow as tf

        from rnn_apps.tasks.textgen import network as textgen_model

        self.check_is_fitted()
        texts = [X] if isinstance(X, str) else list(X)
        from rnn_apps.core.recurrent import recurrent_outputs

        model = self.model_
        probe = recurrent_outputs(model)
        result = []
        for text in texts:
            text = check_text(text)
            ids = self.vocabulary_.encode(text)[None]
            outputs = probe([tf.constant(ids), *textgen_model.zero_states(model, 1)])
            outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            result.append({"tokens": self.vocabulary_.split(text),
                           "layers": [np.asarray(out[0]) for out in outputs]})
        return result

    # -- state and export ---------------------------------------------------
    def get_state(self) -> dict:
        return vocabulary_state(self.vocabulary_)

    def set_state(self, state: dict) -> None:
        self.vocabulary_ = vocabulary_from(state)
        self.lookup_ = self.vocabulary_.lookup_layer()
        self._sampler_fn = None

    def _sizes(self):
        return [("the number of characters", len(self.vocabulary_),
                 self.model_.outputs[0].shape[-1])]

    def _export_archive(self):
        import keras
        import tensorflow as tf

        sample = self._sampler()
        archive = keras.export.ExportArchive()
        archive.track(self.model_)
        if not self.lookup_.built:  # rebuilt from the saved characters, never called yet
            self.lookup_(tf.constant(["a"]))
        archive.track(self.lookup_)

        @tf.function(input_signature=[
            tf.TensorSpec([None], tf.string, name="prompt"),
            tf.TensorSpec([], tf.int32, name="length"),
            tf.TensorSpec([], tf.float32, name="temperature")])
        def serve(prompt, length, temperature):
            return sample(prompt, length, temperature, tf.constant(0), tf.constant(-1))

        archive.add_endpoint("serving_default", serve)
        archive.add_endpoint("generate_seeded", sample)
        if getattr(self.vocabulary_, "level", "char") == "subword":
            from rnn_apps.preprocessing.subword import add_asset

            add_asset(archive, "subword", self.vocabulary_.subword)
        return archive
