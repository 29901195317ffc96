"""The CRF layer against brute force over every tag sequence."""

import itertools

import keras
import numpy as np

from rnn_apps.core.crf import CRF


def random_crf(k=3, seed=0):
    rng = np.random.default_rng(seed)
    crf = CRF(k)
    crf.build((None, None, k))
    crf.transitions.assign(rng.normal(size=(k, k)).astype("float32"))
    crf.start_scores.assign(rng.normal(size=k).astype("float32"))
    crf.end_scores.assign(rng.normal(size=k).astype("float32"))
    return crf, rng


def test_partition_score_and_viterbi_match_brute_force():
    crf, rng = random_crf()
    emissions = rng.normal(size=(2, 4, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool)
    transitions, start, end = (np.asarray(w) for w in (crf.transitions, crf.start_scores,
                                                       crf.end_scores))
    log_z = np.asarray(crf.log_partition(emissions, mask))
    best = np.asarray(crf.decode(emissions, mask))
    for b in range(2):
        n = int(mask[b].sum())

        def score(seq, b=b, n=n):
            return (start[seq[0]] + end[seq[-1]] + sum(emissions[b, t, seq[t]] for t in range(n))
                    + sum(transitions[seq[t - 1], seq[t]] for t in range(1, n)))

        sequences = list(itertools.product(range(3), repeat=n))
        scores = np.array([score(s) for s in sequences])
        assert abs(log_z[b] - np.log(np.exp(scores).sum())) < 1e-4
        assert tuple(best[b, :n]) == sequences[int(scores.argmax())]
        gold = np.zeros((2, 4), "int32")
        gold[b, :n] = sequences[7]
        assert abs(float(crf.sequence_score(emissions, gold, mask)[b]) - scores[7]) < 1e-4


def test_one_step_sequences_and_the_layer_loss():
    crf, rng = random_crf(seed=1)
    emissions = rng.normal(size=(3, 1, 3)).astype("float32")
    start, end = np.asarray(crf.start_scores), np.asarray(crf.end_scores)
    np.testing.assert_array_equal(np.asarray(crf.decode(emissions))[:, 0],
                                  (emissions[:, 0] + start + end).argmax(axis=1))
    scores = keras.Input((None, 3))
    tags = keras.Input((None,), dtype="int32")
    model = keras.Model([scores, tags], crf(scores, tags=tags))
    model([emissions, np.zeros((3, 1), "int32")])
    assert len(model.losses) == 1 and float(model.losses[0]) > 0  # a negative log-likelihood


def test_crf_model_saves_and_loads_in_safe_mode(tmp_path):
    crf, _ = random_crf(seed=2)
    inputs = keras.Input((None, 3))
    model = keras.Model(inputs, crf(keras.layers.Dense(3)(inputs)))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded.get_layer(crf.name).transitions),
                               np.asarray(crf.transitions))
