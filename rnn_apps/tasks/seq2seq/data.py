"""Training data for the seq2seq engine plan: lists of pairs, or a stream.

In memory, the pairs are split, the vocabularies fitted and the
teacher-forcing arrays made at once. From a stream (a pairs file larger than
memory), one pass counts the source and target tokens (vocabularies capped by
``max_tokens``) and finds the longest source and target; every epoch reads
the pairs again, encodes them in the input pipeline and groups them into
batches of similar source length. Validation pairs come from
``validation_data`` (another stream) or a hash split of the sources.
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter

import numpy as np

from rnn_apps.errors import DataError, Note
from rnn_apps.preprocessing.sequences import (
    SequenceVocabulary,
    check_texts,
    length_boundaries,
    length_buckets,
    teacher_forcing,
)
from rnn_apps.preprocessing.streams import batches_of, split_stream, stream_dataset
from rnn_apps.preprocessing.text import note_unknown_tokens
from rnn_apps.tasks.seq2seq import defaults

LENGTH_SAMPLE = 100_000  # source lengths kept to place the bucket edges


class InputNote(Note):
    """Input the model handled but the user should hear about (cut, unknown)."""


def count_of(number: int, noun: str) -> str:
    """``"1 source"``, ``"3 sources"``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def note_cut(task, lengths, side: str) -> None:
    """An :class:`InputNote` when some of ``lengths`` (of ``side`` texts) exceed the
    fitted maximum: those texts are cut to it."""
    limit = task.state_[f"max_{side}_length"]
    cut = int(np.sum(lengths > limit))
    if cut:
        warnings.warn(f"{count_of(cut, side)} longer than {limit} tokens "
                      f"{'was' if cut == 1 else 'were'} cut to {limit}",
                      InputNote, stacklevel=3)


def stream_data(task, stream, validation_data, prior):
    """``(train, valid, batch function, errors)`` for the engine; sets the state."""
    import tensorflow as tf

    if stream.columns != ("source", "target"):
        raise DataError("seq2seq streams hold (source, target) pairs "
                        "(read_pairs(..., stream=True))")
    train_records, valid_records = split_stream(stream, lambda pair: pair[0],
                                                task.valid_split, validation_data)
    found = {} if prior else defaults.resolve_levels(task, *(
        list(itertools.islice(_side(train_records, side), defaults.SAMPLE)) for side in (0, 1)))
    source = SequenceVocabulary([], level=found.get("source_level", {}).get("level", "char"),
                                lowercase=task.lowercase)
    target = SequenceVocabulary([], level=found.get("target_level", {}).get("level", "char"),
                                lowercase=task.lowercase, target=True)
    if prior:
        task.set_state(prior)
        source, target = task.source_vocab_, task.target_vocab_
    else:  # subword models learn from a first pass over (a sample of) the pairs
        for side, vocabulary in enumerate((source, target)):
            vocabulary.learn_subwords(_side(train_records, side), task.vocab_size,
                                      task.subword_model)
    source_counts, target_counts, lengths = Counter(), Counter(), []
    longest, pairs = [0, 0], 0
    for batch in batches_of(train_records()):
        pairs += len(batch)
        sources = source.count([s for s, _ in batch], source_counts)
        targets = target.count([t for _, t in batch], target_counts)
        longest = [max(longest[0], *sources), max(longest[1], *targets)]
        lengths.extend(sources[:max(0, LENGTH_SAMPLE - len(lengths))])
    if not lengths:
        raise DataError(f"{stream.path}: no training pairs (all were held out for "
                        "validation); lower valid_split")
    if not prior:
        source.with_counts(source_counts, task.max_tokens)
        target.with_counts(target_counts, task.max_tokens)
        task.set_state({
            "source": source.get_state(), "target": target.get_state(),
            "max_source_length": task.max_source_length or longest[0],
            "max_target_length": task.max_target_length or longest[1], "choices": found})
    defaults.record_dropout(task, pairs)
    note_cut(task, np.array(longest[:1]), "source")
    note_cut(task, np.array(longest[1:]), "target")
    state = task.state_
    source_vocab, target_vocab = task.source_vocab_, task.target_vocab_
    source_vocab.lookup(), target_vocab.lookup()  # made eagerly, outside dataset functions
    signature = (tf.TensorSpec([], tf.string), tf.TensorSpec([], tf.string))
    errors: list = []
    train = stream_dataset(train_records, signature, errors)
    valid = None if valid_records is None else stream_dataset(valid_records, signature, errors)
    boundaries = length_boundaries(lengths)

    def encode(sources, targets):
        source_ids, _, _ = source_vocab.encode_graph(sources, state["max_source_length"])
        target_ids, _, _ = target_vocab.encode_graph(targets, state["max_target_length"] + 2)
        return teacher_forcing(source_ids, target_ids)

    def batch(dataset, size):
        encoded = dataset.batch(512).map(encode, num_parallel_calls=tf.data.AUTOTUNE).unbatch()
        return length_buckets(encoded, size, boundaries)

    return train, valid, batch, errors


def _side(records, side: int):
    """Sources (0) or targets (1) of the first pairs read, up to the subword sample."""
    from rnn_apps.preprocessing.subword import TRAINING_SENTENCES

    for index, pair in enumerate(records()):
        if index >= TRAINING_SENTENCES:
            return
        yield pair[side]


def check_pairs(X, y):
    """``(sources, targets)`` as lists of texts, as many of each (one-line errors)."""
    sources = check_texts(X, "sources")
    targets = check_texts(y, "targets") if y is not None else None
    if targets is None or len(targets) != len(sources):
        raise DataError(f"{len(sources)} sources but "
                        f"{'no' if targets is None else len(targets)} targets")
    return sources, targets


def in_memory_data(task, X, y, validation_data, prior) -> dict:
    """Vocabularies and teacher-forcing arrays from lists of pairs."""
    sources, targets = check_pairs(X, y)
    if validation_data is not None:
        valid = check_pairs(*validation_data)
    else:
        order = np.random.default_rng(task.data_seed()).permutation(len(sources))
        n_valid = int(len(sources) * task.valid_split)
        held, keep = order[:n_valid], order[n_valid:]
        valid = ([sources[i] for i in held], [targets[i] for i in held]) if n_valid else None
        sources, targets = [sources[i] for i in keep], [targets[i] for i in keep]
    if prior:
        task.set_state(prior)
        source_vocab, target_vocab = task.source_vocab_, task.target_vocab_
    else:
        found = defaults.resolve_levels(task, sources, targets)
        source_vocab = SequenceVocabulary.fit(sources, level=found["source_level"]["level"],
                                              lowercase=task.lowercase,
                                              max_tokens=task.max_tokens,
                                              vocab_size=task.vocab_size,
                                              model_type=task.subword_model)
        target_vocab = SequenceVocabulary.fit(targets, level=found["target_level"]["level"],
                                              lowercase=task.lowercase, target=True,
                                              max_tokens=task.max_tokens,
                                              vocab_size=task.vocab_size,
                                              model_type=task.subword_model)
    source_lengths = [len(s) for s in source_vocab.split(sources)]
    target_lengths = [len(t) for t in target_vocab.split(targets)]
    if not prior:
        task.set_state({
            "source": source_vocab.get_state(), "target": target_vocab.get_state(),
            "max_source_length": task.max_source_length or max(source_lengths),
            "max_target_length": task.max_target_length or max(target_lengths),
            "choices": found})
    defaults.record_dropout(task, len(sources))
    boundaries = length_boundaries(source_lengths)
    if valid is not None:
        source_lengths += [len(s) for s in source_vocab.split(valid[0])]
        target_lengths += [len(t) for t in target_vocab.split(valid[1])]
    note_cut(task, np.array(source_lengths), "source")
    note_cut(task, np.array(target_lengths), "target")
    x, y_out = training_arrays(task, sources, targets)
    if prior:
        note_unknown_tokens(x[0])
    validation = None if valid is None else training_arrays(task, *valid)
    return {"train": (tuple(x), y_out), "size": len(y_out),
            "valid": None if validation is None else (tuple(validation[0]), validation[1]),
            "batch": lambda data, size: length_buckets(data, size, boundaries)}


def training_arrays(task, sources, targets):
    """``([source ids, decoder inputs], decoder targets)`` for teacher forcing."""
    import tensorflow as tf

    source_ids, _, _ = task.source_vocab_.encode_graph(
        tf.constant(sources), task.state_["max_source_length"])
    target_ids, _, _ = task.target_vocab_.encode_graph(
        tf.constant(targets), task.state_["max_target_length"] + 2)
    (source_ids, decoder_inputs), outputs = teacher_forcing(source_ids, target_ids)
    return [source_ids.numpy(), decoder_inputs.numpy()], outputs.numpy()


def word_vectors(task, prior):
    """Pretrained vectors (``embeddings``) for each word-level side, if any."""
    from rnn_apps.preprocessing.embeddings import prepare

    sides = {"source_embedding": (task.source_vocab_, 2),
             "target_embedding": (task.target_vocab_, 4)}
    vocabularies = {name: (vocab.tokens, reserved)
                    for name, (vocab, reserved) in sides.items() if vocab.level == "word"}
    return prepare(task, vocabularies, prior, state=task.state_,
                   refusal="neither source_level nor target_level is 'word'")
