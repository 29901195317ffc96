"""The exported SavedModel serves in a process that imports only TensorFlow."""

import json
import subprocess
import sys
import textwrap

import numpy as np

SERVE = textwrap.dedent("""
    import json, sys
    sys.modules["rnn_apps"] = None  # importing the toolkit now fails: serving must not need it
    import tensorflow as tf
    path, texts = sys.argv[1], json.loads(sys.argv[2])
    serve = tf.saved_model.load(path).signatures["serving_default"]
    out = serve(text=tf.constant(texts))
    print(json.dumps({
        "label": [v.decode() for v in out["label"].numpy()],
        "probabilities": out["probabilities"].numpy().tolist(),
        "inputs": {k: [str(s.dtype.name), s.shape.as_list()]
                   for k, s in serve.structured_input_signature[1].items()},
    }))
""")


def test_savedmodel_gives_the_same_answers_in_a_fresh_process(fitted_sentiment, saved_sentiment,
                                                               tmp_path, sentiment_test):
    from rnn_apps import SentimentClassifier

    texts = sentiment_test[0][:20] + ["zzz entirely unseen words", "!!!"]
    loaded = SentimentClassifier.load(saved_sentiment)
    export_dir = loaded.export(tmp_path / "export")
    result = subprocess.run([sys.executable, "-c", SERVE, str(export_dir), json.dumps(texts)],
                            check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["inputs"] == {"text": ["string", [None]]}
    assert served["label"] == list(fitted_sentiment.predict(texts))
    np.testing.assert_allclose(served["probabilities"], fitted_sentiment.predict_proba(texts),
                               atol=1e-5)


def test_export_directory_is_replaced_atomically(fitted_sentiment, tmp_path):
    first = fitted_sentiment.export(tmp_path / "export")
    again = fitted_sentiment.export(tmp_path / "export")
    assert first == again and (again / "saved_model.pb").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]
