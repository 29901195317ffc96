"""Subword pieces: a SentencePiece model trained on the training text, run in the graph.

The model is trained with the ``sentencepiece`` package and applied with
tensorflow-text's ``SentencepieceTokenizer`` (pieces as strings), so the
Python API, training and the exported SavedModel split text the same way.
Pieces then go through the task's own frequency-ordered vocabulary like
words or characters do, and joining pieces back (``"▁"`` marks a word start)
gives text again. The serialised model (a protobuf, no code) is kept in the
fitted JSON state as base64 and written to the SavedModel's assets.

Exported SavedModels of subword models use tensorflow-text's custom ops:
``import tensorflow_text`` before ``tf.saved_model.load``.
"""

from __future__ import annotations

import base64
import io
import itertools

from rnn_apps.core.choices import SUBWORD_MODELS
from rnn_apps.core.model_files import subword_model_bytes
from rnn_apps.errors import DataError, RnnAppsError

WORD_START = "\u2581"
TRAINING_SENTENCES = 1_000_000  # the first ones, at most, teach the model (bounded memory)
MAX_SENTENCE_BYTES = 4192
MISSING = ("subword vocabularies need sentencepiece and tensorflow-text: "
           "pip install 'rnn-apps[subword]'")


def _import(name: str):
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        raise RnnAppsError(MISSING) from None


def register_ops() -> bool:
    """Load tensorflow-text's ops when installed (a subword SavedModel needs them)."""
    try:
        import tensorflow_text  # noqa: F401
    except ImportError:
        return False
    return True


def train_model(texts, vocab_size: int, model_type: str = "unigram",
                user_symbols: tuple = ()) -> str:
    """A SentencePiece model of at most ``vocab_size`` pieces, base64 of its protobuf.

    ``texts``: an iterable of strings (already standardised the way the
    task's graph will standardise them). Small corpora get fewer pieces
    than asked (no error); every character of the training text is kept;
    ``user_symbols`` are always pieces of their own. One thread: the same
    texts give the same model.
    """
    spm = _import("sentencepiece")
    _import("tensorflow_text")
    if model_type not in SUBWORD_MODELS:
        raise RnnAppsError(f"subword_model must be one of {', '.join(SUBWORD_MODELS)}")
    sentences = itertools.islice((t for t in texts if t.strip()), TRAINING_SENTENCES)
    first = next(sentences, None)
    if first is None:
        raise DataError("the texts contain no tokens to learn subwords from")
    buffer = io.BytesIO()

    def chain():
        yield first
        yield from sentences

    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=chain(), model_writer=buffer, vocab_size=int(vocab_size),
            model_type=model_type, character_coverage=1.0, hard_vocab_limit=False,
            pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, unk_surface="\ufffd",
            max_sentence_length=MAX_SENTENCE_BYTES, split_digits=True,
            user_defined_symbols=list(user_symbols), minloglevel=2, num_threads=1)
    except RuntimeError as error:
        raise DataError(f"cannot learn subwords from these texts: "
                        f"{str(error).strip().splitlines()[-1]}") from None
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def all_pieces(encoded: str) -> list[str]:
    """Every piece of the model (padding and unknown left out), in the model's order."""
    spm = _import("sentencepiece")
    processor = spm.SentencePieceProcessor(model_proto=subword_model_bytes(encoded))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())
            if not (processor.is_control(i) or processor.is_unknown(i))]


def with_unused(ordered: list[str], encoded: str) -> list[str]:
    """``ordered`` (pieces by training frequency) followed by the model's pieces the
    training text never used: single characters above all, which spell out
    words never seen in training."""
    seen = set(ordered)
    return list(ordered) + [p for p in all_pieces(encoded) if p not in seen]


def in_state(state) -> bool:
    """Whether a task's fitted state holds a subword model (at any depth)."""
    if isinstance(state, dict):
        return "subword" in state or any(in_state(value) for value in state.values())
    return False


class PieceSplitter:
    """Strings ``[batch]`` to a ragged ``[batch, None]`` of piece strings (graph-safe).

    The tokenizer is made anew on every call: inside a traced function (the
    API's decoders, input pipelines, the SavedModel) it becomes part of that
    function's graph, with the model as a constant. tensorflow-text's
    tokenizer owns its model through the kernel that made it, and an eager
    one dies with TensorFlow's kernel cache (``tf.random.set_seed`` clears
    it), so none is kept between calls.
    """

    def __init__(self, encoded: str):
        _import("tensorflow_text")
        self.encoded, self.model = encoded, subword_model_bytes(encoded)
        try:  # a model that does not parse fails here, once, not at every call
            self(["x"])
        except Exception as error:  # noqa: BLE001 (TensorFlow raises several kinds)
            raise ValueError(f"the subword model cannot be read "
                             f"({type(error).__name__})") from None

    def __call__(self, texts):
        import tensorflow as tf
        import tensorflow_text

        texts = tf.convert_to_tensor(texts)
        if texts.shape.rank == 2:  # TextVectorization passes [batch, 1]
            texts = tf.squeeze(texts, axis=-1)
        tokenizer = tensorflow_text.SentencepieceTokenizer(model=self.model, out_type=tf.string)
        return tokenizer.tokenize(texts)


def join_pieces(pieces):
    """Ragged ``[batch, None]`` of piece strings to texts ``[batch]``."""
    import tensorflow as tf

    text = tf.strings.reduce_join(pieces, axis=1, separator="")
    text = tf.strings.regex_replace(text, WORD_START, " ")
    return tf.strings.strip(text)


def add_asset(archive, name: str, encoded: str) -> None:
    """Put the model file in the SavedModel's assets (``assets/<name>.model``),
    reachable after loading as ``loaded.<name>_model.asset_path``."""
    import tempfile
    from pathlib import Path

    import tensorflow as tf

    if not hasattr(archive, "_rnn_apps_files"):  # lives as long as the archive
        archive._rnn_apps_files = tempfile.TemporaryDirectory(prefix="rnn-apps-assets-")
    path = Path(archive._rnn_apps_files.name) / f"{name}.model"
    path.write_bytes(subword_model_bytes(encoded))
    # the archive's root object is what the SavedModel saves (Keras' ExportArchive)
    setattr(archive._tf_trackable, f"{name}_model", tf.saved_model.Asset(str(path)))
