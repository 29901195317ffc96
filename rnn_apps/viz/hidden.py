"""Heatmaps of recurrent hidden units over the steps of one input."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def most_active_units(activations: np.ndarray, k: int | None) -> np.ndarray:
    """Indices of the ``k`` units with the largest mean absolute activation."""
    order = np.argsort(-np.mean(np.abs(activations), axis=0), kind="stable")
    return order if k is None else order[:k]


def _label(token: str) -> str:
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(token, token)


def plot_hidden_states(tokens: list[str], layers: list[np.ndarray], path, *, title: str,
                       units: int | None = 32) -> Path:
    """One panel per layer: units (most active first) against input steps.

    Columns are labelled with the input tokens or characters; colours run
    from -1 to 1 (tanh range) with white at 0.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = len(tokens)
    shown = [min(units or a.shape[1], a.shape[1]) for a in layers]
    width = min(max(6.0, 0.28 * steps + 2.5), 40.0)
    height = sum(max(1.6, 0.22 * n + 1.0) for n in shown)
    fig, axes = plt.subplots(len(layers), 1, figsize=(width, height), squeeze=False)
    image = None
    for index, (ax, activations) in enumerate(zip(axes[:, 0], layers)):
        order = most_active_units(activations, units)
        image = ax.imshow(activations[:, order].T, aspect="auto", cmap="RdBu_r", vmin=-1,
                          vmax=1, interpolation="nearest")
        ax.set_xticks(range(steps))
        ax.set_xticklabels([_label(t) for t in tokens], rotation=90 if max(
            (len(t) for t in tokens), default=1) > 1 else 0, fontsize=8)
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([str(u) for u in order], fontsize=6)
        ax.set_ylabel(f"layer {index + 1} unit")
        ax.set_title(f"layer {index + 1}: {len(order)} most active of "
                     f"{activations.shape[1]} units", fontsize=9)
    axes[-1, 0].set_xlabel("input step")
    fig.suptitle(title)
    fig.colorbar(image, ax=axes[:, 0].tolist(), fraction=0.02, pad=0.01, label="activation")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return Path(path)


def plot_attention(source: list[str], output: list[str], weights: np.ndarray, path, *,
                   title: str) -> Path:
    """Attention weights: output tokens (and the end) against source tokens."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [*output, "[end]"][:weights.shape[0]]
    fig, ax = plt.subplots(figsize=(min(max(5.0, 0.3 * len(source) + 2.5), 40.0),
                                    min(max(3.0, 0.3 * len(rows) + 1.5), 40.0)))
    image = ax.imshow(weights[:len(rows), :len(source)], cmap="Greys", vmin=0, vmax=1,
                      aspect="auto", interpolation="nearest")
    rotate = 90 if max((len(t) for t in source), default=1) > 1 else 0
    ax.set_xticks(range(len(source)), [_label(t) for t in source], rotation=rotate, fontsize=8)
    ax.set_yticks(range(len(rows)), [_label(t) for t in rows], fontsize=8)
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="attention")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return Path(path)
