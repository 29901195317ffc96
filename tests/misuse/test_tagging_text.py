"""Tagging raw text: split as the training corpus was (issue 27), stored with the model.

A tagger trained on UD-style tokens (``ca n't``, ``butter !``) was given text
split on spaces (``can't``, ``butter!``), tokens it never saw. The tokenizer is
now chosen at training time and stored; ``predict --data`` also reads untagged
text and untagged CoNLL.
"""

import sys

import pytest

from rnn_apps.data.tagged import read_conllu, read_untagged
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.preprocessing import tokens as token_module
from rnn_apps.preprocessing.tokens import split_text
from tests.cli.test_cli import one_line_error, run

BUTTER = "I can't believe it's not butter!"
UD_BUTTER = ["I", "ca", "n't", "believe", "it", "'s", "not", "butter", "!"]  # as UD EWT splits
ROWS = [(word, tag) for word, tag in zip(UD_BUTTER, ["PRON", "AUX", "PART", "VERB", "PRON",
                                                      "AUX", "PART", "NOUN", "PUNCT"])]
TINY = ["--units", "4", "--embedding-dim", "4", "--char-filters", "2", "--epochs", "1",
        "--valid-split", "0", "--seed", "0", "--quiet"]


def conllu(rows, tagged=True):
    return "".join(f"{i}\t{w}\t_\t{t if tagged else '_'}\t_\t_\t_\t_\t_\t_\n"
                   for i, (w, t) in enumerate(rows, 1))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ud")
    path = folder / "train.conllu"
    path.write_text(conllu(ROWS) + "\n" + conllu([("Do", "AUX"), ("n't", "PART"),
                                                  ("go", "VERB"), (".", "PUNCT")]))
    return path


def test_the_default_tokenizer_splits_like_the_ud_corpus(tmp_path):
    assert split_text([BUTTER]) == [UD_BUTTER]
    path = tmp_path / "gold.conllu"  # a sentence as UD English writes it
    path.write_text(conllu([("Do", "AUX"), ("n't", "PART"), ("go", "VERB"), (".", "PUNCT")]))
    assert split_text(["Don't go."]) == read_conllu(path)[0]
    assert split_text([BUTTER], "whitespace") == [BUTTER.split()]  # still available
    assert split_text(["  two\u00a0 words  "]) == [["two", "words"]]
    with pytest.raises(DataError, match="tokenizer must be one of spacy, whitespace"):
        split_text([BUTTER], "nltk")


def test_the_tokenizer_is_stored_and_used_after_load(tmp_path, corpus):
    from rnn_apps import Tagger

    out = tmp_path / "m"
    assert run("tagging", "train", "--data", corpus, "--out", out, *TINY).exit_code == 0
    model = Tagger.load(out)
    assert model.state_["tokenizer"] == "spacy" and model.tokenize([BUTTER]) == [UD_BUTTER]
    assert len(model.predict(model.tokenize([BUTTER, "Don't go."]))[0]) == 9
    with pytest.raises(DataError, match=r"not str \(split raw text with Tagger.tokenize\)"):
        model.predict([BUTTER])
    result = run("tagging", "predict", "--model", out, BUTTER)
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.output.splitlines() if line] == UD_BUTTER

    # inspect plots the hidden units over the same tokens
    import rnn_apps.viz.hidden

    plotted = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rnn_apps.viz.hidden, "plot_hidden_states",
                      lambda tokens, *args, **kwargs: plotted.append(tokens))
        result = run("inspect", "--model", out, "--input", BUTTER, "--out", tmp_path / "h.png")
    assert result.exit_code == 0 and plotted == [UD_BUTTER], result.output

    # predict --data: untagged text (one sentence a line) and untagged CoNLL / CoNLL-U
    text = tmp_path / "raw.txt"
    text.write_text(f"{BUTTER}\n\nDon't go.\n")
    bare = tmp_path / "raw.conll"
    bare.write_text("\n".join(UD_BUTTER) + "\n\nDo\nn't\ngo\n.\n")
    blank_tags = tmp_path / "raw.conllu"
    blank_tags.write_text(conllu(ROWS, tagged=False))
    for path, sentences in ((text, 2), (bare, 2), (blank_tags, 1)):
        result = run("tagging", "predict", "--model", out, "--data", path)
        assert result.exit_code == 0, result.output
        blocks = result.output.strip().split("\n\n")
        assert len(blocks) == sentences
        assert [line.split("\t")[0] for line in blocks[0].splitlines()] == UD_BUTTER
        assert all(len(line.split("\t")) == 2 for line in result.output.strip().splitlines()
                   if line)

    # the server splits a string instance with the tokenizer its export records
    from rnn_apps.core.model_info import read_info
    from rnn_apps.serving.limits import Limits, RequestError
    from rnn_apps.tasks.tagging.serving import TaggingAdapter

    model.export(tmp_path / "export")
    info = read_info(tmp_path / "export")
    signature = {"inputs": {"tokens": {}}}
    assert TaggingAdapter(info, signature, Limits()).parse(BUTTER) == UD_BUTTER

    # a model saved before tokenizers were stored split on spaces, and still does
    del model.state_["tokenizer"]
    assert model.tokenize([BUTTER]) == [BUTTER.split()]
    assert TaggingAdapter({**info, "serving": {}}, signature, Limits()).parse(BUTTER) == \
        BUTTER.split()

    # spaCy missing: one line naming the extra, for the API and the command line
    token_module._SPACY.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "spacy", None)
        with pytest.raises(RnnAppsError, match=r"pip install 'rnn-apps\[tokenize\]'"):
            Tagger.load(out).tokenize([BUTTER])
        one_line_error(run("tagging", "predict", "--model", out, BUTTER),
                       "rnn-apps[tokenize]")
        with pytest.raises(RequestError, match="rnn-apps.tokenize.*or send token lists"):
            TaggingAdapter(info, signature, Limits()).parse(BUTTER)
        with pytest.warns(UserWarning, match="spaCy is not installed"):
            token_module.tokenizer_for_training("spacy")


def test_whitespace_tokenizer_chosen_at_training(tmp_path, corpus):
    from rnn_apps import Tagger

    out = tmp_path / "ws"
    result = run("tagging", "train", "--data", corpus, "--out", out, "--tokenizer",
                 "whitespace", *TINY)
    assert result.exit_code == 0, result.output
    result = run("tagging", "predict", "--model", out, BUTTER)
    assert [line.split("\t")[0] for line in result.output.splitlines() if line] == \
        BUTTER.split()
    result = run("tagging", "train", "--data", corpus, "--out", tmp_path / "x",
                 "--tokenizer", "nltk", *TINY)
    assert result.exit_code == 2 and "Invalid value for '--tokenizer'" in result.output
    assert not (tmp_path / "x").exists()
    with pytest.raises(RnnAppsError, match="tokenizer"):
        Tagger(tokenizer="nltk").fit([["a", "b"]], [["X", "Y"]])


def test_untagged_readers(tmp_path):
    tagged_txt = tmp_path / "tagged.txt"
    tagged_txt.write_text("Bob/B-PER went/O\n")
    assert read_untagged(tagged_txt) == [["Bob", "went"]]  # word/TAG: the tags dropped
    plain = tmp_path / "plain.txt"
    plain.write_text("Yes/No the cat, it's\n")  # not all word/TAG: plain text
    assert read_untagged(plain, tokenize=split_text) == [["Yes", "/", "No", "the", "cat", ",",
                                                         "it", "'s"]]
    assert read_untagged(tagged_txt, "text") == [["Bob/B-PER", "went/O"]]  # format forced
    two = tmp_path / "two.conll"
    two.write_text("Bob B-PER\nwent O\n")
    assert read_untagged(two) == [["Bob", "went"]]
    ragged = tmp_path / "ragged.conll"
    ragged.write_text("Bob B-PER\nwent\n")
    with pytest.raises(DataError, match="line 2: 1 columns, but line 1 has 2"):
        read_untagged(ragged)
    with pytest.raises(DataError, match="pass a format .*text"):
        read_untagged(tmp_path / "x.doc")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    with pytest.raises(DataError, match="empty"):
        read_untagged(empty, "text")
