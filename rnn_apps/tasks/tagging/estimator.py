"""Tagging: one label for every step of a sequence (synchronous many-to-many).

Input is either sentences (lists of tokens) or numeric frame sequences
(arrays ``[frames, features]``, or one ``[batch, time, features]`` array);
the kind is told from the data. Prediction runs one TensorFlow function for
the Python API and the SavedModel alike: raw tokens (padded with "") or
frames (padded with NaN) in, tag ids out. Networks: :mod:`.tagging_model`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from rnn_apps.core import choices, registry
from rnn_apps.core import params as rules
from rnn_apps.core.task import BaseTask
from rnn_apps.data.tables import RecordStream
from rnn_apps.errors import DataError
from rnn_apps.evaluation.tagging import tagging_metrics
from rnn_apps.preprocessing.labels import LabelEncoder
from rnn_apps.preprocessing.series import SeriesScaler
from rnn_apps.preprocessing.tokens import (
    TokenEncoder,
    split_text,
    tokenizer_for_training,
)
from rnn_apps.tasks.tagging import char_lm
from rnn_apps.tasks.tagging.data import (
    check_data,
    checked_raw,
    export_archive,
    fitted_state,
    matched_inputs,
    raw_batch,
    split_validation,
    training_plan,
)

BATCH = 256


class Tagger(BaseTask):
    """Per-token (or per-frame) tags from a bidirectional recurrent network.

    ``char_filters`` > 0 adds a character CNN per word (tokens only);
    ``word_dropout`` hides known words as unknown during training so unseen
    words are tagged from characters and context; ``crf``
    replaces the per-step softmax with a linear-chain CRF (Viterbi decoding).
    ``embeddings``: a word2vec / GloVe / fastText file whose vectors start the
    word embedding (tokens only; ``freeze_embeddings`` keeps them fixed).
    ``tokenizer`` splits raw text (:meth:`tokenize`, the CLI's sentences and
    text files) and is stored with the model: ``spacy`` (spaCy's English rules,
    as the UD and Penn Treebank corpora split) or ``whitespace``.
    ``char_lm``: character language models (a textgen model directory,
    ``"FWD_DIR,BWD_DIR"`` or fitted models) whose states at each word are
    features beside the word's (:mod:`.char_lm`), fixed unless ``char_lm_trainable``.
    """

    task_name = "tagging"
    # where the services find this task's pieces (rnn_apps.core.registry.LAYOUT)
    hooks: ClassVar[dict] = registry.package_hooks(cli="tagging", serving_adapter="TaggingAdapter")
    _layer_modules = ("rnn_apps.tasks.tagging.network", "rnn_apps.core.char_lm")
    _parameter_constraints: ClassVar[dict] = {
        **BaseTask._parameter_constraints,
        "embedding_dim": [rules.size(1, "embedding_dim")],
        "char_dim": [rules.size(1, "embedding_dim")],
        "char_filters": [rules.size(0, "units")], "word_dropout": [rules.RATE],
        "crf": [rules.BOOLEAN], "lowercase": [rules.BOOLEAN],
        "tokenizer": [rules.one_of(*choices.TOKENIZERS)],
        "max_tokens": [rules.size(3, "vocabulary"), None], **rules.WORD_VECTORS,
        "char_lm": [rules.Rule("language model directories or fitted TextGenerator models",
                               char_lm.is_spec), None], "char_lm_trainable": [rules.BOOLEAN],
    }

    def __init__(self, *, cell="lstm", units=64, layers=1, bidirectional=True, dropout=0.0,
                 recurrent_dropout=0.0, clipnorm=1.0, clipvalue=None, spectral_radius=0.9,
                 leak_rate=1.0, input_scaling=1.0, embedding_dropout=0.0, weight_drop=0.0,
                 locked_dropout=False, activation_reg=0.0, temporal_reg=0.0, embedding_dim=64, embeddings=None,
                 freeze_embeddings=False, char_dim=24, tokenizer="spacy",
                 char_filters=32, word_dropout=0.1, crf=False, lowercase=True, max_tokens=20000,
                 epochs=10, batch_size=32, learning_rate=3e-3, patience=3, valid_split=0.1,
                 seed=None, verbose=1, distribute="none", mixed_precision=False,
                 char_lm=None, char_lm_trainable=False):
        self._store_params(locals())

    # -- data ---------------------------------------------------------------------
    def _raw_batch(self, sequences):
        """Tokens padded with "" or scaled-later frames padded with NaN."""
        return raw_batch(self.state_, sequences)

    def _network_inputs(self, raw):
        """Model inputs and mask from a raw batch, in TensorFlow ops."""
        import tensorflow as tf

        from rnn_apps.tasks.tagging import network as networks

        if self.state_["kind"] == "tokens":
            word_ids, char_ids = self.encoder_.encode_graph(raw)
            lm_inputs = char_lm.graph_inputs(self, raw)
            return [word_ids, char_ids, *lm_inputs], tf.not_equal(word_ids, 0)
        mask = tf.reduce_any(tf.logical_not(tf.math.is_nan(raw)), axis=-1)
        scaled = self.scaler_.transform_graph(raw)
        return [tf.where(mask[..., None], scaled, networks.FRAME_PAD)], mask

    def _training_arrays(self, sequences, tags):
        raw = self._raw_batch(sequences)
        inputs, mask = self._network_inputs(raw)
        index = {t: i for i, t in enumerate(self.tags_)}
        y = np.zeros(raw.shape[:2], np.int32)
        for row, labels in enumerate(tags):
            y[row, :len(labels)] = [index.get(t, 0) for t in labels]
        return [np.asarray(x) for x in inputs], y, np.asarray(mask, np.float32)

    # -- training -------------------------------------------------------------------
    def _plan(self, X, y, validation_data, prior):
        """Tag set, vocabulary or scaler, and the training arrays for the engine."""
        config = self.config_
        if isinstance(X, RecordStream):
            from rnn_apps.tasks.tagging.stream import stream_plan

            plan = stream_plan(self, config, X, validation_data, prior,
                               lambda: self._build(config, frames=False))
            self.state_["tokenizer"] = tokenizer_for_training(self.tokenizer)
            self._word_vectors(False, prior)
            return plan
        frames, sequences, tags = check_data(X, y)
        if validation_data is not None:
            valid = check_data(*validation_data)[1:]
        else:
            sequences, tags, valid = split_validation(sequences, tags, self.valid_split,
                                                      self.data_seed())
        state = fitted_state(X, y, sequences, tags, frames, prior, max_tokens=self.max_tokens,
                             lowercase=self.lowercase)
        self.set_state(state)
        self._char_lms = char_lm.attach(self, frames, prior)
        if not frames:
            self.state_["tokenizer"] = tokenizer_for_training(self.tokenizer)
        self._word_vectors(frames, prior)
        x, y_ids, weights = self._training_arrays(sequences, tags)
        validation = None if valid is None else self._training_arrays(*valid)
        if prior and not frames:
            from rnn_apps.preprocessing.text import note_unknown_tokens

            note_unknown_tokens(x[0])

        def build():
            return self._build(config, frames)

        return training_plan(build, x, y_ids, weights, validation, self.crf)

    def _word_vectors(self, frames: bool, prior) -> None:
        """Pretrained vectors for the word embedding (``embeddings``), if any."""
        from rnn_apps.preprocessing.embeddings import prepare

        vocabularies = {} if frames else {"word_embedding": (self.encoder_.words, 2)}
        self._vectors = prepare(self, vocabularies, prior, state=self.state_,
                                refusal="this tagger reads numeric frames")

    def _build(self, config, frames: bool):
        """``(model, trainer)`` for the fitted vocabulary or frame width."""
        from rnn_apps.tasks.tagging import network as networks

        vectors = getattr(self, "_vectors", None)
        if frames:
            inputs, features, mask = networks.frame_inputs(self.state_["n_features"])
        else:
            inputs, features, mask = networks.token_inputs(
                words=self.encoder_.word_vocabulary_size,
                chars=self.encoder_.char_vocabulary_size,
                embedding_dim=vectors.dim if vectors else self.embedding_dim,
                char_dim=self.char_dim, char_filters=self.char_filters,
                word_dropout=self.word_dropout)
            inputs, features = char_lm.add_features(self, inputs, features)
        model, trainer = networks.build_tagger(config, inputs, features, mask,
                                               n_tags=len(self.tags_), crf=self.crf)
        if vectors is not None:
            vectors.apply(model)
        char_lm.copy_weights(model, getattr(self, "_char_lms", []))
        return model, trainer

    def get_state(self) -> dict:
        return dict(self.state_)

    def set_state(self, state: dict) -> None:
        self.state_ = dict(state)
        self.tags_ = LabelEncoder(state["tags"], state.get("tag_dtype")).classes
        self._predict_function = None
        if state["kind"] == "tokens":
            self.encoder_ = TokenEncoder.from_state(state["encoder"])
            self.char_lm_lookups_ = char_lm.lookups(state.get("char_lm", []))
        else:
            self.scaler_ = SeriesScaler.from_state(state["scaler"])

    def _sizes(self):
        sizes = [("the number of tags", len(self.tags_), self.model_.output_shape[-1])]
        if self.state_["kind"] == "frames":
            sizes.append(("the number of features", self.state_["n_features"],
                          self.model_.inputs[0].shape[-1]))
        return sizes

    def _input_spec(self):
        import tensorflow as tf

        if self.state_["kind"] == "tokens":
            return tf.TensorSpec([None, None], tf.string, name="tokens")
        return tf.TensorSpec([None, None, self.state_["n_features"]], tf.float32, name="frames")

    # -- prediction ---------------------------------------------------------------------
    def _checked_raw(self, raw):
        """In the graph: the checks of :func:`.tagging_data.checked_raw`."""
        return checked_raw(self.state_, raw)

    def _tag_ids(self):
        """``raw batch -> (tag ids [batch, time], mask)`` as one tf.function."""
        import tensorflow as tf

        from rnn_apps.tasks.tagging import network as networks

        if getattr(self, "_predict_function", None) is None:
            model = self.model_
            if self.state_["kind"] == "tokens":
                self.encoder_.lookups()  # made eagerly, not inside a trace that ends

            @tf.function(input_signature=[self._input_spec()])
            def tag_ids(raw):
                raw = self._checked_raw(raw)
                inputs, mask = self._network_inputs(raw)
                return networks.decode(model, model(inputs, training=False), mask), mask

            self._predict_function = tag_ids
        return self._predict_function

    def _inputs(self, X):
        """``(frames?, sequences)`` checked against what this model was trained on."""
        self.check_is_fitted()
        frames, sequences, _ = check_data(X, need_tags=False)
        return frames, matched_inputs(self.state_, frames, sequences,
                                      getattr(X, "feature_names", None))

    def tokenize(self, texts) -> list[list[str]]:
        """Raw sentences (a list of strings) split into tokens as this model's
        training text was meant to be: its stored ``tokenizer`` (``whitespace``
        for models saved before tokenizers were stored). Pass the result to
        :meth:`predict`."""
        self.check_is_fitted()
        if self.state_["kind"] != "tokens":
            raise DataError("this model tags numeric frames; there is no text to split")
        return split_text(texts, self.state_.get("tokenizer", "whitespace"))

    def predict(self, X) -> list[list[str]]:
        """A list of tags per sentence (or frame sequence)."""
        _, sequences = self._inputs(X)
        function, tags, out = self._tag_ids(), np.array(self.tags_, dtype=object), []
        for start in range(0, len(sequences), BATCH):
            chunk = sequences[start:start + BATCH]
            ids, _ = function(self._raw_batch(chunk))
            out += [list(tags[row[:len(s)]]) for row, s in zip(ids.numpy(), chunk)]
        return out

    def evaluate(self, X, y) -> dict:
        """``token_accuracy``, ``macro_f1``, ``n_tokens``, per-tag scores and, for
        BIO / IOBES tags, CoNLL-style ``entity_precision/recall/f1``."""
        self.check_is_fitted()
        _, sequences, tags = check_data(X, y)
        return tagging_metrics(tags, self.predict(sequences), self.tags_)

    def score(self, X, y) -> float:
        """Entity F1 for entity tags (BIO, IOBES, ...), else token accuracy (higher
        is better, for scikit-learn search)."""
        metrics = self.evaluate(X, y)
        return metrics.get("entity_f1", metrics["token_accuracy"])

    def hidden_states(self, X) -> list[dict]:
        """Recurrent activations per sentence (or frame sequence): ``{"tokens",
        "layers": [[steps, units] ...]}``, one array per recurrent layer (both
        directions side by side when bidirectional); frames are named by index."""
        from rnn_apps.core.recurrent import per_sequence_states, recurrent_outputs

        frames, sequences = self._inputs(X)
        probe, result = recurrent_outputs(self.model_), []
        for start in range(0, len(sequences), BATCH):
            chunk = sequences[start:start + BATCH]
            inputs, _ = self._network_inputs(self._raw_batch(chunk))
            names = [[str(i) for i in range(len(s))] if frames else list(s) for s in chunk]
            result += per_sequence_states(probe(inputs, training=False),
                                          [len(s) for s in chunk], names)
        return result

    def _serving_defaults(self) -> dict:
        """The tokenizer that splits a string instance for the server."""
        if self.state_["kind"] != "tokens":
            return {}
        return {"tokenizer": self.state_.get("tokenizer", "whitespace")}

    def _export_archive(self):
        tokens = self.state_["kind"] == "tokens"
        return export_archive(self.model_, self._tag_ids(), self.tags_, self._input_spec(),
                              self.state_["kind"], char_lm.all_lookups(self) if tokens else ())
