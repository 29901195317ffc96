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
    spectral_radius, leak_rate, input_scaling: echo state reservoir settings
        (used by ``cell="esn"`` only); ``reservoir_seed`` fixes its random
        weights (None: drawn from the global seed).
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
    reservoir_seed: int | None = None

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

        _check(isinstance(self.spectral_radius, (int, float)) and self.spectral_radius > 0,
               f"spectral_radius must be a positive number; got {self.spectral_radius!r}")
        _check(isinstance(self.leak_rate, (int, float)) and 0 < self.leak_rate <= 1,
               f"leak_rate must be in (0, 1]; got {self.leak_rate!r}")
        _check(isinstance(self.input_scaling, (int, float)) and self.input_scaling > 0,
               f"input_scaling must be a positive number; got {self.input_scaling!r}")
        _check(not (self.cell == "esn" and self.recurrent_dropout),
               "recurrent_dropout has no effect on the esn cell (its reservoir is not trained)")

    @classmethod
    def from_params(cls, params) -> RecurrentConfig:
        """Build from an object (or mapping) that has the same attribute names."""
        get = params.get if isinstance(params, dict) else lambda k, d: getattr(params, k, d)
        return cls(**{f.name: get(f.name, f.default) for f in fields(cls)})

    def to_dict(self) -> dict:
        return asdict(self)
