"""Beam search for the seq2seq decoder, as a TensorFlow graph loop.

``beam_search`` runs inside a ``tf.function`` (``text_decoder``: text in,
text out, the one the Python API calls and the exported SavedModel holds); a
width of 1 is greedy decoding. ``python_beam_search`` is the
same algorithm driven from Python one decoder step at a time: the reference
the graph version is tested against, and the baseline of the speed benchmark.

The search keeps ``width`` hypotheses per input ranked by their summed log
probability. A hypothesis that wrote the end token is finished: it is kept
with its score and extended only by padding at no cost. The loop stops when
every hypothesis is finished or after ``max_length`` steps; the answer is
the hypothesis with the best ``score / length ** length_penalty``
(``length_penalty`` 0: plain sum, 1: mean log probability per token).
"""

from __future__ import annotations

import numpy as np

from rnn_apps.preprocessing.sequences import END_ID, START_ID

BLOCKED = (0, 1, START_ID)   # padding, unknown and start are never written
NEG = -1.0e9


def _state_names(decoder) -> list[str]:
    return sorted((k for k in decoder.output if k.startswith("state_")),
                  key=lambda k: tuple(int(p) for p in k.split("_")[1:]))


def beam_search(encoder, decoder, source_ids, width, max_length, length_penalty):
    """``(ids [batch, max_length], lengths [batch])``: the best hypothesis per
    source, its length without the end token. TensorFlow ops only."""
    import tensorflow as tf

    names = _state_names(decoder)
    batch = tf.shape(source_ids)[0]
    encoded = encoder(source_ids, training=False)
    memory = tf.repeat(encoded[0], width, axis=0)
    memory_ids = tf.repeat(source_ids, width, axis=0)
    states = [tf.repeat(s, width, axis=0) for s in encoded[1:]]
    vocab = int(decoder.output["logits"].shape[-1])
    blocked = tf.constant([NEG if i in BLOCKED else 0.0 for i in range(vocab)])
    stay = tf.constant([0.0] + [NEG] * (vocab - 1))
    columns = tf.range(max_length)

    scores = tf.tile(tf.where(tf.range(width) == 0, 0.0, NEG)[None], [batch, 1])
    finished = tf.zeros([batch, width], tf.bool)
    lengths = tf.zeros([batch, width], tf.int32)
    written = tf.zeros([batch, width, max_length], tf.int32)
    tokens = tf.fill([batch * width], START_ID)

    def body(step, tokens, states, scores, finished, lengths, written):
        out = decoder([tokens[:, None], memory, memory_ids, *states], training=False)
        log_probs = tf.nn.log_softmax(out["logits"][:, 0]) + blocked
        log_probs = tf.reshape(log_probs, [batch, width, vocab])
        log_probs = tf.where(finished[..., None], stay, log_probs)
        total = tf.reshape(scores[..., None] + log_probs, [batch, width * vocab])
        scores, index = tf.math.top_k(total, k=width)
        parent, token = index // vocab, index % vocab
        finished = tf.gather(finished, parent, batch_dims=1)
        lengths = tf.gather(lengths, parent, batch_dims=1) + tf.cast(~finished, tf.int32)
        written = tf.gather(written, parent, batch_dims=1)
        written += tf.cast(columns == step, tf.int32)[None, None] * token[..., None]
        finished = finished | tf.equal(token, END_ID)
        rows = tf.reshape(parent + tf.range(batch)[:, None] * width, [-1])
        states = [tf.gather(out[name], rows) for name in names]
        return (step + 1, tf.reshape(token, [-1]), states, scores, finished, lengths,
                written)

    _, _, _, scores, finished, lengths, written = tf.while_loop(
        lambda step, tokens, states, scores, finished, *_: tf.logical_and(
            step < max_length, tf.logical_not(tf.reduce_all(finished))),
        body, [tf.constant(0), tokens, states, scores, finished, lengths, written])
    normalised = scores / tf.pow(tf.cast(tf.maximum(lengths, 1), tf.float32), length_penalty)
    best = tf.argmax(normalised, axis=1, output_type=tf.int32)
    ids = tf.gather(written, best, batch_dims=1)
    ended = tf.gather(finished, best, batch_dims=1)
    return ids, tf.gather(lengths, best, batch_dims=1) - tf.cast(ended, tf.int32)


def text_decoder(encoder, decoder, source_vocab, target_vocab, max_source):
    """``text [b], beam_width, max_length, length_penalty -> {output,
    source_length, unknown}`` as one tf.function: tokenise, encode, beam
    search, join (the Python API and the SavedModel share it)."""
    import tensorflow as tf

    from rnn_apps.core import graph_checks
    from rnn_apps.core import params as rules

    source_vocab.lookup()  # made eagerly, not inside a trace that ends

    @tf.function(autograph=False, input_signature=[
        tf.TensorSpec([None], tf.string, name="text"),
        tf.TensorSpec([], tf.int32, name="beam_width"),
        tf.TensorSpec([], tf.int32, name="max_length"),
        tf.TensorSpec([], tf.float32, name="length_penalty")])
    def decode(text, beam_width, max_length, length_penalty):
        text = graph_checks.texts(text)
        beam_width = graph_checks.in_range(beam_width, "beam_width", 1,
                                           rules.LIMITS["beam_width"])
        max_length = graph_checks.in_range(max_length, "max_length", 1,
                                           rules.LIMITS["generated"])
        length_penalty = graph_checks.in_range(length_penalty, "length_penalty", 0.0, 100.0)
        source_ids, lengths, unknown = source_vocab.encode_graph(text, max_source)
        ids, out_lengths = beam_search(encoder, decoder, source_ids, beam_width,
                                        max_length, length_penalty)
        return {"output": target_vocab.decode_graph(ids, out_lengths),
                "source_length": lengths, "unknown": unknown}

    return decode


def python_beam_search(encoder, step, source_ids, width, max_length, length_penalty,
                       vocab):
    """The same search with NumPy bookkeeping and one ``step(tokens, memory,
    memory_ids, states) -> (log_probs, states)`` call per output position."""
    encoded = [np.asarray(t) for t in encoder(source_ids)]
    batch = len(source_ids)
    memory = np.repeat(encoded[0], width, axis=0)
    memory_ids = np.repeat(np.asarray(source_ids), width, axis=0)
    states = [np.repeat(s, width, axis=0) for s in encoded[1:]]
    blocked = np.array([NEG if i in BLOCKED else 0.0 for i in range(vocab)], np.float32)
    stay = np.array([0.0] + [NEG] * (vocab - 1), np.float32)
    scores = np.tile(np.where(np.arange(width) == 0, 0.0, NEG).astype(np.float32), (batch, 1))
    finished = np.zeros((batch, width), bool)
    lengths = np.zeros((batch, width), np.int32)
    written = np.zeros((batch, width, max_length), np.int32)
    tokens = np.full(batch * width, START_ID, np.int32)
    for position in range(max_length):
        if finished.all():
            break
        log_probs, new_states = step(tokens, memory, memory_ids, states)
        log_probs = (np.asarray(log_probs) + blocked).reshape(batch, width, vocab)
        log_probs = np.where(finished[..., None], stay, log_probs)
        total = (scores[..., None] + log_probs).reshape(batch, width * vocab)
        index = np.argsort(-total, axis=1, kind="stable")[:, :width]
        scores = np.take_along_axis(total, index, axis=1)
        parent, token = index // vocab, index % vocab
        finished = np.take_along_axis(finished, parent, axis=1)
        lengths = np.take_along_axis(lengths, parent, axis=1) + ~finished
        written = np.take_along_axis(written, parent[..., None], axis=1)
        written[:, :, position] = token
        finished = finished | (token == END_ID)
        rows = (parent + np.arange(batch)[:, None] * width).reshape(-1)
        states = [np.asarray(s)[rows] for s in new_states]
        tokens = token.reshape(-1).astype(np.int32)
    normalised = scores / np.maximum(lengths, 1).astype(np.float32) ** length_penalty
    best = normalised.argmax(axis=1)
    pick = np.arange(batch)
    return written[pick, best], lengths[pick, best] - finished[pick, best]


def decoder_step(decoder):
    """A ``tf.function`` for one decoding step (``python_beam_search``'s ``step``)."""
    import tensorflow as tf

    names = _state_names(decoder)

    @tf.function(reduce_retracing=True)
    def step(tokens, memory, memory_ids, states):
        out = decoder([tokens[:, None], memory, memory_ids, *states], training=False)
        return tf.nn.log_softmax(out["logits"][:, 0]), [out[name] for name in names]

    return step
