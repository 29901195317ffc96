"""Forecast plot: recent history, the forecast and its interval band."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_forecast(history, forecast, path, *, names, history_times=None, future_times=None,
                  quantiles=None, levels=None, title: str = "forecast", context: int = 120):
    """One panel per target: the last ``context`` history steps, the forecast,
    and (when ``quantiles`` ``[horizon, targets, levels]`` are given) a band
    from the lowest to the highest quantile."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = np.asarray(history, dtype=float).reshape(len(history), -1)[-context:]
    forecast = np.asarray(forecast, dtype=float).reshape(len(forecast), -1)
    past_x = history_times[-len(history):] if history_times else \
        np.arange(-len(history) + 1, 1)
    future_x = future_times or np.arange(1, len(forecast) + 1)
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 3 * len(names)), squeeze=False)
    for column, (ax, name) in enumerate(zip(axes[:, 0], names)):
        ax.plot(past_x, history[:, column], color="tab:blue", label="history")
        ax.plot([past_x[-1], *future_x], [history[-1, column], *forecast[:, column]],
                color="tab:orange", marker=".", label="forecast")
        if quantiles is not None:
            band = np.asarray(quantiles, dtype=float)[:, column]
            ax.fill_between(future_x, band[:, 0], band[:, -1], color="tab:orange", alpha=0.25,
                            label=f"{levels[0]:g}-{levels[-1]:g} quantiles")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
    axes[0, 0].set_title(title)
    if history_times:
        fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
