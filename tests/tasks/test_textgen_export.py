"""The textgen SavedModel generates in a process that imports only TensorFlow."""

import json
import subprocess
import sys
import textwrap

SERVE = textwrap.dedent("""
    import json, sys
    sys.modules["rnn_apps"] = None  # serving must not need the toolkit
    import tensorflow as tf
    loaded = tf.saved_model.load(sys.argv[1])
    prompts = tf.constant(["And ", "and the"])
    greedy = loaded.signatures["serving_default"](
        prompt=prompts, length=tf.constant(20), temperature=tf.constant(0.0))
    seeded = loaded.signatures["generate_seeded"](
        prompt=prompts, length=tf.constant(20), temperature=tf.constant(0.9),
        top_k=tf.constant(5), seed=tf.constant(11))
    print(json.dumps({"greedy": [t.decode() for t in greedy["text"].numpy()],
                      "seeded": [t.decode() for t in seeded["text"].numpy()]}))
""")


def test_savedmodel_matches_the_python_api(tmp_path):
    from rnn_apps import TextGenerator
    from tests.conftest import DATASETS

    text = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:2000]
    model = TextGenerator(cell="lstm", units=8, embedding_dim=4, bptt=16, batch_size=4,
                          epochs=1, seed=0, verbose=0).fit(text)
    model.export(tmp_path / "export")
    result = subprocess.run([sys.executable, "-c", SERVE, str(tmp_path / "export")],
                            check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    prompts = ["And ", "and the"]
    assert served["greedy"] == model.generate(prompts, length=20, temperature=0)
    assert served["seeded"] == model.generate(prompts, length=20, temperature=0.9, top_k=5,
                                              seed=11)
