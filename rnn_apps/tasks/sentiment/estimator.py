"""Sentiment classification: many-to-one (text in, one class out).

Network: :mod:`.sentiment_model`; streamed training: :mod:`.sentiment_stream`.
"""

from __future__ import annotations

import os
from typing import ClassVar

import numpy as np
from sklearn.base import ClassifierMixin

from rnn_apps.core import choices, registry
from rnn_apps.core import params as rules
from rnn_apps.core.task import BaseTask
from rnn_apps.core.training import holdout_indices
from rnn_apps.data.tables import RecordStream
from rnn_apps.errors import RnnAppsError
from rnn_apps.preprocessing import text as text_prep
from rnn_apps.preprocessing.labels import LabelEncoder, check_labels, label_dtype
from rnn_apps.tasks.sentiment import pretrained
from rnn_apps.tasks.sentiment import wide as extras
from rnn_apps.tasks.sentiment.choices import CLASS_WEIGHTS
from rnn_apps.tasks.sentiment.network import class_weights, network_plan


def is_stream(X) -> bool:
    return isinstance(X, RecordStream)


def training_arrays(x, y, weights=None):
    """``(ids, label ids[, sample weights])`` as the engine takes in-memory data."""
    y = np.asarray(y, dtype=np.int32)
    if weights is None:
        return x, y
    return x, y, np.asarray(weights, np.float32)[y]


def _split_validation(texts, ids, valid_split: float, seed):
    """Stratified hold-out when every class allows it, a plain random one otherwise."""
    split = holdout_indices(len(texts), valid_split, seed, ids)
    if split is None:
        return (texts, ids), None
    return tuple((texts[index], ids[index]) for index in split)


class SentimentClassifier(ClassifierMixin, BaseTask):
    """Recurrent text classifier (binary or multi-class) on raw strings.

    Recurrent settings (``cell``, ``units``, ``layers``, ``bidirectional``,
    ``dropout``, ``recurrent_dropout``, ``clipnorm``, ``clipvalue``) are those
    of :class:`rnn_apps.RecurrentConfig`. ``level`` picks word, character or
    subword tokens (a SentencePiece ``subword_model``, unigram or bpe, of up
    to ``vocab_size`` pieces learned from the training texts); ``max_length=None``
    takes the 99th percentile of training lengths;
    ``truncating`` cuts longer texts at the end (``post``) or start (``pre``).
    ``pooling`` reduces the sequence: the ``last`` state, or ``mean``/``max``
    over time. ``embeddings``: a word2vec / GloVe / fastText file whose vectors
    start the word embedding (its size is theirs; ``freeze_embeddings`` keeps
    them fixed). ``wide`` blends the recurrent model's probabilities with a
    logistic regression's on TF-IDF word 1-2-grams, stacked on the validation
    split (:mod:`.wide`; in-memory data only). ``class_weight`` is None,
    ``"balanced"`` or a ``{label: weight}`` dict. ``patience`` epochs without a better validation loss stop training
    and the best weights are restored.

    ``init_from_lm``: a word-, subword- or character-level language model (a
    textgen model directory or a fitted ``TextGenerator``) whose vocabulary,
    embedding and recurrent layers the classifier starts from (its cell,
    units, layers, embedding size and level are then the model's); it is
    fine-tuned with ``gradual_unfreezing`` (one more layer group each epoch,
    from the top), learning rates ``layer_lr_decay`` times lower per group down
    and a ``slanted_triangular`` schedule peaking at ``lm_learning_rate``
    (ULMFiT's 0.01; ``learning_rate`` is for training from scratch;
    :mod:`rnn_apps.core.finetune`).
    """

    task_name = "sentiment"
    # where the services find this task's pieces (rnn_apps.core.registry.LAYOUT)
    hooks: ClassVar[dict] = registry.package_hooks(cli="sentiment", serving_adapter="SentimentAdapter")
    _parameter_constraints: ClassVar[dict] = {
        **BaseTask._parameter_constraints,
        **rules.TEXT, **rules.WORD_VECTORS, "wide": [rules.BOOLEAN],
        "vocab_size": [rules.VOCAB_SIZE], "subword_model": [rules.one_of(*choices.SUBWORD_MODELS)],
        "embedding_dim": [rules.size(1, "embedding_dim")], "pooling": [rules.one_of(*choices.POOLINGS)],
        "class_weight": [rules.one_of(*CLASS_WEIGHTS),
                         rules.Rule("a {label: weight} dict", lambda v: isinstance(v, dict)),
                         None],
        "init_from_lm": [rules.Rule("a textgen model directory or a fitted TextGenerator",
                                    lambda v: isinstance(v, (str, os.PathLike)) or
                                    getattr(v, "task_name", None) == "textgen"), None],
        "gradual_unfreezing": [rules.BOOLEAN], "slanted_triangular": [rules.BOOLEAN],
        "layer_lr_decay": [rules.number(1.0, 100.0)],
        "lm_learning_rate": [rules.number(0, 10, low_open=True)],
    }

    def __init__(self, *, cell="gru", units=64, layers=1, bidirectional=False, dropout=0.0,
                 recurrent_dropout=0.0, clipnorm=1.0, clipvalue=None, spectral_radius=0.9,
                 leak_rate=1.0, input_scaling=1.0, embedding_dropout=0.0, weight_drop=0.0,
                 locked_dropout=False, activation_reg=0.0, temporal_reg=0.0, level="word",
                 standardize="lower_and_strip_punctuation", max_tokens=20000, vocab_size=2000,
                 subword_model="unigram", max_length=None, truncating="post", embedding_dim=64,
                 embeddings=None, freeze_embeddings=False, wide=False, pooling="last",
                 class_weight=None, init_from_lm=None, gradual_unfreezing=True,
                 layer_lr_decay=2.6, slanted_triangular=True, lm_learning_rate=1e-2,
                 epochs=10, batch_size=32, learning_rate=1e-3, patience=3, valid_split=0.1,
                 seed=None, verbose=1, distribute="none", mixed_precision=False):
        self._store_params(locals())

    # -- training ---------------------------------------------------------
    def _check_settings(self):
        extras.check_settings(self)
        pretrained.check_settings(self)

    def _plan(self, X, y, validation_data, prior):
        """Vocabulary, labels and datasets (in memory or streamed) for the engine."""
        from rnn_apps.tasks.sentiment.stream import stream_plan

        if is_stream(X):
            if self.init_from_lm is not None:
                raise RnnAppsError("init_from_lm needs the labelled texts in memory "
                                   "(stream=False); the language model may learn from a stream")
            return stream_plan(self, self.config_, X, y, validation_data, prior)
        lm = None if self.init_from_lm is None else pretrained.adopt(self, prior)
        config = self.config_
        texts = text_prep.check_texts(X)
        labels = check_labels(y, len(texts))
        label_encoder = LabelEncoder(prior["classes"], prior.get("label_dtype")) if prior \
            else LabelEncoder.fit(labels, dtype=label_dtype(y, labels))
        ids = label_encoder.encode(labels)
        if validation_data is not None:
            val_texts = text_prep.check_texts(validation_data[0], what="validation texts")
            val_ids = label_encoder.encode(check_labels(validation_data[1], len(val_texts),
                                                  what="validation labels"))
            train, valid = (texts, ids), (val_texts, val_ids)
        else:
            train, valid = _split_validation(texts, ids, self.valid_split, self.data_seed())
        if prior:
            encoder = text_prep.TextEncoder.from_state(prior["text"])
        elif lm is not None:
            encoder = pretrained.text_encoder(self, lm, train[0])
        else:
            encoder = text_prep.TextEncoder.fit(
                train[0], level=self.level, standardize=self.standardize,
                max_tokens=self.max_tokens, max_length=self.max_length,
                truncating=self.truncating, vocab_size=self.vocab_size,
                subword_model=self.subword_model)
        more, vectors = extras.extras(self, encoder, train[0], prior)
        self.set_state({"classes": label_encoder.classes, "label_dtype": label_encoder.dtype,
                         "text": encoder.get_state(), **more})
        x_train = encoder.encode(train[0])
        if prior:
            text_prep.note_unknown_tokens(x_train)
        weights = class_weights(self.class_weight, label_encoder, train[1])
        plan = network_plan(self, config, vectors,
                            train=training_arrays(x_train, train[1], weights), size=len(x_train),
                            valid=None if valid is None else training_arrays(
                                encoder.encode(valid[0]), valid[1]))
        if lm is not None:
            pretrained.fine_tune(self, plan, lm)
        if self.wide:  # the linear part and the blend weight, once the recurrent one is trained
            plan.finish = extras.blend_finish(self, train, valid, weights)
        return plan

    # -- fitted state -----------------------------------------------------
    def get_state(self) -> dict:
        return {"classes": list(self.encoder_.classes), "label_dtype": self.encoder_.dtype,
                "text": self.text_encoder_.get_state(), **self._extra_state}

    def set_state(self, state: dict) -> None:
        from rnn_apps.preprocessing.tfidf import TfidfEncoder

        self.encoder_ = LabelEncoder(state["classes"], state.get("label_dtype"))
        self.classes_ = self.encoder_.as_array(self.encoder_.classes)
        self.text_encoder_ = text_prep.TextEncoder.from_state(state["text"])
        self._extra_state = {k: v for k, v in state.items()
                             if k in ("wide", "blend", "word_vectors")}
        self.wide_encoder_ = TfidfEncoder.from_state(state["wide"]) if "wide" in state else None

    def _sizes(self):
        sizes = [("the number of classes", len(self.classes_), self.model_.output_shape[-1]),
                 ("the vocabulary size", len(self.text_encoder_.vocabulary),
                  self.model_.get_layer("embedding").input_dim)]
        if self.wide_encoder_ is not None or len(self.model_.inputs) > 1:
            sizes.append(("the number of TF-IDF n-grams", getattr(self.wide_encoder_, "size", 0),
                          self.model_.inputs[-1].shape[-1] if len(self.model_.inputs) > 1 else 0))
        return sizes

    # -- inference --------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities ``[n, n_classes]`` in the order of ``classes_``."""
        self.check_is_fitted()
        texts = text_prep.check_texts(X)
        if self.wide_encoder_ is not None:
            return extras.predict(self, texts)  # a blend, or an older joint wide model
        ids = self.text_encoder_.encode(texts)
        return np.asarray(self.model_.predict(ids, batch_size=256, verbose=0))

    def predict(self, X) -> np.ndarray:
        """The most probable label per text."""
        probabilities = self.predict_proba(X)
        return self.encoder_.decode(np.argmax(probabilities, axis=1))

    def evaluate(self, X, y) -> dict:
        """``accuracy``, ``macro_f1``, ``n``, per-class scores and the confusion matrix."""
        from rnn_apps.evaluation.classification import classification_metrics

        self.check_is_fitted()
        texts = text_prep.check_texts(X)
        labels = check_labels(y, len(texts))
        predicted = list(self.predict(texts))
        classes = list(self.classes_)
        classes += sorted({v for v in labels if v not in set(classes)}, key=str)
        return classification_metrics(labels, predicted, classes)

    def hidden_states(self, X) -> list[dict]:
        """Recurrent activations per text: ``{"tokens", "layers": [[steps, units] ...]}``.

        One array per recurrent layer (both directions side by side when
        bidirectional), one row per token of the text (padding left out).
        """
        import keras

        from rnn_apps.core.recurrent import recurrent_probe

        self.check_is_fitted()
        texts = text_prep.check_texts(X)
        ids = self.text_encoder_.encode(texts)
        inputs = keras.Input(shape=(None,), dtype="int32")
        x = keras.layers.Embedding(len(self.text_encoder_.vocabulary),
                                   self.model_.get_layer("embedding").output_dim,
                                   mask_zero=True, name="embedding")(inputs)
        probe = recurrent_probe(inputs, x, self.config_, self.model_)
        outputs = probe.predict(ids, verbose=0, batch_size=256)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        vocabulary = self.text_encoder_.vocabulary
        result = []
        for row, token_ids in enumerate(ids):
            length = int(np.count_nonzero(token_ids))
            result.append({"tokens": [str(vocabulary[i]) for i in token_ids[:length]],
                           "layers": [np.asarray(out[row, :length]) for out in outputs]})
        return result

    # -- export -----------------------------------------------------------
    def _export_archive(self):
        import keras
        import tensorflow as tf

        from rnn_apps.core import graph_checks

        text_encoder, wide, model = self.text_encoder_, self.wide_encoder_, self.model_
        for layer in (text_encoder.layer, wide and wide.layer):
            if layer is not None and not layer.built:  # rebuilt from the state, never called
                layer(tf.constant(["x"]))
        class_names = tf.constant([str(c) for c in self.classes_])

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(text):
            text = graph_checks.texts(text)
            inputs = text_encoder(text) if wide is None else (text_encoder(text), wide(text))
            probabilities = model(inputs, training=False)
            label = tf.gather(class_names, tf.argmax(probabilities, axis=-1))
            return {"label": label, "probabilities": probabilities}

        archive = keras.export.ExportArchive()
        archive.track(text_encoder.layer)
        if wide is not None:
            archive.track(wide.layer)
        if text_encoder.subword:
            from rnn_apps.preprocessing.subword import add_asset

            add_asset(archive, "subword", text_encoder.subword)
        archive.track(model)
        archive.add_endpoint("serving_default", serve)
        return archive
