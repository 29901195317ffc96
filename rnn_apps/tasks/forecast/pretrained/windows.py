"""Which window the pretrained forecaster reads, and the pretraining windows
cut from generated series with the same rules.

:func:`lookback_for` sizes the window: enough for the core (``core_length``)
and for a few whole seasons of the longest season, never more than the
history holds; short histories read a length from ``SHORT_LENGTHS`` so the
core meets a handful of lengths only.
"""

from __future__ import annotations

import numpy as np

SHORT_LENGTHS = (8, 12, 16, 24, 32, 48, 64)


def lookback_for(seasons, available: int, core_length: int = 96,
                 max_seasons: int = 5) -> int:
    """The window length for ``seasons`` when ``available`` steps are known."""
    longest = max(seasons, default=1)
    whole = min(max_seasons, available // longest) if longest > 1 else 0
    want = max(core_length, whole * longest)
    if available >= want:
        return want
    if available >= core_length:
        return core_length
    fitting = [length for length in SHORT_LENGTHS if length <= available]
    return fitting[-1] if fitting else max(int(available), 2)


def usable_seasons(seasons, lookback: int) -> list[int]:
    """The seasons a window of ``lookback`` steps can take out (one whole at least)."""
    return [season for season in seasons if 2 <= season <= lookback]


def cut(values, origin: int, seasons, horizon: int, core_length: int = 96):
    """``(window, future padded with NaN to horizon, seasons used)`` at ``origin``."""
    lookback = lookback_for(seasons, origin, core_length)
    used = usable_seasons(seasons, lookback)
    future = np.full(horizon, np.nan, dtype=np.float32)
    ahead = values[origin:origin + horizon]
    future[:len(ahead)] = ahead
    return np.asarray(values[origin - lookback:origin], dtype=np.float32), future, used
