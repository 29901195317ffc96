"""What every trial trains on and is scored on, per task.

Without ``validation_data`` a share ``valid_split`` of the data is held out
once, before the first trial, and every trial is scored on the same part:

- sentiment: a stratified random share of the texts (as ``fit`` holds out);
- tagging and seq2seq: a random share of the sentences or pairs;
- textgen: the end of the text (the model never reads what follows it);
- forecast: the end of each series, in time order, never a random split:
  a trial trains on the steps before the cut and forecasts every window
  whose first forecast step is at or after it, reading its own ``lookback``
  steps before the cut as context.

The trials are early-stopped on the same held-out part they are scored on.
"""

from __future__ import annotations

from rnn_apps.core.training import holdout_indices
from rnn_apps.errors import DataError, RnnAppsError
from rnn_apps.tuning.heldout import Holdout

STREAMS = ("RecordStream", "SeriesStream", "TextStream")


def _check_share(estimator, validation_data) -> float:
    if validation_data is None and not estimator.valid_split:
        raise RnnAppsError("tuning scores every trial on held-out data: give "
                           "validation_data (--valid-data) or a valid_split above 0")
    return estimator.valid_split


def _pick(items, index):
    return [items[i] for i in index]


def _labelled(X, y, validation_data, seed, share, what, stratify=False) -> Holdout:
    """A random split of ``(X, y)`` pairs (or the given validation pairs)."""
    if validation_data is not None:
        valid = (list(validation_data[0]), list(validation_data[1]))
        return Holdout((X, y), valid, valid, f"the {len(valid[0])} given validation {what}")
    split = holdout_indices(len(X), share, seed, [str(v) for v in y] if stratify else None)
    if split is None:
        raise DataError(f"{len(X)} examples leave nothing to hold out with valid_split "
                        f"{share:g}; give validation data or more examples")
    train, held = split
    valid = (_pick(X, held), _pick(y, held))
    return Holdout((_pick(X, train), _pick(y, train)), valid, valid,
                   f"{len(held)} held-out {what} ({share:.0%}, random"
                   f"{', stratified' if stratify else ''})")


def _sentiment(estimator, X, y, validation_data, seed, share):
    from rnn_apps.preprocessing.labels import check_labels
    from rnn_apps.preprocessing.text import check_texts

    texts = check_texts(X)
    return _labelled(texts, check_labels(y, len(texts)), validation_data, seed, share,
                     "texts", stratify=True)


def _tagging(estimator, X, y, validation_data, seed, share):
    frames, sequences, tags = estimator._check(X, y)
    holdout = _labelled(sequences, tags, validation_data, seed, share,
                        "sequences" if frames else "sentences")
    holdout.info["frames"] = frames
    return holdout


def _seq2seq(estimator, X, y, validation_data, seed, share):
    sources, targets = estimator._check_pairs(X, y)
    return _labelled(sources, targets, validation_data, seed, share, "pairs")


def _textgen(estimator, X, y, validation_data, seed, share):
    from rnn_apps.tasks.textgen.estimator import check_text

    text = check_text(X)
    if validation_data is not None:
        valid = check_text(validation_data, "validation text")
        return Holdout((text,), valid, (valid,), f"the given validation text "
                                                 f"({len(valid)} characters)")
    cut = len(text) - int(len(text) * share)
    if cut < 2 or len(text) - cut < 2:
        raise DataError(f"the text has {len(text)} characters: too few to hold out its end")
    return Holdout((text[:cut],), text[cut:], (text[cut:],),
                   f"the last {len(text) - cut} characters ({share:.0%}) of the text")


def holdout(estimator, X, y=None, validation_data=None, seed=None) -> Holdout:
    """The :class:`Holdout` of ``estimator``'s task for this data (checked here,
    so bad data stops before the first trial with the task's own message)."""
    if type(X).__name__ in STREAMS or type(validation_data).__name__ in STREAMS:
        raise RnnAppsError("tuning reads the data in memory; a lazy stream cannot be "
                           "split and re-read for every trial")
    share = _check_share(estimator, validation_data)
    if estimator.task_name == "forecast":
        from rnn_apps.tasks.forecast.tuning import series_holdout

        return series_holdout(estimator, X, validation_data)
    split = {"sentiment": _sentiment, "tagging": _tagging, "seq2seq": _seq2seq,
             "textgen": _textgen}[estimator.task_name]
    pair = isinstance(validation_data, (tuple, list)) and len(validation_data) == 2
    if validation_data is not None and estimator.task_name != "textgen" and not pair:
        raise DataError("validation_data must be an (inputs, targets) pair")
    return split(estimator, X, y, validation_data, seed, share)
