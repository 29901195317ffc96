"""Classification metrics on scikit-learn, in the shared report format."""

from __future__ import annotations

import numpy as np


def classification_metrics(y_true, y_pred, classes: list) -> dict:
    """``accuracy``, ``macro_f1``, ``n``, a per-class table and the confusion matrix.

    ``classes`` fixes the order of the per-class rows and the matrix, so a class
    missing from this sample still gets a row (with zero support).
    """
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    y_true, y_pred = list(y_true), list(y_pred)
    labels = list(classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    per_class = {
        str(label): {
            "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }
    present = [c for c in labels if c in set(y_true) | set(y_pred)]
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro",
                                   zero_division=0)),
        "n": len(y_true),
        "per_class": per_class,
        "labels": [str(c) for c in labels],
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def majority_baseline(y_train, y_true) -> float:
    """Accuracy of always predicting the most frequent training class."""
    values, counts = np.unique(np.asarray(y_train, dtype=object).astype(str), return_counts=True)
    top = values[np.argmax(counts)]
    return float(np.mean(np.asarray(y_true, dtype=object).astype(str) == top))
