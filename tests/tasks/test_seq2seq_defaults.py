"""Seq2seq defaults chosen from the data: the vocabulary level per side, dropout
scaled to the pairs, label smoothing with padding masked, checkpoint averaging
kept only when not worse; the defaults train, save, load and export."""

import warnings

import numpy as np
import pytest

from rnn_apps import Seq2SeqTranslator
from rnn_apps.core.averaging import WeightSnapshots, mean_weights
from rnn_apps.core.losses import SmoothedSequenceCrossentropy
from rnn_apps.errors import RnnAppsError
from rnn_apps.tasks.seq2seq import defaults

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def dates(n, seed=0):
    """Dates written out ("March 3, 1987") and as ISO strings."""
    rng = np.random.default_rng(seed)
    sources, targets = [], []
    for _ in range(n):
        year, month, day = int(rng.integers(1950, 2030)), int(rng.integers(1, 13)), \
            int(rng.integers(1, 29))
        sources.append(f"{MONTHS[month - 1]} {day}, {year}")
        targets.append(f"{year}-{month:02d}-{day:02d}")
    return sources, targets


def open_sentences(n, seed=0):
    """Sentences of 6 words drawn from 5,000 made-up words: most words are rare."""
    rng = np.random.default_rng(seed)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    lexicon = ["".join(rng.choice(letters, int(rng.integers(3, 9)))) for _ in range(5000)]
    return [" ".join(rng.choice(lexicon, 6)) for _ in range(n)]


def test_auto_picks_char_for_dates_and_subword_for_open_sentences():
    sources, targets = dates(600)
    assert defaults.choose_level(sources)["level"] == "char"     # few unseen words, numbers
    assert defaults.choose_level(targets)["level"] == "char"     # one word per text
    sentences = defaults.choose_level(open_sentences(600))
    assert sentences["level"] == "subword" and sentences["unseen_words"] > 0.5
    phones = [" ".join(["AH", "B", "K", "D"][i % 4:] + ["T"]) for i in range(400)]
    assert defaults.choose_level(phones)["level"] == "word"       # closed vocabulary


def test_open_vocabulary_falls_back_to_char_without_the_subword_extra(monkeypatch):
    monkeypatch.setattr(defaults, "subwords_installed", lambda: False)
    found = defaults.choose_level(open_sentences(300))
    assert found["level"] == "char" and "not installed" in found["reason"]


def test_given_levels_are_kept_and_dropout_follows_an_open_vocabulary_and_the_pairs():
    model = Seq2SeqTranslator(source_level="word", target_level="auto")
    found = defaults.resolve_levels(model, *dates(100))
    assert found["source_level"]["level"] == "word"
    assert found["source_level"]["reason"] == "given"
    assert found["target_level"]["level"] == "char"
    assert [defaults.scaled_dropout(n) for n in (1_000, 60_000, 500_000)] == [0.3, 0.2, 0.1]
    model.state_ = {"choices": found}
    defaults.record_dropout(model, 100)
    assert model.state_["choices"]["dropout"] == {"value": 0.0,
                                                  "reason": "no open word vocabulary"}
    model.state_ = {"choices": defaults.resolve_levels(model, open_sentences(300),
                                                       open_sentences(300, seed=1))}
    defaults.record_dropout(model, 60_000)
    assert model.state_["choices"]["dropout"]["value"] == 0.2
    model.dropout = 0.05                                          # given: kept
    defaults.record_dropout(model, 60_000)
    assert model.state_["choices"]["dropout"] == {"value": 0.05, "reason": "given"}


def test_bad_settings_are_one_line_errors():
    for bad in ({"source_level": "letters"}, {"label_smoothing": 1.0},
                {"average_checkpoints": -1}, {"dropout": 1.5}):
        with pytest.raises(RnnAppsError) as error:
            Seq2SeqTranslator(**bad).fit(["a"], ["b"])
        assert "\n" not in str(error.value)


def test_label_smoothing_loss_is_the_hand_computation_with_padding_masked():
    import keras

    logits = np.array([[[2.0, 1.0, 0.0, -1.0], [0.5, 0.5, 3.0, 0.0], [9.0, 1.0, 2.0, 3.0]],
                       [[0.0, 0.0, 1.0, 2.0], [4.0, 0.0, 0.0, 1.0], [1.0, 2.0, 3.0, 4.0]]],
                      dtype="float32")
    targets = np.array([[1, 2, 0], [3, 0, 0]])                # 3 real tokens, 3 padding
    e, total = 0.2, 0.0
    for row, column in [(0, 0), (0, 1), (1, 0)]:
        z = logits[row, column]
        log_p = z - np.log(np.sum(np.exp(z)))
        q = np.full(4, e / 4)
        q[targets[row, column]] += 1 - e
        total += -np.sum(q * log_p)
    loss = SmoothedSequenceCrossentropy(e)(targets, logits)
    np.testing.assert_allclose(float(loss), total / 3, rtol=1e-5)
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
    np.testing.assert_allclose(float(SmoothedSequenceCrossentropy(0.0)(targets, logits)),
                               float(plain(targets, logits)), rtol=1e-5)


def _scalar_model(value):
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    model.compile(loss="mse")
    model.set_weights([np.array([[value]], dtype="float32")])
    return model


def test_averaging_is_the_mean_and_kept_only_when_not_worse():
    import tensorflow as tf

    valid = tf.data.Dataset.from_tensor_slices(([[1.0]], [[0.0]])).batch(1)  # loss = w ** 2
    snapshots = WeightSnapshots(keep=2)
    snapshots.set_model(_scalar_model(0.0))
    for epoch, (loss, w) in enumerate([(5.0, 9.0), (1.0, 3.0), (2.0, -1.0), (3.0, 7.0)]):
        snapshots.model.set_weights([np.array([[w]], dtype="float32")])
        snapshots.on_epoch_end(epoch, {"val_loss": loss})
    assert [e for _, e, _ in snapshots.snapshots] == [2, 3]      # the two lowest losses

    better = _scalar_model(3.0)                                   # restored weight 3: loss 9
    report = snapshots.apply(better, valid)                       # mean of 3 and -1 is 1
    assert report["kept"] and report["epochs"] == [2, 3]
    assert better.get_weights()[0].item() == pytest.approx(1.0)
    assert report["val_loss_average"] == pytest.approx(1.0)

    worse = _scalar_model(0.5)                                    # loss 0.25 < average's 1
    report = snapshots.apply(worse, valid)
    assert not report["kept"] and worse.get_weights()[0].item() == pytest.approx(0.5)
    counts = np.array([7, 7])                                     # not averaged
    mixed = mean_weights([[np.ones(2), counts + 1], [np.zeros(2), counts + 3]],
                         [np.zeros(2), counts])
    np.testing.assert_array_equal(mixed[0], [0.5, 0.5])
    np.testing.assert_array_equal(mixed[1], counts)


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    model = Seq2SeqTranslator(units=16, embedding_dim=8, epochs=3, batch_size=32, seed=0,
                              verbose=0, average_checkpoints=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(*dates(300))
    return model, tmp_path_factory.mktemp("dated")


def test_defaults_record_their_choices_and_survive_save_load_export(dated):
    model, folder = dated
    found = model.choices_
    assert found["source_level"]["level"] == found["target_level"]["level"] == "char"
    assert model.source_vocab_.level == model.target_vocab_.level == "char"
    assert found["dropout"] == {"value": 0.0, "reason": "no open word vocabulary"}
    assert model.config_.dropout == 0.0 and model.get_params()["dropout"] is None
    average = found["average_checkpoints"]
    assert average["epochs"] == [1, 2, 3]
    assert average["kept"] == (average["val_loss_average"] <= average["val_loss_restored"])
    assert "chosen: source level char" in defaults.describe(found)
    model.save(folder / "model")
    loaded = Seq2SeqTranslator.load(folder / "model")
    sources = dates(5, seed=3)[0]
    assert loaded.choices_ == found and loaded.predict(sources) == model.predict(sources)
    model.export(folder / "export")
    assert (folder / "export" / "saved_model.pb").is_file()


def test_the_average_changes_the_weights_only_when_kept():
    sources, targets = dates(200, seed=4)
    kwargs = {"units": 8, "embedding_dim": 8, "epochs": 3, "batch_size": 32, "seed": 0,
              "verbose": 0, "label_smoothing": 0.0, "dropout": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = Seq2SeqTranslator(average_checkpoints=0, **kwargs).fit(sources, targets)
        averaged = Seq2SeqTranslator(average_checkpoints=3, **kwargs).fit(sources, targets)
    same = all(np.array_equal(a, b) for a, b in
               zip(plain.model_.get_weights(), averaged.model_.get_weights()))
    assert plain.choices_.get("average_checkpoints") is None
    assert same != averaged.choices_["average_checkpoints"]["kept"]
