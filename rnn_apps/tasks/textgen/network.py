"""The character language model network and its sampling loop (TensorFlow graph)."""

from __future__ import annotations

import math
import weakref

_STEP_FUNCTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def build_language_model(config, *, vocab_size: int, embedding_dim: int, batch_size=None,
                         stateful: bool = False, with_states: bool = False):
    """Embedding -> stacked recurrent layers -> logits over the vocabulary.

    ``stateful`` (needs ``batch_size``) carries state between calls for truncated
    BPTT. ``with_states`` adds initial-state inputs and final-state outputs:
    ``[tokens, *states] -> [logits, *states]``, the form generation and
    streaming evaluation use. All variants have the same weights, in the
    same order, so ``set_weights`` moves them between variants.
    """
    import keras

    from rnn_apps.core import regularisers
    from rnn_apps.core.recurrent import make_recurrent_layer

    tokens = keras.Input(batch_shape=(batch_size, None), dtype="int32", name="tokens")
    if embedding_dim is None:  # one-hot characters: a fixed identity embedding
        embedding = keras.layers.Embedding(
            vocab_size, vocab_size, mask_zero=True, trainable=False, name="one_hot",
            embeddings_initializer=keras.initializers.Identity())
    else:
        embedding = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True,
                                           name="embedding")
    x = regularisers.input_dropout(embedding(tokens), config, "lm")
    # Passed explicitly: Keras does not propagate the embedding mask into a
    # recurrent layer that is also given ``initial_state``.
    mask = keras.ops.not_equal(tokens, 0)
    state_inputs, state_outputs = [], []
    for index in range(config.layers):
        layer = make_recurrent_layer(config, return_sequences=True, name=f"lm_{config.cell}_{index}",
                                     stateful=stateful, return_state=with_states)
        if with_states:
            sizes = layer.cell.state_size
            sizes = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
            initial = [keras.Input(shape=(size,), name=f"state_{index}_{k}")
                       for k, size in enumerate(sizes)]
            outputs = layer(x, mask=mask,
                            initial_state=initial if len(initial) > 1 else initial[0])
            x, states = outputs[0], list(outputs[1:])
            state_inputs += initial
            state_outputs += states
        else:
            x = layer(x)
        if index == config.layers - 1:  # AR/TAR (training only)
            x = regularisers.penalise(x, config, "lm_penalty")
        x = regularisers.output_dropout(x, config, f"lm_dropout_{index}")
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    if with_states:
        return keras.Model([tokens, *state_inputs], [logits, *state_outputs],
                           name="char_language_model")
    return keras.Model(tokens, logits, name="char_language_model_train")


def zero_states(model, batch):
    """Zero initial states for a ``with_states`` model."""
    import tensorflow as tf

    return [tf.zeros([batch, int(spec.shape[-1])]) for spec in model.inputs[1:]]


def sample_graph(model, prompt_ids, lengths, length, temperature, top_k, seed):
    """Prime on right-padded ``prompt_ids`` then sample ``length`` tokens.

    TensorFlow ops only (a ``tf.while_loop``), so it runs in an exported
    SavedModel. ``temperature <= 0`` is greedy. ``top_k <= 0`` samples from the
    whole vocabulary. ``seed < 0`` draws a fresh random seed. Ids 0 and 1
    (padding, unknown) are never sampled. Returns ids ``[batch, length]``.
    """
    import tensorflow as tf

    batch = tf.shape(prompt_ids)[0]
    outputs = model([prompt_ids, *zero_states(model, batch)], training=False)
    logits_seq, states = outputs[0], list(outputs[1:])
    logits = tf.gather(logits_seq, lengths - 1, batch_dims=1)
    vocab = tf.shape(logits)[-1]
    blocked = tf.concat([tf.fill([2], -1e9), tf.zeros([vocab - 2])], axis=0)
    seed_pair = tf.cond(
        seed >= 0, lambda: tf.stack([seed, 0]),
        lambda: tf.random.uniform([2], maxval=2**31 - 1, dtype=tf.int32))

    def pick(logits, step):
        logits = logits + blocked
        k = tf.where(top_k > 0, tf.minimum(top_k, vocab), vocab)
        kth = tf.math.top_k(logits, k=k).values[:, -1:]
        logits = tf.where(logits < kth, -1e9, logits)
        greedy = tf.argmax(logits, axis=-1, output_type=tf.int32)
        scaled = logits / tf.maximum(temperature, 1e-6)
        sampled = tf.random.stateless_categorical(
            scaled, 1, seed=seed_pair + tf.stack([0, step]), dtype=tf.int32)[:, 0]
        return tf.where(temperature > 0, sampled, greedy)

    def body(step, logits, states, written):
        token = pick(logits, step)
        written = written.write(step, token)
        outputs = model([token[:, None], *states], training=False)
        return step + 1, outputs[0][:, 0], list(outputs[1:]), written

    written = tf.TensorArray(tf.int32, size=length, element_shape=tf.TensorShape([None]))
    _, _, _, written = tf.while_loop(
        lambda step, *_: step < length, body, [tf.constant(0), logits, states, written])
    return tf.transpose(written.stack(), [1, 0])


def prompt_sampler(model, vocabulary, lookup):
    """``(prompt, length, temperature, top_k, seed) -> {"text"}``: prompts
    continued, as one graph function (``generate`` and the SavedModel share it)."""
    import tensorflow as tf

    from rnn_apps.core import graph_checks
    from rnn_apps.core import params as rules

    @tf.function(input_signature=[
        tf.TensorSpec([None], tf.string, name="prompt"),
        tf.TensorSpec([], tf.int32, name="length"),
        tf.TensorSpec([], tf.float32, name="temperature"),
        tf.TensorSpec([], tf.int32, name="top_k"),
        tf.TensorSpec([], tf.int32, name="seed")])
    def sample(prompt, length, temperature, top_k, seed):
        prompt = graph_checks.checked(
            prompt, (tf.size(prompt) > 0, "the prompt batch is empty"),
            (tf.reduce_all(tf.strings.length(prompt) > 0), "a prompt is empty"))
        length = graph_checks.in_range(length, "length", 1, rules.LIMITS["generated"])
        temperature = graph_checks.in_range(temperature, "temperature", 0.0, 100.0)
        top_k = graph_checks.in_range(top_k, "top_k", 0, rules.LIMITS["vocabulary"])
        ids = tf.cast(lookup(vocabulary.split_graph(prompt)), tf.int32)
        dense = tf.pad(ids.to_tensor(default_value=0), [[0, 0], [0, 1]])
        lengths = tf.maximum(tf.cast(ids.row_lengths(), tf.int32), 1)
        new = sample_graph(model, dense, lengths, length, temperature, top_k, seed)
        return {"text": tf.strings.join([prompt, vocabulary.decode_graph(new)])}

    return sample


def stream_loss(model, ids, streams: int = 16, chunk: int = 256) -> float:
    """Mean next-character cross-entropy (nats), state carried through the text."""
    import keras
    import tensorflow as tf

    streams = max(1, min(streams, (len(ids) - 1) // chunk or 1))
    per = (len(ids) - 1) // streams
    x = ids[:per * streams].reshape(streams, per)
    y = ids[1:per * streams + 1].reshape(streams, per)
    step = _STEP_FUNCTIONS.get(model)
    if step is None:  # one graph per model, not one per call
        step = tf.function(lambda inputs: model(inputs, training=False),
                           reduce_retracing=True)
        _STEP_FUNCTIONS[model] = step
    states, total = zero_states(model, streams), 0.0
    for start in range(0, per, chunk):
        outputs = step([tf.constant(x[:, start:start + chunk]), *states])
        states = list(outputs[1:])
        total += float(tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(
            y[:, start:start + chunk], outputs[0], from_logits=True)))
    return total / (per * streams)


def bits_per(unit: str, train_ratio: float, valid_ratio: float | None):
    """A callback adding each epoch's loss in bits per ``unit`` (``char`` or
    ``piece``) and, for pieces, per character (a ratio is tokens per character
    of the training or validation text), so no figure leaves its unit unsaid:
    ``bits_per_char``, ``val_bits_per_char`` and, for pieces, ``bits_per_piece``,
    ``val_bits_per_piece``. It runs after the validation loss is logged."""
    import keras

    ratios = {"": train_ratio, "val_": valid_ratio}

    class BitsPer(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            for prefix, ratio in ratios.items():
                loss = (logs or {}).get(f"{prefix}loss")
                if loss is None or not ratio:
                    continue
                bits = float(loss) / math.log(2)
                if unit in ("piece", "word"):
                    logs[f"{prefix}bits_per_{unit}"] = bits
                logs[f"{prefix}bits_per_char"] = bits * ratio

    return BitsPer()
