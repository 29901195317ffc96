"""Tagger with contextual character embeddings (``char_lm``): the features are the
language models' states at the word boundaries, frozen or fine-tuned, saved,
exported and trained from the CLI; backward textgen models; bad input."""

import numpy as np
import pytest

from rnn_apps import Tagger, TextGenerator
from rnn_apps.errors import DataError, ModelDirError, RnnAppsError
from tests.cli.test_cli import one_line_error, run
from tests.tasks.test_tagging import corpus

LM = {"units": 12, "embedding_dim": 8, "epochs": 1, "seed": 0, "verbose": 0}
TAGGER = {"units": 8, "embedding_dim": 8, "char_filters": 4, "epochs": 2, "seed": 0,
          "verbose": 0, "learning_rate": 1e-2}


def text():
    return "\n".join(" ".join(s) for s in corpus(60)[0])


@pytest.fixture(scope="module")
def lms():
    return (TextGenerator(**LM).fit(text()),
            TextGenerator(direction="backward", **{**LM, "units": 10}).fit(text()))


@pytest.fixture(scope="module")
def lm_dirs(lms, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lms")
    return [str(lm.save(folder / lm.direction)) for lm in lms]


@pytest.fixture(scope="module")
def tagger(lms):
    return Tagger(char_lm=list(lms), **TAGGER).fit(*corpus(60))


def lm_weights(tagger, direction):
    return tagger.model_.get_layer(f"char_lm_{direction}").get_weights()


def test_features_are_the_states_after_each_word_in_each_direction(tagger, lms):
    forward, backward = lms
    sentences = [["we", "met", "Dave", "Smith"], ["Bob", "went", "to", "Rome", "today"]]
    inputs, _ = tagger._network_inputs(tagger._raw_batch(sentences))
    layers = [tagger.model_.get_layer(f"char_lm_{d}") for d in ("forward", "backward")]
    features = [layer(inputs[2 + 2 * i:4 + 2 * i]).numpy() for i, layer in enumerate(layers)]
    for row, tokens in enumerate(sentences):
        joined = " ".join(tokens)
        starts = np.cumsum([0] + [len(t) + 1 for t in tokens[:-1]])
        ends = starts + [len(t) - 1 for t in tokens]
        ahead = forward.hidden_states("\n" + joined)[0]["layers"][-1]
        behind = backward.hidden_states("\n" + joined[::-1])[0]["layers"][-1]
        n = len(tokens)
        np.testing.assert_allclose(features[0][row, :n], ahead[ends + 1], atol=1e-5)
        np.testing.assert_allclose(features[1][row, :n], behind[len(joined) - starts],
                                   atol=1e-5)
        assert not np.allclose(features[0][row, :n], ahead[starts + 1], atol=1e-3)
    assert features[0].shape[-1] == 12 and features[1].shape[-1] == 10


def test_frozen_by_default_and_fine_tuned_when_trainable(tagger, lms):
    for direction, lm in zip(("forward", "backward"), lms):
        for ours, theirs in zip(lm_weights(tagger, direction), lm.model_.get_weights()):
            np.testing.assert_array_equal(ours, theirs)
    tuned = Tagger(char_lm=list(lms), char_lm_trainable=True, **TAGGER).fit(*corpus(60))
    changed = [not np.array_equal(ours, theirs) for ours, theirs in
               zip(lm_weights(tuned, "forward"), lms[0].model_.get_weights())]
    assert all(changed)
    for ours, theirs in zip(lm_weights(tagger, "forward"), lms[0].model_.get_weights()):
        np.testing.assert_array_equal(ours, theirs)  # the language model itself is untouched


def test_save_load_and_savedmodel_agree_without_the_lm_directories(tagger, tmp_path):
    import tensorflow as tf

    from rnn_apps.preprocessing.tokens import pad_tokens

    sentences = [["Erin", "went", "to", "Lima", "today"], ["we", "met", "Grace"]]
    expected = tagger.predict(sentences)
    tagger.save(tmp_path / "model")
    loaded = Tagger.load(tmp_path / "model")
    assert loaded.predict(sentences) == expected
    assert [r["direction"] for r in loaded.state_["char_lm"]] == ["forward", "backward"]
    np.testing.assert_array_equal(lm_weights(loaded, "backward")[1],
                                  lm_weights(tagger, "backward")[1])
    loaded.export(tmp_path / "export")
    serve = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    tags = serve(tokens=tf.constant(pad_tokens(sentences).astype(str)))["tags"].numpy()
    assert [[t.decode() for t in row[:len(s)]] for row, s in zip(tags, sentences)] == expected
    from rnn_apps.portable import export_core

    with pytest.raises(RnnAppsError, match="char_lm has no portable core") as caught:
        export_core(tagger, tmp_path / "core", "onnx")
    assert "\n" not in str(caught.value) and not (tmp_path / "core").exists()


def test_directories_one_language_model_and_warm_start(lm_dirs, lms):
    only_forward = Tagger(char_lm=lm_dirs[0], **{**TAGGER, "epochs": 1}).fit(*corpus(40))
    assert [r["direction"] for r in only_forward.state_["char_lm"]] == ["forward"]
    both = Tagger(char_lm=f"{lm_dirs[1]},{lm_dirs[0]}", **{**TAGGER, "epochs": 1})
    both.fit(*corpus(40))
    assert [r["direction"] for r in both.state_["char_lm"]] == ["forward", "backward"]
    again = Tagger(**{**TAGGER, "epochs": 1}).fit(*corpus(40), warm_start=both)
    assert len(again.state_["char_lm"]) == 2 and again.predict([["hi"]])


def test_bad_language_models_are_one_line_errors(tmp_path, lms, lm_dirs, tagger):
    sentences, tags = corpus(20)
    tagger.save(tmp_path / "tagger")
    cases = [
        ("/nonexistent/lm", ModelDirError, "does not exist"),
        (str(tmp_path / "tagger"), DataError, "holds a 'tagging' model"),
        ([lms[0], lms[0]], DataError, "both char_lm models read forward"),
        ([lm_dirs[0]] * 3, DataError, "one or two language models"),
        (TextGenerator(), RnnAppsError, "not fitted"),
    ]
    for spec, error, words in cases:
        with pytest.raises(error, match=words) as caught:
            Tagger(char_lm=spec, **TAGGER).fit(sentences, tags)
        assert "\n" not in str(caught.value)
    with pytest.raises(RnnAppsError, match="char_lm"):
        Tagger(char_lm=3, **TAGGER).fit(sentences, tags)
    frames = [np.zeros((4, 2), np.float32) + i for i in range(6)]
    with pytest.raises(DataError, match="numeric frames"):
        Tagger(char_lm=list(lms), **TAGGER).fit(frames, [["a", "b"] * 2] * 6)


def test_subword_language_model_is_refused():
    subword = TextGenerator(level="subword", vocab_size=40, **LM).fit(text() * 3)
    with pytest.raises(DataError, match="character-level"):
        Tagger(char_lm=subword, **TAGGER).fit(*corpus(20))


def test_backward_textgen_reads_right_to_left(lms):
    _, backward = lms
    out = backward.generate("Rome today", length=8, seed=1)
    assert out.endswith("Rome today") and len(out) == len("Rome today") + 8
    assert backward.evaluate(text())["bits_per_char"] == pytest.approx(
        _forward_view(backward).evaluate(text()[::-1])["bits_per_char"])


def _forward_view(model):
    """The same fitted backward model read as a forward one."""
    view = TextGenerator(**{**model.get_params(), "direction": "forward"})
    view.set_state(model.get_state())
    view.model_ = model.model_
    return view


def test_cli_char_lm_and_unlabeled(tmp_path, lm_dirs):
    from tests.cli.test_cli_tagging import TINY

    data = tmp_path / "train.conll"
    sentences, tags = corpus(40)
    data.write_text("\n\n".join("\n".join(f"{w} {t}" for w, t in zip(s, g))
                                for s, g in zip(sentences, tags)) + "\n", encoding="utf-8")
    out = tmp_path / "with_lm"
    result = run("tagging", "train", "--data", data, "--out", out, "--char-lm",
                 ",".join(lm_dirs), *TINY)
    assert result.exit_code == 0, result.output
    assert len(Tagger.load(out).state_["char_lm"]) == 2
    plain = tmp_path / "plain.txt"
    plain.write_text(text(), encoding="utf-8")
    out = tmp_path / "from_text"
    result = run("tagging", "train", "--data", data, "--out", out, "--unlabeled", plain, *TINY)
    assert result.exit_code == 0, result.output
    model = Tagger.load(out)
    assert [r["direction"] for r in model.state_["char_lm"]] == ["forward", "backward"]
    backward = TextGenerator.load(out / "char_lm_backward")
    assert backward.direction == "backward"
    np.testing.assert_array_equal(lm_weights(model, "backward")[0],
                                  backward.model_.get_weights()[0])
    result = run("tagging", "train", "--data", data, "--out", tmp_path / "bad", "--char-lm",
                 tmp_path / "missing", *TINY)
    one_line_error(result, "does not exist")
    result = run("tagging", "tune", "--data", data, "--out", tmp_path / "tune", "--unlabeled",
                 plain)
    one_line_error(result, "not --unlabeled")
