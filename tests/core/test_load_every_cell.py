"""Every cell in every task saves and then loads and predicts in a fresh process.

The fresh process imports nothing but ``rnn_apps`` and calls ``rnn_apps.load``,
so a custom layer (the echo-state cell, the CRF, a task's own layers) that is
registered only as a side effect of building a network is caught here.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np

import rnn_apps
from rnn_apps.core import saving
from tests.conftest import seasonal_series

CELLS = ("rnn", "lstm", "gru", "esn")
BASE = {"units": 4, "epochs": 1, "seed": 0, "verbose": 0, "batch_size": 16, "valid_split": 0.0,
        "patience": None}
SENTENCES = [["we", "met", "Bob", "in", "Rome"], ["Alice", "went", "to", "Oslo"]] * 8
TAGS = [["O", "O", "B-PER", "O", "B-LOC"], ["B-PER", "O", "O", "B-LOC"]] * 8
TEXTS = ["good film", "bad film", "not good", "very good", "awful plot", "fine cast"] * 4
LABELS = ["pos", "neg", "neg", "pos", "neg", "pos"] * 4
PAIRS = (["ab", "cd", "abc", "dca"] * 6, ["ba", "dc", "cba", "acd"] * 6)
CORPUS = "the cat sat on the mat. the dog sat on the log. " * 6


def _fit(task, cell):
    if task == "sentiment":
        return rnn_apps.SentimentClassifier(cell=cell, embedding_dim=4, **BASE).fit(TEXTS, LABELS)
    if task == "tagging":
        return rnn_apps.Tagger(cell=cell, embedding_dim=4, char_filters=2, char_dim=4,
                               **BASE).fit(SENTENCES, TAGS)
    if task == "seq2seq":
        return rnn_apps.Seq2SeqTranslator(cell=cell, embedding_dim=4, beam_width=1,
                                          **BASE).fit(*PAIRS)
    if task == "forecast":
        return rnn_apps.Forecaster(cell=cell, lookback=8, horizon=2, ensemble=1,
                                   deseasonalize="none", **BASE).fit(seasonal_series(60)[:, :1])
    return rnn_apps.TextGenerator(cell=cell, embedding_dim=4, bptt=8, **BASE).fit(CORPUS)


def _use(model):
    """A JSON-comparable answer of a model (in this process or the fresh one)."""
    if model.task_name == "sentiment":
        return [str(label) for label in model.predict(["not good", "good film"])]
    if model.task_name == "tagging":
        return model.predict([["Bob", "went", "to", "Rome"]])
    if model.task_name == "seq2seq":
        return model.predict(["abc"])
    if model.task_name == "forecast":
        return np.round(np.asarray(model.predict(seasonal_series(60)[:, :1]), float), 3).tolist()
    return model.generate("the ", length=6, temperature=0)


FRESH = textwrap.dedent("""
    import json, sys
    import numpy as np
    import rnn_apps
    sys.path.insert(0, sys.argv[2])
    from tests.core.test_load_every_cell import _use
    answers = {}
    for name, path in json.loads(sys.argv[1]).items():
        try:
            answers[name] = _use(rnn_apps.load(path))
        except Exception as error:  # every model is tried; the test lists each failure
            answers[name] = f"{type(error).__name__}: {error}"[:300]
    print(json.dumps(answers))
""")


def test_every_cell_of_every_task_loads_in_a_fresh_process(tmp_path):
    expected, paths = {}, {}
    for task in ("sentiment", "tagging", "seq2seq", "forecast", "textgen"):
        for cell in CELLS:
            name = f"{task}-{cell}"
            model = _fit(task, cell)
            paths[name] = str(model.save(tmp_path / name))
            expected[name] = _use(model)
    root = str(saving.Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-c", FRESH, json.dumps(paths), root],
                          check=False, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    assert {name: answers[name] for name in answers if answers[name] != expected[name]} == {}


def test_every_module_that_registers_keras_objects_is_imported_by_load():
    """A new module with registered layers must be named where load() imports it."""
    from pathlib import Path

    named = set(saving.CORE_LAYER_MODULES)
    for task in ("sentiment", "tagging", "seq2seq", "forecast", "textgen"):
        named.update(saving.task_class(task)._layer_modules)
    package = Path(rnn_apps.__file__).parent
    defining = {".".join(("rnn_apps", *path.relative_to(package).with_suffix("").parts))
                for path in package.rglob("*.py")
                if "register_keras_serializable(" in path.read_text(encoding="utf-8")}
    assert defining and defining <= named, sorted(defining - named)
