"""Seq2seq: read a whole sequence, write another (encoder-decoder many-to-many).

Translation, transliteration, normalisation, grapheme-to-phoneme, small
chatbots. Text goes in and text comes out through one TensorFlow function
(tokenise, encode, beam search, join) that the Python API calls and the
SavedModel contains. Networks: :mod:`.seq2seq_model`; search:
:mod:`.seq2seq_search`.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import ClassVar

import numpy as np

from rnn_apps.core import choices, registry
from rnn_apps.core import params as rules
from rnn_apps.core.task import BaseTask
from rnn_apps.data.tables import RecordStream
from rnn_apps.errors import RnnAppsError
from rnn_apps.evaluation.seq2seq import seq2seq_metrics
from rnn_apps.preprocessing.sequences import (
    SequenceVocabulary,
    check_texts,
)
from rnn_apps.preprocessing.subword import add_asset
from rnn_apps.tasks.seq2seq import data as seq2seq_data
from rnn_apps.tasks.seq2seq.choices import ATTENTIONS, LEVELS
from rnn_apps.tasks.seq2seq.data import InputNote

BATCH = 256


class Seq2SeqTranslator(BaseTask):
    """Encoder-decoder with attention, trained with teacher forcing.

    ``source_level`` / ``target_level``: ``"auto"`` (chosen per side from the
    training texts, :mod:`.defaults`), ``"char"``, ``"word"`` or ``"subword"``
    vocabularies (words: split on spaces, punctuation marks are tokens;
    subwords: a SentencePiece ``subword_model`` (unigram or bpe) of up to
    ``vocab_size`` pieces per side,
    learned from the training pairs). ``attention``:
    ``"multiplicative"`` (Luong), ``"additive"`` (Bahdanau-style scores) or
    None. ``max_source_length`` / ``max_target_length``: tokens kept (None:
    the longest in the training data); longer sources are cut with a
    warning. ``beam_width`` 1 is greedy decoding; ``length_penalty`` divides
    a hypothesis' log probability by its length to that power. ``embeddings``:
    a word2vec / GloVe / fastText file whose vectors start the embedding of each
    word-level side (source, and target when the file covers it; the embedding
    size is the vectors'); ``freeze_embeddings`` keeps them fixed.
    ``dropout`` None: scaled to the number of training pairs (:mod:`.defaults`).
    ``label_smoothing``: share of each target token's probability spread over
    the vocabulary in the training loss. ``average_checkpoints``: average the
    weights of this many epochs of lowest validation loss, kept only when the
    average's validation loss is not worse (0 or 1: off). What was chosen and
    decided is in :attr:`choices_`.
    """

    task_name = "seq2seq"
    # where the services find this task's pieces (rnn_apps.core.registry.LAYOUT)
    hooks: ClassVar[dict] = registry.package_hooks(cli="seq2seq", serving_adapter="Seq2SeqAdapter")
    _layer_modules = ("rnn_apps.tasks.seq2seq.network",)
    _parameter_constraints: ClassVar[dict] = {
        **BaseTask._parameter_constraints,
        "embedding_dim": [rules.size(1, "embedding_dim")],
        "attention": [rules.one_of(*ATTENTIONS), None],
        "source_level": [rules.one_of(*LEVELS)], "target_level": [rules.one_of(*LEVELS)],
        "dropout": [rules.RATE, None], "label_smoothing": [rules.RATE],
        "average_checkpoints": [rules.size(0, "epochs")],
        "lowercase": [rules.BOOLEAN], "max_tokens": [rules.size(3, "vocabulary"), None],
        "vocab_size": [rules.VOCAB_SIZE], "subword_model": [rules.one_of(*choices.SUBWORD_MODELS)],
        "max_source_length": [rules.size(1, "sequence"), None],
        "max_target_length": [rules.size(1, "generated"), None],
        "beam_width": [rules.size(1, "beam_width")], "length_penalty": [rules.number(0, 100)],
        **rules.WORD_VECTORS,
    }

    def __init__(self, *, cell="gru", units=128, layers=1, bidirectional=True, dropout=None,
                 recurrent_dropout=0.0, clipnorm=1.0, clipvalue=None, spectral_radius=0.9,
                 leak_rate=1.0, input_scaling=1.0, embedding_dropout=0.0, weight_drop=0.0,
                 locked_dropout=False, activation_reg=0.0, temporal_reg=0.0, embedding_dim=64, embeddings=None,
                 freeze_embeddings=False, attention="multiplicative", source_level="auto",
                 target_level="auto", lowercase=False, max_tokens=20000, vocab_size=2000,
                 subword_model="unigram", max_source_length=None,
                 max_target_length=None, beam_width=4, length_penalty=1.0, epochs=20,
                 batch_size=64, learning_rate=3e-3, patience=3, valid_split=0.1,
                 label_smoothing=0.1, average_checkpoints=5, seed=None,
                 verbose=1, distribute="none", mixed_precision=False):
        self._store_params(locals())

    @staticmethod
    def _check_decoding(beam_width, length_penalty, max_length=None):
        rules.check_value("beam_width", beam_width, [rules.size(1, "beam_width")])
        rules.check_value("max_length", max_length, [rules.size(1, "generated"), None])
        rules.check_value("length_penalty", length_penalty, [rules.number(0, 100)])

    # -- training ---------------------------------------------------------------
    def _plan(self, X, y, validation_data, prior):
        """Vocabularies, teacher-forcing arrays and length buckets for the engine."""
        import keras

        from rnn_apps.core.engine import TrainingPlan
        from rnn_apps.core.losses import SmoothedSequenceCrossentropy
        from rnn_apps.tasks.seq2seq import network as networks

        config = self.config_
        if isinstance(X, RecordStream):
            train, valid, batch, errors = seq2seq_data.stream_data(self, X, validation_data,
                                                                   prior)
            data = {"train": train, "valid": valid, "batch": batch, "errors": errors}
        else:
            data = seq2seq_data.in_memory_data(self, X, y, validation_data, prior)
        self.config_ = config = dataclasses.replace(
            config, dropout=self.state_["choices"]["dropout"]["value"])
        source_size, target_size = self.source_vocab_.size, self.target_vocab_.size
        vectors = seq2seq_data.word_vectors(self, prior)

        def build():
            trainer, _, _ = networks.build_networks(
                config, source_size=source_size, target_size=target_size,
                embedding_dim=vectors.dim if vectors else self.embedding_dim,
                attention=self.attention)
            if vectors is not None:
                vectors.apply(trainer)
            return trainer, trainer

        # halve the learning rate when the validation loss stalls for an epoch
        slower = [] if data["valid"] is None else [keras.callbacks.ReduceLROnPlateau(
            "val_loss", factor=0.5, patience=1, min_lr=self.learning_rate / 16)]
        self._decode_function = None
        loss = SmoothedSequenceCrossentropy(self.label_smoothing) if self.label_smoothing \
            else keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)

        def finish(model, trainer):
            self.state_["choices"]["average_checkpoints"] = self.averaging_

        # no XLA: batches of many different lengths would each be compiled anew
        return TrainingPlan(build=build, **data, jit_compile=False, callbacks=slower, loss=loss,
                            average=self.average_checkpoints, finish=finish)

    @property
    def choices_(self) -> dict:
        """What fit chose: each side's level (with its reason and the statistics it
        read), the dropout, and the checkpoint average (epochs, validation losses,
        whether it was kept)."""
        self.check_is_fitted()
        return dict(self.state_.get("choices", {}))

    # -- state --------------------------------------------------------------------
    def get_state(self) -> dict:
        return dict(self.state_)

    def set_state(self, state: dict) -> None:
        self.state_ = dict(state)
        self.source_vocab_ = SequenceVocabulary.from_state(state["source"])
        self.target_vocab_ = SequenceVocabulary.from_state(state["target"])
        self._decode_function = None

    def _networks(self):
        """``(encoder, decoder)`` inside the trained (or loaded) model."""
        return self.model_.get_layer("encoder"), self.model_.get_layer("decoder")

    def _sizes(self):
        return [("the target vocabulary size", self.target_vocab_.size,
                 self.model_.output_shape[-1]),
                ("the source vocabulary size", self.source_vocab_.size,
                 self.model_.get_layer("encoder").get_layer("source_embedding").input_dim)]

    # -- decoding -----------------------------------------------------------------
    def _decoder(self):
        """``text [b], beam_width, max_length, length_penalty -> {output,
        source_length, unknown}`` as one tf.function (API and SavedModel)."""
        from rnn_apps.tasks.seq2seq import search

        if getattr(self, "_decode_function", None) is not None:
            return self._decode_function
        encoder, decoder = self._networks()
        decode = search.text_decoder(encoder, decoder, self.source_vocab_, self.target_vocab_,
                                     self.state_["max_source_length"])
        self._decode_function = decode
        return decode

    def predict(self, X, beam_width=None, max_length=None, length_penalty=None) -> list[str]:
        """The output text for each source string.

        ``beam_width`` (default: the model's) 1 is greedy; ``max_length``
        caps the output tokens (default: the longest training target + 1).
        """
        self.check_is_fitted()
        sources = check_texts(X, "sources")
        beam_width = self.beam_width if beam_width is None else beam_width
        length_penalty = self.length_penalty if length_penalty is None else length_penalty
        self._check_decoding(beam_width, length_penalty, max_length)
        steps = max_length or self.state_["max_target_length"] + 1
        decode, out, lengths, unknown = self._decoder(), [], [], 0
        for start in range(0, len(sources), BATCH):
            result = decode(np.array(sources[start:start + BATCH], dtype=object),
                            np.int32(beam_width), np.int32(steps), np.float32(length_penalty))
            out += [t.decode("utf-8") for t in result["output"].numpy()]
            lengths.append(result["source_length"].numpy())
            unknown += int(np.sum(result["unknown"].numpy() > 0))
        seq2seq_data.note_cut(self, np.concatenate(lengths), "source")
        if unknown:
            warnings.warn(f"{seq2seq_data.count_of(unknown, 'source')} had tokens unseen "
                          "in training (read as unknown)",
                          InputNote, stacklevel=2)
        return out

    def evaluate(self, X, y, beam_width=None) -> dict:
        """``bleu``, ``chrf`` (0-100), ``exact_match``, ``cer`` (0-1) and ``n``;
        references are compared in the model's writing (case, spacing)."""
        self.check_is_fitted()
        sources, targets = seq2seq_data.check_pairs(X, y)
        references = self.target_vocab_.normalize(targets)
        return seq2seq_metrics(references, self.predict(sources, beam_width=beam_width),
                               level=self.target_vocab_.level)

    def score(self, X, y) -> float:
        """chrF (higher is better, for scikit-learn search)."""
        return self.evaluate(X, y)["chrf"]

    def hidden_states(self, X) -> list[dict]:
        """The encoder's recurrent activations per source: ``{"tokens", "layers":
        [[steps, units] ...]}`` (both directions side by side when bidirectional)."""
        import tensorflow as tf

        from rnn_apps.core.recurrent import per_sequence_states, recurrent_outputs

        self.check_is_fitted()
        sources = check_texts(X, "sources")
        probe, result = recurrent_outputs(self._networks()[0]), []
        for start in range(0, len(sources), BATCH):
            chunk = sources[start:start + BATCH]
            ids, _, _ = self.source_vocab_.encode_graph(tf.constant(chunk),
                                                        self.state_["max_source_length"])
            lengths = np.count_nonzero(ids.numpy(), axis=1)
            tokens = [words[:n] for words, n in zip(self.source_vocab_.split(chunk), lengths)]
            result += per_sequence_states(probe(ids, training=False), lengths, tokens)
        return result

    def attention_weights(self, source: str, beam_width=None) -> dict:
        """What the decoder looked at: ``{"source": tokens, "output": tokens,
        "weights": [output tokens + end, source tokens]}`` for one source."""
        import tensorflow as tf

        self.check_is_fitted()
        if not self.attention:
            raise RnnAppsError("this model was trained without attention")
        output = self.predict([source], beam_width=beam_width)[0]
        source_ids, _, _ = self.source_vocab_.encode_graph(
            tf.constant([source]), self.state_["max_source_length"])
        target_ids, _, _ = self.target_vocab_.encode_graph(
            tf.constant([output]), self.state_["max_target_length"] + 2)
        encoder, decoder = self._networks()
        encoded = [tf.identity(t) for t in encoder(source_ids, training=False)]  # no masks
        weights = decoder([target_ids[:, :-1], encoded[0], source_ids, *encoded[1:]],
                          training=False)["attention"]
        source_tokens = self.source_vocab_.split([source])[0][:source_ids.shape[1]]
        return {"source": source_tokens, "output": self.target_vocab_.split([output])[0],
                "weights": np.asarray(weights[0])}

    def _serving_defaults(self) -> dict:
        return {"max_length": int(self.state_["max_target_length"]) + 1}

    def _export_archive(self):
        import keras
        import tensorflow as tf

        decode = self._decoder()
        defaults = (tf.constant(self.beam_width, tf.int32),
                    tf.constant(self.state_["max_target_length"] + 1, tf.int32),
                    tf.constant(float(self.length_penalty), tf.float32))

        @tf.function(autograph=False,
                     input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(text):
            return {"output": decode(text, *defaults)["output"]}

        archive = keras.export.ExportArchive()
        archive.track(self.model_)
        archive.track(self.source_vocab_.lookup())
        for side, vocabulary in (("source", self.source_vocab_),
                                 ("target", self.target_vocab_)):
            if vocabulary.level == "subword":
                add_asset(archive, f"{side}_subword", vocabulary.subword)
        archive.add_endpoint("serving_default", serve)
        archive.add_endpoint("decode", decode)
        return archive
