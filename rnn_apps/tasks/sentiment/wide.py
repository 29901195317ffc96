"""What a sentiment classifier adds to its recurrent network on request.

The wide path (``wide=True``) is a validated blend of two models trained
apart: the recurrent network (trained alone, exactly as without ``wide``)
and a logistic regression on TF-IDF word 1-2-grams
(:class:`~rnn_apps.preprocessing.tfidf.TfidfEncoder` fitted on the training
texts and kept in the JSON state; the regression fitted by scikit-learn on
the training split only, its coefficients then copied into a Keras
``Dense``). The classifier answers ``w * p_recurrent + (1 - w) * p_linear``,
``w`` chosen on the validation split from :data:`GRID` by log loss (see
:func:`choose_weight`), so on validation the blend is never worse than either
part. One Keras model with two inputs (token ids, TF-IDF vector) holds both
parts and the weight (a frozen ``Dense`` named ``probabilities``); the
SavedModel computes both inputs from the raw text.

Models saved by the earlier joint wide & deep path (``wide_logits`` added to
``deep_logits``) take the same two inputs and still load and predict.

Pretrained word vectors (``embeddings=FILE``) for the word embedding:
:mod:`rnn_apps.preprocessing.embeddings`.
"""

from __future__ import annotations

import numpy as np

from rnn_apps.errors import RnnAppsError

NGRAMS = 2                          # word unigrams and bigrams
C = 1.0                             # the regression's inverse L2 strength (scikit-learn's default)
GRID = np.round(np.linspace(0.0, 1.0, 21), 2)  # candidate weights of the recurrent part
EQUAL = 0.5                         # the weight without validation data, and the tie-breaker
MISSING_CLASS_BIAS = -30.0          # a class absent from the training split: never predicted


def check_settings(task) -> None:
    """One-line errors for settings that cannot go together."""
    if task.embeddings is not None and task.level != "word":
        raise RnnAppsError("embeddings (pretrained word vectors) need level='word'; "
                           f"this classifier reads level={task.level!r}")


def extras(task, encoder, texts, prior):
    """``(state entries, word vectors)`` beyond the vocabulary and classes: the
    wide path's TF-IDF n-grams (fitted on ``texts``, an array or a callable of
    string batches; or the warm start's) and the word vectors' summary."""
    from rnn_apps.preprocessing import embeddings
    from rnn_apps.preprocessing.tfidf import TfidfEncoder

    state = {}
    if prior is not None and bool(prior.get("wide")) != bool(task.wide):
        raise RnnAppsError(f"the warm-start model was trained with wide="
                           f"{bool(prior.get('wide'))}; set wide the same way")
    if prior is not None and prior.get("wide"):
        state["wide"] = prior["wide"]
    elif task.wide:
        state["wide"] = TfidfEncoder.fit(texts, standardize=task.standardize, ngrams=NGRAMS,
                                         max_tokens=task.max_tokens).get_state()
    vectors = embeddings.prepare(task, {"embedding": (encoder.vocabulary[2:], 2)}, prior)
    if vectors is not None and vectors.summary:
        state[embeddings.STATE_KEY] = vectors.summary
    return state, vectors


def blend_network(recurrent, *, n_classes: int, wide_size: int):
    """The classifier from the ``recurrent`` model (token ids to probabilities,
    its layers shared) and a TF-IDF input: unit length -> a linear softmax (the
    regression's coefficients go in later) -> ``w * recurrent + (1 - w) * linear``."""
    import keras

    tfidf = keras.Input(shape=(wide_size,), dtype="float32", name="tfidf")
    x = keras.layers.UnitNormalization(name="tfidf_unit", dtype="float32")(tfidf)
    linear = keras.layers.Dense(n_classes, activation="softmax", name="linear_probabilities",
                                kernel_initializer="zeros", dtype="float32")(x)
    both = keras.layers.Concatenate(name="both_probabilities", dtype="float32")(
        [recurrent.output, linear])
    blend = keras.layers.Dense(n_classes, use_bias=False, trainable=False, name="probabilities",
                               kernel_initializer="zeros", dtype="float32")
    outputs = blend(both)
    set_weight(blend, EQUAL)
    return keras.Model([recurrent.input, tfidf], outputs, name="sentiment_classifier")


def set_weight(layer, weight: float) -> None:
    """The blend layer's kernel ``[[w I], [(1 - w) I]]``."""
    n = layer.units
    layer.set_weights([np.vstack([weight * np.eye(n), (1.0 - weight) * np.eye(n)])
                       .astype(np.float32)])


def tfidf_matrix(encoder, texts, chunk: int = 512):
    """Unit-length TF-IDF rows of ``texts`` as a sparse matrix (made ``chunk`` texts
    at a time, never one dense matrix of the whole data set)."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    texts = np.asarray(texts, dtype=object)
    blocks = [sparse.csr_matrix(encoder.encode(texts[i:i + chunk]))
              for i in range(0, len(texts), chunk)]
    return normalize(sparse.vstack(blocks).tocsr())


def fit_linear(encoder, texts, label_ids, n_classes: int, sample_weight=None):
    """``(kernel [size, n_classes], bias [n_classes])`` of a logistic regression
    fitted on the texts' TF-IDF vectors, as softmax logits: a binary
    regression's one score goes to the second class (the first gets 0)."""
    from sklearn.linear_model import LogisticRegression

    regression = LogisticRegression(C=C, max_iter=1000)
    regression.fit(tfidf_matrix(encoder, texts), label_ids, sample_weight=sample_weight)
    kernel = np.zeros((encoder.size, n_classes), np.float32)
    bias = np.full(n_classes, MISSING_CLASS_BIAS, np.float32)
    seen = [int(c) for c in regression.classes_]
    if len(seen) == 2:
        kernel[:, seen[1]] = regression.coef_[0]
        bias[seen] = [0.0, regression.intercept_[0]]
    else:
        kernel[:, seen] = regression.coef_.T
        bias[seen] = regression.intercept_
    return kernel, bias


def scores(probabilities, label_ids) -> dict:
    """``log_loss`` (natural log, probabilities clipped at 1e-7) and ``accuracy``."""
    picked = probabilities[np.arange(len(label_ids)), label_ids]
    return {"log_loss": float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0)))),
            "accuracy": float(np.mean(np.argmax(probabilities, axis=1) == label_ids))}


def choose_weight(recurrent, linear, label_ids):
    """``(w, validation scores of the recurrent part, the linear part and the blend)``.

    ``w`` minimises the validation log loss over :data:`GRID`, which holds 0
    and 1, so the blend's log loss is never above either part's. Log loss
    rather than accuracy: a few hundred validation texts leave many weights
    with the same accuracy, while the log loss of a mixture is smooth and
    convex in ``w`` and uses the confidence of every answer. Ties go to the
    weight nearest :data:`EQUAL` (averaging is the more robust choice).
    """
    label_ids = np.asarray(label_ids)
    losses = [scores(w * recurrent + (1 - w) * linear, label_ids)["log_loss"] for w in GRID]
    best = min(range(len(GRID)), key=lambda i: (round(losses[i], 12), abs(GRID[i] - EQUAL)))
    weight = float(GRID[best])
    found = {"recurrent": scores(recurrent, label_ids), "linear": scores(linear, label_ids),
             "blend": scores(weight * recurrent + (1 - weight) * linear, label_ids)}
    return weight, found


def parts(task, texts, model=None) -> tuple[np.ndarray, np.ndarray]:
    """The recurrent and the linear probabilities of a blend model for ``texts``."""
    import keras

    model = task.model_ if model is None else model
    probe = keras.Model(model.inputs, [model.get_layer("recurrent_probabilities").output,
                                       model.get_layer("linear_probabilities").output])
    recurrent, linear = predict(task, texts, model=probe)
    return recurrent, linear


def blend_finish(task, train, valid, class_weights=None):
    """The engine's ``finish`` for a wide model: fit the linear part on ``train``
    (texts, label ids), choose the blend weight on ``valid`` (or :data:`EQUAL`
    without it), record both in the state (``blend``) and say them in a note."""
    from rnn_apps.core.training import note

    def finish(model, trainer):
        weights = None if class_weights is None else np.asarray(class_weights)[train[1]]
        linear = model.get_layer("linear_probabilities")
        linear.set_weights(list(fit_linear(task.wide_encoder_, train[0], train[1],
                                           linear.units, weights)))
        record = {"criterion": "validation log loss", "grid": len(GRID)}
        if valid is None:
            weight = EQUAL
            note(f"wide: no validation data to choose the blend weight; the recurrent and "
                 f"linear parts are weighed equally ({EQUAL})")
        else:
            weight, found = choose_weight(*parts(task, valid[0], model), valid[1])
            record["validation"] = found
            note("wide: blend weight {:.2f} on the recurrent part, chosen on {} validation "
                 "texts; log loss / accuracy: recurrent {}, linear {}, blend {}".format(
                     weight, len(valid[1]),
                     *(f"{found[k]['log_loss']:.4f}/{found[k]['accuracy']:.3f}"
                       for k in ("recurrent", "linear", "blend"))))
        set_weight(model.get_layer("probabilities"), weight)
        task.set_state({**task.get_state(), "blend": {"weight": weight, **record}})

    return finish


def predict(task, texts, batch_size: int = 256, model=None):
    """Outputs of a wide model (probabilities, or a probe's list); inputs made
    ``batch_size`` texts at a time."""
    import tensorflow as tf

    encoder, wide = task.text_encoder_, task.wide_encoder_
    model = task.model_ if model is None else model
    data = tf.data.Dataset.from_tensor_slices(tf.constant(list(texts), tf.string))
    data = data.batch(batch_size).map(lambda text: ((encoder(text), wide(text)),))
    out = model.predict(data, verbose=0)
    return [np.asarray(o) for o in out] if isinstance(out, list) else np.asarray(out)
