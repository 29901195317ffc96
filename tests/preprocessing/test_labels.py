import numpy as np
import pytest

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.labels import LabelEncoder, check_labels


def test_encode_decode_round_trip_keeps_label_types():
    encoder = LabelEncoder.fit(["neg", "pos", "neutral", "pos"])
    assert encoder.classes == ["neg", "neutral", "pos"]
    ids = encoder.encode(["pos", "neg"])
    assert list(ids) == [2, 0]
    assert list(encoder.decode(ids)) == ["pos", "neg"]
    ints = LabelEncoder.fit(list(np.array([3, 1, 3])))
    assert ints.classes == [1, 3] and type(ints.classes[0]) is int


def test_label_problems_are_named():
    with pytest.raises(DataError, match=r"need at least 2 classes to train; found 1 \('pos'\)"):
        LabelEncoder.fit(["pos", "pos"])
    with pytest.raises(DataError, match=r"labels\[1\] is missing"):
        check_labels(["pos", None], 2)
    with pytest.raises(DataError, match=r"labels\[0\] is missing"):
        check_labels([float("nan"), "pos"], 2)
    with pytest.raises(DataError, match="got 3 texts but 2 labels"):
        check_labels(["a", "b"], 3)
    with pytest.raises(DataError, match="mix types"):
        check_labels(["a", 1], 2)
    with pytest.raises(DataError, match="not seen in training"):
        LabelEncoder(["a", "b"]).encode(["c"])
