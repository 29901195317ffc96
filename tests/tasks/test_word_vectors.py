"""Pretrained word vectors in the encoder-decoder (both word-level sides, frozen)
and where they are refused (no word vocabulary). The tagger's fine-tuned word
embedding is checked through the command line (tests/cli/test_cli_word_vectors.py)."""

import re

import numpy as np
import pytest

from rnn_apps import Seq2SeqTranslator, Tagger
from rnn_apps.core.training import TrainingNote
from rnn_apps.errors import RnnAppsError
from tests.conftest import DATASETS

WORDS = ["the", "to", "city", "was", ".", "what", "is", "a", "network"]
VECTORS = np.random.default_rng(11).normal(0, 0.3, size=(len(WORDS), 6)).astype(np.float32)
SMALL = {"units": 4, "embedding_dim": 4, "epochs": 1, "batch_size": 16, "seed": 0,
         "verbose": 0}


@pytest.fixture(scope="module")
def vec_file(tmp_path_factory):
    """fastText .vec layout: a header line, then one word and its values per line."""
    path = tmp_path_factory.mktemp("vectors") / "wiki.vec"
    path.write_text(f"{len(WORDS)} 6\n" + "".join(
        f"{w} " + " ".join(f"{v:.6f}" for v in VECTORS[i]) + "\n" for i, w in enumerate(WORDS)),
        encoding="utf-8")
    return path


def rows(matrix, tokens, reserved):
    return {t: matrix[reserved + i] for i, t in enumerate(tokens) if t in WORDS}


def test_frame_taggers_refuse_word_vectors(vec_file):
    frames = [np.zeros((3, 2), np.float32), np.ones((2, 2), np.float32)]
    with pytest.raises(RnnAppsError, match="numeric frames"):
        Tagger(**SMALL, embeddings=str(vec_file)).fit(frames, [[0, 1, 0], [1, 1]])


def test_seq2seq_starts_both_word_sides_from_the_vectors_and_freezes_them(vec_file):
    from rnn_apps.data.pairs import read_pairs

    sources, targets = read_pairs(DATASETS / "seq2seq" / "chat_train.tsv")
    model = Seq2SeqTranslator(**SMALL, source_level="word", target_level="word",
                              lowercase=True, beam_width=1, embeddings=str(vec_file),
                              freeze_embeddings=True)
    with pytest.warns(TrainingNote) as notes:
        model.fit(sources[:40], targets[:40])
    said = [str(note.message) for note in notes]
    assert any(re.fullmatch(r"word vectors wiki.vec \(6 dimensions\) cover source: \d+ of "
                            r"\d+ vocabulary tokens \(.*%\); target: \d+ of \d+ .*", line)
               for line in said), said
    assert "the embeddings take the word vectors' 6 dimensions (embedding_dim=4 is not " \
           "used)" in said
    encoder, decoder = model.model_.get_layer("encoder"), model.model_.get_layer("decoder")
    for layer, vocabulary, reserved in (
            (encoder.get_layer("source_embedding"), model.source_vocab_, 2),
            (decoder.get_layer("target_embedding"), model.target_vocab_, 4)):
        found = rows(layer.get_weights()[0], vocabulary.tokens, reserved)
        assert found and not layer.trainable
        for word, row in found.items():
            np.testing.assert_allclose(row, VECTORS[WORDS.index(word)], atol=1e-6)
    assert set(model.state_["word_vectors"]["coverage"]) == {"source_embedding",
                                                            "target_embedding"}
    assert len(model.predict(sources[:2])) == 2
    with pytest.raises(RnnAppsError, match="neither source_level nor target_level"):
        Seq2SeqTranslator(**SMALL, source_level="char", target_level="char",
                          embeddings=str(vec_file)).fit(sources[:20], targets[:20])
