"""tf.distribute: TF_CONFIG checks, and two real workers on 127.0.0.1."""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from rnn_apps.core import distribute
from rnn_apps.core.distribute import DistributeError
from tests.conftest import ROOT

WORKER_TIMEOUT = 240  # seconds a worker process may take, at most


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def tf_config(ports, index):
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


@pytest.mark.parametrize("value, message", [
    (None, "needs the TF_CONFIG"),
    ("{not json", "TF_CONFIG is not JSON"),
    ('{"cluster": {"worker": ["127.0.0.1:1"]}}', "no 'task'"),
    ('{"task": {"type": "worker", "index": 0}}', "no 'cluster'"),
    ('{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "worker", "index": 3}}',
     "index 3 is out of range"),
    ('{"cluster": {"worker": ["nohost"]}, "task": {"type": "worker", "index": 0}}',
     "'host:port'"),
    ('{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "ps", "index": 0}}',
     "task type 'ps' is not in the cluster"),
])
def test_bad_tf_config_is_one_clear_error(value, message):
    environ = {} if value is None else {"TF_CONFIG": value}
    with pytest.raises(DistributeError, match=message):
        distribute.read_tf_config(environ)


def test_the_chief_is_worker_zero_unless_the_cluster_names_one():
    two = {"worker": ["a:1", "b:2"]}
    as_worker = lambda i, cluster=two, kind="worker": {
        "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": kind, "index": i}})}
    assert distribute.is_chief("multiworker", as_worker(0))
    assert not distribute.is_chief("multiworker", as_worker(1))
    with_chief = {**two, "chief": ["c:3"]}
    assert not distribute.is_chief("multiworker", as_worker(0, with_chief))
    assert distribute.is_chief("multiworker", as_worker(0, with_chief, "chief"))
    assert distribute.is_chief("none", {})


def cli(args, env_extra, timeout=WORKER_TIMEOUT):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **env_extra}
    return subprocess.Popen([sys.executable, "-m", "rnn_apps", *map(str, args)], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def own_lines(text):
    """stderr without TensorFlow's native log lines (absl/glog prefixes)."""
    return [line for line in text.strip().splitlines()
            if line.strip() and not line.startswith(("WARNING: All log messages", "I0000",
                                                     "W0000", "E0000"))]


def finish(process, timeout=WORKER_TIMEOUT):
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"worker {process.pid} did not finish: {err[-2000:]}")
    return process.returncode, out, err


def test_bad_tf_config_and_a_missing_worker_fail_fast(tmp_path, small_csv):
    args = ["sentiment", "train", "--data", small_csv, "--out", tmp_path / "m",
            "--distribute", "multiworker", "--units", "2", "--epochs", "1", "--quiet"]
    code, _, err = finish(cli(args, {"TF_CONFIG": "[1, 2"}))
    assert code != 0 and own_lines(err) == [
        "Error: TF_CONFIG is not JSON (Expecting ',' delimiter at character 5)"]
    started = time.monotonic()
    code, _, err = finish(cli(args, {"TF_CONFIG": tf_config(free_ports(2), 0),
                                     distribute.PEER_TIMEOUT_VARIABLE: "3"}), timeout=120)
    assert code != 0 and len(own_lines(err)) == 1, err
    assert "did not come up within 3 s" in own_lines(err)[0]
    assert time.monotonic() - started < 90
    assert not (tmp_path / "m").exists()


WORKER_SCRIPT = """
import os, signal, sys
import keras
sys.path.insert(0, {root!r})
from rnn_apps import SentimentClassifier
from rnn_apps.data.tables import read_labelled_texts

class Kill(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if {kill} and epoch == 0:
            os.kill(os.getpid(), signal.SIGKILL)

model = SentimentClassifier(units=4, embedding_dim=4, epochs=3, seed=0, verbose=0,
                            batch_size=16, patience=10, distribute="multiworker")
model.fit(*read_labelled_texts({data!r}), callbacks=[Kill()], checkpoint_dir={run!r},
          resume={resume})
model.save({out!r})
"""


def test_a_killed_two_worker_run_resumes_to_the_uninterrupted_result(tmp_path, small_csv):
    """Both workers SIGKILLed after epoch 1, then resumed from their backups: the
    chief's model equals one process trained straight through with the same
    global batch."""
    runs = tmp_path / "runs"
    paths = {"root": str(ROOT), "data": str(small_csv), "run": str(runs / "ckpt"),
             "out": str(runs / "model")}
    for kill, resume in ((True, False), (False, True)):
        ports = free_ports(2)
        script = WORKER_SCRIPT.format(kill=kill, resume=resume, **paths)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
        workers = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                                    env={**env, "TF_CONFIG": tf_config(ports, i)},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for i in range(2)]
        for code, _, err in [finish(w) for w in workers]:
            assert code == (-9 if kill else 0), err[-3000:]
    assert sorted(p.name for p in runs.iterdir()) == ["model"]  # backups gone after the save

    import rnn_apps
    from rnn_apps.data.tables import read_labelled_texts

    resumed = rnn_apps.load(runs / "model")
    straight = rnn_apps.SentimentClassifier(units=4, embedding_dim=4, epochs=3, seed=0,
                                            verbose=0, batch_size=32, patience=10).fit(
        *read_labelled_texts(small_csv))
    assert len(resumed.history_["loss"]) == 3
    np.testing.assert_allclose(resumed.history_["loss"], straight.history_["loss"], rtol=1e-4)
    probe = ["a fine film", "the worst service ever", "it was ok"]
    np.testing.assert_allclose(resumed.predict_proba(probe), straight.predict_proba(probe),
                               atol=1e-4)


def test_two_loopback_workers_train_like_one_process(tmp_path, series_csv):
    """Two CLI workers with batch 16 each take the same steps as one process with
    batch 32 (here: the Python API in this process): the chief's model matches
    it; the other worker writes nothing."""
    args = ["forecast", "train", "--data", series_csv, "--time-column", "date", "--targets",
            "sales", "--lookback", "14", "--inputs", "relative", "--deseasonalize", "none",
            "--units", "4", "--epochs", "2", "--seed", "0",
            "--quiet", "--batch-size", "16", "--distribute", "multiworker"]
    runs = tmp_path / "runs"
    out = runs / "cluster"
    ports = free_ports(2)
    outs = [out, runs / "worker-1"]  # each worker is told its own --out
    workers = [cli([*args, "--out", outs[i]], {"TF_CONFIG": tf_config(ports, i)})
               for i in range(2)]
    results = [finish(w) for w in workers]
    for code, _, err in results:
        assert code == 0, err[-3000:]
    assert "saved model to" in results[0][1]
    # the non-chief wrote no --out, and no checkpoint or temporary leftovers remain
    assert sorted(p.name for p in runs.iterdir()) == ["cluster"]

    import rnn_apps
    from rnn_apps.data.series import read_series_csv

    cluster_model = rnn_apps.load(out)
    single_model = rnn_apps.Forecaster(units=4, epochs=2, seed=0, verbose=0, batch_size=32,
                                       lookback=14, targets=["sales"], patience=3,
                                       inputs="relative", deseasonalize="none").fit(
        read_series_csv(series_csv, time_column="date", columns=["sales"]))
    np.testing.assert_allclose(cluster_model.predict(), single_model.predict(), rtol=1e-4)
    np.testing.assert_allclose(cluster_model.history_["loss"], single_model.history_["loss"],
                               rtol=1e-4)


OTHER_TASKS_SCRIPT = """
import json, os, sys
sys.path.insert(0, {root!r})
from rnn_apps import Seq2SeqTranslator, Tagger, TextGenerator
from tests.conftest import DATASETS, read_csv

texts, _ = read_csv(DATASETS / "sentiment" / "train.csv")
tokens = [t.split() for t in texts[:80]]
tags = [["LONG" if len(w) > 4 else "SHORT" for w in s] for s in tokens]
words = ["cat", "dog", "bird", "fish", "frog"]
pairs = [" ".join(words[(i + k) % 5] for k in range(1 + i % 3)) for i in range(80)]
small = {{"units": 2, "epochs": 1, "seed": 0, "verbose": 0, "distribute": "multiworker"}}
corpus = (DATASETS / "textgen" / "corpus.txt").read_text(encoding="utf-8")[:3000]
losses = {{}}
for name, model, data in (
        ("tagging", Tagger(**small, embedding_dim=2, char_filters=0), (tokens, tags)),
        ("seq2seq", Seq2SeqTranslator(**small, embedding_dim=2, batch_size=8),
         (pairs, [p.upper() for p in pairs])),
        ("textgen", TextGenerator(**small, embedding_dim=2, mode="windows", bptt=16),
         (corpus,))):
    model.fit(*data)
    model.save(os.path.join({out!r}, name))
    losses[name] = model.history_["loss"]
print(json.dumps(losses))
"""


def test_tagging_seq2seq_and_textgen_train_on_two_workers(tmp_path):
    """The other three tasks (textgen in windows mode) through one cluster: both
    workers see the same losses and only the chief writes models."""
    ports = free_ports(2)
    outs = [tmp_path / "chief", tmp_path / "other"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    workers = [subprocess.Popen(
        [sys.executable, "-c", OTHER_TASKS_SCRIPT.format(root=str(ROOT), out=str(outs[i]))],
        cwd=ROOT, text=True, env={**env, "TF_CONFIG": tf_config(ports, i)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    results = [finish(w) for w in workers]
    for code, _, err in results:
        assert code == 0, "\n--- next worker:\n".join(e[-3000:] for _, _, e in results)
    losses = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in results]
    assert losses[0] == losses[1] and set(losses[0]) == {"tagging", "seq2seq", "textgen"}
    assert sorted(p.name for p in outs[0].iterdir()) == ["seq2seq", "tagging", "textgen"]
    assert not outs[1].exists()
