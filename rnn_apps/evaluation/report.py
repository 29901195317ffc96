"""One plain-text report format for every task's ``evaluate`` result.

Scalars first (one per line), then a per-class table when present, then the
confusion matrix when present. Later tasks add keys; the format stays.
"""

from __future__ import annotations


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def format_report(metrics: dict, title: str | None = None) -> str:
    lines = [title] if title else []
    scalars = {k: v for k, v in metrics.items() if isinstance(v, (int, float, str))}
    width = max((len(k) for k in scalars), default=0)
    lines += [f"{key:<{width}}  {_number(value)}" for key, value in scalars.items()]
    per_class = metrics.get("per_class")
    if per_class:
        name_width = max(12, *(len(name) for name in per_class))
        lines.append("")
        lines.append(f"{'class':<{name_width}}  precision  recall      f1  support")
        for name, row in per_class.items():
            lines.append(
                f"{name:<{name_width}}  {row['precision']:9.4f}  {row['recall']:6.4f}  "
                f"{row['f1']:6.4f}  {row['support']:7d}"
            )
    matrix = metrics.get("confusion_matrix")
    if matrix:
        labels = metrics.get("labels") or [str(i) for i in range(len(matrix))]
        cell = max(6, *(len(label) for label in labels), *(len(str(v)) for r in matrix for v in r))
        lines.append("")
        lines.append("confusion matrix (rows: true, columns: predicted)")
        lines.append(" " * cell + "  " + "  ".join(f"{label:>{cell}}" for label in labels))
        for label, row in zip(labels, matrix):
            lines.append(f"{label:>{cell}}  " + "  ".join(f"{v:>{cell}d}" for v in row))
    return "\n".join(lines)


def example_line(shown: str, got: str, expected: str) -> str:
    """One showcase example of a demo; a wrong answer is marked and its expected answer shown."""
    mark = "ok   " if got == expected else "WRONG"
    line = f"  {mark} {shown}"
    return line if got == expected else f"{line}  (expected {expected})"
