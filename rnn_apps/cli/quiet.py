"""Keep TensorFlow's start-up chatter off a user's terminal.

TensorFlow's C++ core writes lines such as ``oneDNN custom operations are
on``, ``Could not find cuda drivers`` and ``failed call to cuInit`` straight
to file descriptor 2 while it loads and first looks for devices, before any
log level can apply; a user reads them as failures. :func:`install` makes the
first ``import tensorflow`` (wherever it happens) run with descriptor 2
pointed at /dev/null, looks for devices once in the same window, and then
sets TensorFlow's and Keras' Python loggers to errors only. Set
``RNN_APPS_DEBUG=1`` to see everything.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import sys


def debugging() -> bool:
    from rnn_apps.cli.errors import DEBUG_VARIABLE

    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


@contextlib.contextmanager
def descriptor_2_silenced():
    if sys.stderr is not None:
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (a daemon): nothing to keep quiet
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            with descriptor_2_silenced():
                load(module)
                module.config.list_physical_devices("GPU")  # CUDA start-up, in the window
            _quiet_python_loggers()

        spec.loader.exec_module = exec_module
        return spec


def _quiet_python_loggers() -> None:
    import logging

    for name in ("tensorflow", "absl", "keras", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)


def install() -> None:
    """Silence TensorFlow's start-up (unless ``RNN_APPS_DEBUG`` is set)."""
    if debugging():
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0")
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        _quiet_python_loggers()
    elif not any(isinstance(f, _QuietTensorFlow) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlow())
