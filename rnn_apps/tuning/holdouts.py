"""What every trial trains on and is scored on: the task's ``tuning_holdout`` hook.

Without ``validation_data`` a share ``valid_split`` of the data is held out
once, before the first trial, and every trial is scored on the same part.
How it is cut is the task's own (a stratified or plain random share of the
examples, the end of a text, the end of each series in time order: see each
task's ``tuning`` module). The trials are early-stopped on the same held-out
part they are scored on.
"""

from __future__ import annotations

from rnn_apps.core import registry
from rnn_apps.errors import RnnAppsError
from rnn_apps.tuning.space import Holdout

STREAMS = ("RecordStream", "SeriesStream", "TextStream")


def _check_share(estimator, validation_data) -> float:
    if validation_data is None and not estimator.valid_split:
        raise RnnAppsError("tuning scores every trial on held-out data: give "
                           "validation_data (--valid-data) or a valid_split above 0")
    return estimator.valid_split


def holdout(estimator, X, y=None, validation_data=None, seed=None) -> Holdout:
    """The :class:`Holdout` of ``estimator``'s task for this data (checked here,
    so bad data stops before the first trial with the task's own message)."""
    split = registry.hook(estimator, "tuning_holdout")
    if type(X).__name__ in STREAMS or type(validation_data).__name__ in STREAMS:
        raise RnnAppsError("tuning reads the data in memory; a lazy stream cannot be "
                           "split and re-read for every trial")
    share = _check_share(estimator, validation_data)
    return split(estimator, X, y, validation_data, seed, share)
