"""What one search holds out: the data every trial trains on, validates on and
is scored on (built per task by :mod:`rnn_apps.tuning.holdouts` and
:mod:`rnn_apps.tasks.forecast.tuning`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Holdout:
    """``train``: positional ``fit`` arguments; ``valid``: its ``validation_data``;
    ``score``: the ``score`` arguments. ``params``: settings every trial takes;
    ``info``: what the search space needs from the data; ``what``: a description."""

    train: tuple
    valid: object
    score: tuple
    what: str
    params: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def for_trial(self, model):
        """``(fit arguments, validation_data, score arguments)`` for one trial."""
        return self.train, self.valid, self.score
