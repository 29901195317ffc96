"""The one recurrent configuration every task builds its network from."""

from __future__ import annotations

from dataclasses import InitVar, asdict, dataclass, fields

from rnn_apps.errors import RnnAppsError


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise RnnAppsError(message)


@dataclass(frozen=True)
class RecurrentConfig:
    """Settings of the recurrent part of a network.

    cell: one of the registered cells (``rnn``, ``lstm``, ``gru``, ...).
    units: hidden units per direction and layer.
    layers: number of stacked recurrent layers.
    bidirectional: wrap every layer in ``keras.layers.Bidirectional``.
    dropout: rate of the ``Dropout`` applied after each recurrent layer. It is
        a separate layer, so the fused cuDNN kernels stay usable on a GPU.
    recurrent_dropout: dropout on the recurrent state inside the cell
        (disables the cuDNN kernels).
    clipnorm / clipvalue: gradient clipping given to the optimizer.
    spectral_radius, leak_rate, input_scaling: echo state reservoir settings
        (used by ``cell="esn"`` only); its random weights come from the
        task's ``seed``, like every other initial weight.

    AWD-LSTM regularisers (Merity et al. 2018), all off by default and all
    active in training only, so prediction, saved models and exports are the
    same with or without them (:mod:`rnn_apps.core.regularisers`):
    embedding_dropout: rate at which whole time steps of the stack's input
        (every feature of a token) are zeroed, the rest rescaled.
    weight_drop: DropConnect on the recurrent (hidden-to-hidden) kernel of
        LSTM, GRU and SimpleRNN layers: one mask per batch, the same at every
        time step (not for ``cell="esn"``).
    locked_dropout: the ``dropout`` after each recurrent layer drops the same
        units at every time step of a sequence (variational dropout).
    activation_reg / temporal_reg: AR and TAR, ``alpha * mean(h_t^2)`` and
        ``beta * mean((h_t - h_{t-1})^2)`` over the last recurrent layer's
        outputs (padded steps left out), added to the training loss.
    """

    cell: str = "gru"
    units: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    clipnorm: float | None = 1.0
    clipvalue: float | None = None
    spectral_radius: float = 0.9
    leak_rate: float = 1.0
    input_scaling: float = 1.0
    embedding_dropout: float = 0.0
    weight_drop: float = 0.0
    locked_dropout: bool = False
    activation_reg: float = 0.0
    temporal_reg: float = 0.0
    # True: the values were checked already (a task's fit checks its parameters
    # with rnn_apps.core.params.check_params first); not a setting
    checked: InitVar[bool] = False

    def __post_init__(self, checked: bool):
        if not checked:  # the same rules as a task's parameters, from one place
            from rnn_apps.core.params import RECURRENT, check_values

            check_values(self.to_dict(), RECURRENT, type(self).__name__)

    @classmethod
    def from_params(cls, params, *, checked: bool = False) -> RecurrentConfig:
        """Build from a mapping of these settings only, or from an object (a task)
        that has every one of them as an attribute. An unknown key or a missing attribute is an error, never a
        silent default. ``checked=True``: the values were validated already
        (:meth:`rnn_apps.core.task.BaseTask.fit` does so), so they are not again."""
        names = [f.name for f in fields(cls)]
        if isinstance(params, dict):
            unknown = sorted(set(params) - set(names))
            _check(not unknown, f"unknown recurrent setting(s): {', '.join(unknown)} "
                                f"(known: {', '.join(names)})")
            return cls(**params, checked=checked)
        missing = [n for n in names if not hasattr(params, n)]
        _check(not missing, f"{type(params).__name__} has no recurrent setting(s) "
                            f"{', '.join(missing)}")
        return cls(**{n: getattr(params, n) for n in names},
                   checked=checked)

    def to_dict(self) -> dict:
        return asdict(self)
