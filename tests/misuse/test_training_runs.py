"""Training runs misused: Ctrl-C, a resume with other settings, a network no
machine holds (issue 27). Each is one line that says what to do."""

import os
import signal
import subprocess
import sys
import time

import keras
import pytest
from click.testing import CliRunner

from rnn_apps.cli import cli
from rnn_apps.core.runs import backup_epoch
from tests.conftest import ROOT, one_line_error

CTRL_C_ARMED = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                "runpy.run_module('rnn_apps', run_name='__main__', alter_sys=True)")


def test_ctrl_c_says_how_to_resume_and_a_changed_network_is_refused(tmp_path, small_csv):
    out, checkpoint = tmp_path / "m", tmp_path / "m.checkpoint"
    settings = ["--units", "4", "--embedding-dim", "4", "--patience", "100000", "--quiet"]
    # Ctrl-C as in a terminal, even when the tests run where SIGINT is ignored
    # (a shell's background job inherits that, and so would this child)
    command = [sys.executable, "-c", CTRL_C_ARMED, "sentiment", "train", "--data", str(small_csv),
               "--out", str(out), *settings]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([*command, "--epochs", "100000"], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while backup_epoch(checkpoint) is None and process.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        assert backup_epoch(checkpoint) is not None, "no epoch finished in time"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    done = backup_epoch(checkpoint)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "Aborted!" not in stderr, stderr[-2000:]
    assert lines[-1] == (f"Error: interrupted after epoch {done} of 100000; run the same command "
                         f"with --resume to continue from epoch {done + 1} (the backup is in "
                         f"{checkpoint})"), stderr[-2000:]
    assert not out.exists()
    # resuming with another network is refused, naming what changed; nothing is written
    common = ["sentiment", "train", "--data", str(small_csv), "--out", str(out),
              "--embedding-dim", "4", "--patience", "100000", "--quiet", "--resume",
              "--epochs", str(done + 1)]
    result = CliRunner().invoke(cli, [*common, "--units", "6", "--cell", "lstm"])
    one_line_error(result, "cannot resume", "cell 'gru' -> 'lstm'", "units 4 -> 6")
    assert backup_epoch(checkpoint) == done and not out.exists()
    # the command the message gave goes on from the backup (one more epoch here)
    result = CliRunner().invoke(cli, [*common, "--units", "4"])
    assert result.exit_code == 0, result.output
    import rnn_apps

    assert len(rnn_apps.load(out).history_["loss"]) == done + 1
    assert not checkpoint.exists()


def test_ctrl_c_before_the_first_epoch_leaves_nothing(tmp_path, small_csv):
    """Interrupted before an epoch finished: the line says nothing was written and
    the checkpoint directory is gone (run.json is not left to block a new run)."""
    from rnn_apps import SentimentClassifier
    from rnn_apps.core.runs import interrupted_line
    from tests.conftest import read_csv

    class CtrlC(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    texts, labels = read_csv(small_csv)
    checkpoint = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        SentimentClassifier(units=4, embedding_dim=4, epochs=2, verbose=0).fit(
            texts, labels, callbacks=[CtrlC()], checkpoint_dir=checkpoint)
    assert not checkpoint.exists()
    assert interrupted_line(checkpoint, 2).startswith(
        "interrupted before the first epoch finished; nothing was written")


def test_a_network_too_large_for_memory_is_refused_before_it_is_built(tmp_path, small_csv):
    """Units and layers each within their limits can still multiply to gigabytes:
    the weights are estimated from the settings and refused above the cap."""
    import keras

    from rnn_apps import Forecaster, SentimentClassifier
    from rnn_apps.core.config import RecurrentConfig
    from rnn_apps.core.params import LIMITS, recurrent_parameters
    from rnn_apps.core.recurrent import build_recurrent_stack
    from rnn_apps.errors import RnnAppsError

    out = tmp_path / "m"
    result = CliRunner().invoke(cli, ["sentiment", "train", "--data", str(small_csv), "--out",
                                      str(out), "--units", "16384", "--layers", "4"])
    estimate = recurrent_parameters("gru", 16384, 4, False, SentimentClassifier().embedding_dim)
    one_line_error(result, "4 x 16384 gru units", f"about {estimate:,} weights",
                   f"({estimate * 4 / 1e9:.1f} GB)", f"above the cap of {LIMITS['parameters']:,}")
    assert not out.exists() and not (tmp_path / "m.checkpoint").exists()
    with pytest.raises(RnnAppsError, match="above the cap"):
        Forecaster(cell="lstm", units=4000, layers=2, epochs=1).fit([float(i) for i in range(99)])
    # the estimate is the count of the network the shared builder makes
    for cell in ("rnn", "lstm", "gru", "esn"):
        for layers, bidirectional in ((1, False), (2, True)):
            config = RecurrentConfig(cell=cell, units=3, layers=layers,
                                     bidirectional=bidirectional)
            inputs = keras.Input((None, 5))
            model = keras.Model(inputs, build_recurrent_stack(inputs, config))
            assert model.count_params() == recurrent_parameters(cell, 3, layers,
                                                                bidirectional, 5), cell
