"""The one recurrent configuration every task builds its network from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

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
    """

    cell: str = "gru"
    units: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    clipnorm: float | None = 1.0
    clipvalue: float | None = None

    def __post_init__(self):
        from rnn_apps.core.recurrent import cell_names

        names = cell_names()
        _check(self.cell in names, f"cell must be one of {', '.join(names)}; got {self.cell!r}")
        for name in ("units", "layers"):
            value = getattr(self, name)
            _check(
                isinstance(value, int) and not isinstance(value, bool) and value > 0,
                f"{name} must be a positive integer; got {value!r}",
            )
        for name in ("dropout", "recurrent_dropout"):
            value = getattr(self, name)
            _check(
                isinstance(value, (int, float)) and 0.0 <= value < 1.0,
                f"{name} must be a number in [0, 1); got {value!r}",
            )
        for name in ("clipnorm", "clipvalue"):
            value = getattr(self, name)
            _check(
                value is None or (isinstance(value, (int, float)) and value > 0),
                f"{name} must be a positive number or None; got {value!r}",
            )

    @classmethod
    def from_params(cls, params) -> RecurrentConfig:
        """Build from an object (or mapping) that has the same attribute names."""
        get = params.get if isinstance(params, dict) else lambda k, d: getattr(params, k, d)
        return cls(**{f.name: get(f.name, f.default) for f in fields(cls)})

    def to_dict(self) -> dict:
        return asdict(self)
