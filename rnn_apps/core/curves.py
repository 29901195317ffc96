"""Learning curves from a Keras training history (the PNG saved with every model)."""

from __future__ import annotations

from pathlib import Path


def plot_learning_curves(history: dict[str, list[float]], path: Path, title: str) -> Path:
    """One panel per metric (loss first), training and validation together."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = sorted({k.removeprefix("val_") for k in history}, key=lambda m: (m != "loss", m))
    fig, axes = plt.subplots(1, max(len(metrics), 1), figsize=(5 * max(len(metrics), 1), 3.6))
    axes = axes if hasattr(axes, "__len__") else [axes]
    for ax, metric in zip(axes, metrics):
        for key, label in ((metric, "training"), (f"val_{metric}", "validation")):
            values = history.get(key)
            if values:
                ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
