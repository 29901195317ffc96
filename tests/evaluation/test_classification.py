from rnn_apps.evaluation.classification import classification_metrics, majority_baseline
from rnn_apps.evaluation.report import format_report


def test_metrics_match_a_hand_count():
    y_true = ["a", "a", "b", "b", "c"]
    y_pred = ["a", "b", "b", "b", "a"]
    metrics = classification_metrics(y_true, y_pred, ["a", "b", "c"])
    assert metrics["accuracy"] == 0.6 and metrics["n"] == 5
    # per-class F1: a = 2*0.5*0.5/1 = 0.5, b = 2*(2/3)*1/(5/3) = 0.8, c = 0
    assert abs(metrics["per_class"]["a"]["f1"] - 0.5) < 1e-9
    assert abs(metrics["per_class"]["b"]["f1"] - 0.8) < 1e-9
    assert abs(metrics["macro_f1"] - (0.5 + 0.8 + 0.0) / 3) < 1e-9
    assert metrics["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_absent_class_keeps_a_row_without_lowering_macro_f1():
    metrics = classification_metrics(["a", "b"], ["a", "b"], ["a", "b", "c"])
    assert metrics["per_class"]["c"]["support"] == 0
    assert metrics["macro_f1"] == 1.0


def test_report_lists_scalars_classes_and_matrix():
    metrics = classification_metrics(["x", "y"], ["x", "x"], ["x", "y"])
    text = format_report(metrics, title="demo")
    lines = text.splitlines()
    assert lines[0] == "demo" and lines[1].startswith("accuracy") and "0.5000" in lines[1]
    assert any(line.startswith("y ") for line in lines)
    assert "confusion matrix (rows: true, columns: predicted)" in text


def test_majority_baseline():
    assert majority_baseline(["p", "p", "n"], ["p", "n", "n", "n"]) == 0.25
