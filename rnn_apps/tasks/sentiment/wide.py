"""What a sentiment classifier adds to its recurrent network on request.

The wide path (``wide=True``) is a blend, stacked on the validation split, of
two models trained apart: the recurrent network (trained alone, exactly as
without ``wide``) and a logistic regression on TF-IDF word 1-2-grams
(:class:`~rnn_apps.preprocessing.tfidf.TfidfEncoder` fitted on the training
texts and kept in the JSON state; the regression fitted by scikit-learn on
the training split only, its coefficients then copied into a Keras
``Dense``). The classifier answers ``softmax(a * z_recurrent + b * z_linear
+ c)`` from the parts' logits ``z``: a product of their probabilities raised
to ``a, b >= 0``, which also corrects their confidence (the regression is
underconfident, the recurrent network often overconfident). ``a``, ``b`` and
the class biases ``c`` minimise the validation log loss (:func:`stack`);
``(1, 0, 0)`` and ``(0, 1, 0)`` are each part alone, so on validation the
blend is never worse than either. One Keras model with two inputs (token ids,
TF-IDF vector) holds both parts and the blend (a frozen ``Dense`` named
``probabilities``); the SavedModel computes both inputs from the raw text.

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
EQUAL = 0.5                         # each part's exponent without validation data
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
    """The classifier from the ``recurrent`` model (token ids to probabilities
    through a ``recurrent_logits`` layer; its layers shared) and a TF-IDF
    input: unit length -> linear logits (the regression's coefficients go in
    later) -> ``softmax(a * recurrent logits + b * linear logits + c)``."""
    import keras

    tfidf = keras.Input(shape=(wide_size,), dtype="float32", name="tfidf")
    x = keras.layers.UnitNormalization(name="tfidf_unit", dtype="float32")(tfidf)
    linear = keras.layers.Dense(n_classes, name="linear_logits", kernel_initializer="zeros",
                                dtype="float32")(x)
    both = keras.layers.Concatenate(name="both_logits", dtype="float32")(
        [recurrent.get_layer("recurrent_logits").output, linear])
    blend = keras.layers.Dense(n_classes, activation="softmax", trainable=False,
                               name="probabilities", dtype="float32")
    outputs = blend(both)
    set_blend(blend, EQUAL, EQUAL, np.zeros(n_classes))
    return keras.Model([recurrent.input, tfidf], outputs, name="sentiment_classifier")


def set_blend(layer, recurrent: float, linear: float, bias) -> None:
    """The blend layer's kernel ``[[a I], [b I]]`` and bias ``c``."""
    n = layer.units
    kernel = np.vstack([recurrent * np.eye(n), linear * np.eye(n)])
    layer.set_weights([kernel.astype(np.float32), np.asarray(bias, np.float32)])


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
    fitted on the texts' unit-length TF-IDF vectors, as logits: a binary
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


def softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def stack(recurrent, linear, label_ids):
    """``((a, b, c), validation scores of the recurrent part, the linear part and
    the blend)`` for logits ``[n, classes]`` of each part.

    ``softmax(a * recurrent + b * linear + c)`` with ``a, b >= 0`` (the first
    class's bias fixed at 0) minimising the validation log loss, a convex
    problem (L-BFGS-B) started from the better part alone and kept only where
    it improves on it: the blend's validation log loss is never above either
    part's. Log loss rather than accuracy: it is smooth, uses the confidence of
    every answer and rewards calibrated probabilities; a few hundred texts
    leave many settings with the same accuracy.
    """
    from scipy.optimize import minimize

    recurrent, linear = np.asarray(recurrent, np.float64), np.asarray(linear, np.float64)
    y = np.asarray(label_ids)
    n, k = recurrent.shape
    target = np.eye(k)[y]

    def loss(theta):  # the mean negative log-likelihood and its gradient
        logits = theta[0] * recurrent + theta[1] * linear + np.r_[0.0, theta[2:]]
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        grad_s = (np.exp(log_p) - target) / n
        grad = np.r_[(grad_s * recurrent).sum(), (grad_s * linear).sum(), grad_s.sum(0)[1:]]
        return -log_p[np.arange(n), y].mean(), grad

    starts = [np.r_[1.0, 0.0, np.zeros(k - 1)], np.r_[0.0, 1.0, np.zeros(k - 1)]]
    theta = min(starts, key=lambda t: loss(t)[0])
    found = minimize(loss, theta, jac=True, method="L-BFGS-B",
                     bounds=[(0.0, None), (0.0, None)] + [(None, None)] * (k - 1))
    if found.fun < loss(theta)[0]:
        theta = found.x
    a, b, c = float(theta[0]), float(theta[1]), np.r_[0.0, theta[2:]]
    return (a, b, c), {"recurrent": scores(softmax(recurrent), y),
                       "linear": scores(softmax(linear), y),
                       "blend": scores(softmax(a * recurrent + b * linear + c), y)}


def parts(task, texts, model=None) -> tuple[np.ndarray, np.ndarray]:
    """The recurrent and the linear logits of a blend model for ``texts``."""
    import keras

    model = task.model_ if model is None else model
    probe = keras.Model(model.inputs, [model.get_layer("recurrent_logits").output,
                                       model.get_layer("linear_logits").output])
    recurrent, linear = predict(task, texts, model=probe)
    return recurrent, linear


def blend_finish(task, train, valid, class_weights=None):
    """The engine's ``finish`` for a wide model: fit the linear part on ``train``
    (texts, label ids), stack the parts on ``valid`` (or weigh them
    :data:`EQUAL` without it), record the blend in the state (``blend``) and
    say it in a note."""
    from rnn_apps.core.training import note

    def finish(model, trainer):
        weights = None if class_weights is None else np.asarray(class_weights)[train[1]]
        linear = model.get_layer("linear_logits")
        linear.set_weights(list(fit_linear(task.wide_encoder_, train[0], train[1],
                                           linear.units, weights)))
        record = {"criterion": "none: no validation data" if valid is None
                  else "validation log loss"}
        if valid is None:
            a = b = EQUAL
            bias = np.zeros(linear.units)
            note("wide: no validation data to fit the blend on; the recurrent and linear "
                 f"parts are weighed equally (exponents {EQUAL} each)")
        else:
            (a, b, bias), found = stack(*parts(task, valid[0], model), valid[1])
            record["validation"] = found
            note("wide: blend exponents recurrent {:.2f}, linear {:.2f}, fitted on {} "
                 "validation texts; log loss / accuracy: recurrent {}, linear {}, blend {}"
                 .format(a, b, len(valid[1]),
                         *(f"{found[k]['log_loss']:.4f}/{found[k]['accuracy']:.3f}"
                           for k in ("recurrent", "linear", "blend"))))
        set_blend(model.get_layer("probabilities"), a, b, bias)
        share = a / (a + b) if a + b > 0 else EQUAL
        task.set_state({**task.get_state(), "blend": {
            "recurrent": a, "linear": b, "bias": [float(v) for v in bias],
            "share": share, **record}})

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
