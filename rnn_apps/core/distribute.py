"""tf.distribute strategies: one local device, all local GPUs, or a cluster.

``distribute="none"`` trains on TensorFlow's default device; ``"mirrored"``
uses ``MirroredStrategy`` over every local GPU (one CPU replica without
one); ``"multiworker"`` uses ``MultiWorkerMirroredStrategy`` configured by
the standard ``TF_CONFIG`` environment variable, so the same command runs
under any cluster manager that sets it. A strategy is made once per process
and reused: TensorFlow allows one collective configuration per process.
"""

from __future__ import annotations

import json
import os

from rnn_apps.errors import RnnAppsError

MODES = ("none", "mirrored", "multiworker")
PEER_TIMEOUT_VARIABLE = "RNN_APPS_WORKER_TIMEOUT"
DEFAULT_PEER_TIMEOUT = 120.0

_STRATEGIES: dict[str, object] = {}


class DistributeError(RnnAppsError):
    """A cluster that cannot be used: bad TF_CONFIG, missing workers."""


def check_mode(mode) -> str:
    mode = "none" if mode is None else mode
    if mode not in MODES:
        raise RnnAppsError(f"distribute must be one of {', '.join(MODES)}; got {mode!r}")
    return mode


def read_tf_config(environ=None) -> dict:
    """The parsed and checked ``TF_CONFIG``: ``{"cluster": {...}, "task": {...}}``."""
    raw = (os.environ if environ is None else environ).get("TF_CONFIG")
    if not raw:
        raise DistributeError("distribute='multiworker' needs the TF_CONFIG environment "
                              "variable (cluster and task), as cluster managers set it")
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise DistributeError(f"TF_CONFIG is not JSON ({error.msg} at character "
                              f"{error.pos})") from None
    if not isinstance(config, dict):
        raise DistributeError("TF_CONFIG must be a JSON object with 'cluster' and 'task'")
    cluster, task = config.get("cluster"), config.get("task")
    if not isinstance(cluster, dict) or not cluster:
        raise DistributeError("TF_CONFIG has no 'cluster' object (e.g. {\"worker\": "
                              "[\"host1:port\", \"host2:port\"]})")
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise DistributeError("TF_CONFIG has no 'task' with 'type' and 'index'")
    for kind, addresses in cluster.items():
        if not isinstance(addresses, list) or not all(
                isinstance(a, str) and a.rpartition(":")[2].isdigit() for a in addresses):
            raise DistributeError(f"TF_CONFIG cluster {kind!r} must be a list of "
                                  "'host:port' strings")
    kind, index = task["type"], task["index"]
    if kind not in cluster:
        raise DistributeError(f"TF_CONFIG task type {kind!r} is not in the cluster "
                              f"({', '.join(cluster)})")
    if not isinstance(index, int) or isinstance(index, bool) or not (
            0 <= index < len(cluster[kind])):
        raise DistributeError(f"TF_CONFIG task index {index!r} is out of range: the "
                              f"cluster has {len(cluster[kind])} {kind} address(es)")
    return config


def is_chief(mode: str = "none", environ=None) -> bool:
    """True for the process that writes outputs (always, unless multi-worker).

    The chief is task ``chief`` (or ``master``) when the cluster has one,
    else worker 0, as in TensorFlow's multi-worker guide.
    """
    if check_mode(mode) != "multiworker":
        return True
    config = read_tf_config(environ)
    kind, index = config["task"]["type"], config["task"]["index"]
    if kind in ("chief", "master"):
        return True
    has_chief = any(k in config["cluster"] for k in ("chief", "master"))
    return kind == "worker" and index == 0 and not has_chief


def worker_label(mode: str = "none") -> str:
    """``type-index`` of this process in the cluster (``local`` otherwise)."""
    if check_mode(mode) != "multiworker":
        return "local"
    task = read_tf_config()["task"]
    return f"{task['type']}-{task['index']}"


def _make_multi_worker_strategy(timeout: float):
    """``MultiWorkerMirroredStrategy()``, or a DistributeError after ``timeout`` s.

    Making the strategy waits until every task of the cluster has connected;
    a worker that never comes up would leave it waiting forever, so it runs
    in a helper thread that is given up on after the timeout.
    """
    import threading

    import tensorflow as tf

    result: dict = {}

    def make():
        try:
            result["strategy"] = tf.distribute.MultiWorkerMirroredStrategy()
        except Exception as error:  # reported in the calling thread
            result["error"] = error

    thread = threading.Thread(target=make, name="rnn-apps-cluster", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        config = read_tf_config()
        addresses = [a for kind in config["cluster"].values() for a in kind]
        raise DistributeError(f"the cluster ({', '.join(addresses)}) did not come up within "
                              f"{timeout:g} s (set {PEER_TIMEOUT_VARIABLE} to wait longer)")
    if "error" in result:
        error = result["error"]
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise DistributeError(f"cannot start multi-worker training: {first}")
    return result["strategy"]


def strategy_for(mode="none"):
    """The ``tf.distribute`` strategy for ``mode`` (made once per process)."""
    mode = check_mode(mode)
    if mode in _STRATEGIES:
        return _STRATEGIES[mode]
    import tensorflow as tf

    if mode == "none":
        return tf.distribute.get_strategy()
    if mode == "mirrored":
        strategy = tf.distribute.MirroredStrategy()
    else:
        if "multiworker" not in _STRATEGIES and _STRATEGIES:
            raise DistributeError("this process already trained with another strategy; "
                                  "multi-worker training must be the first in a process")
        read_tf_config()  # checked before anything waits on it
        timeout = float(os.environ.get(PEER_TIMEOUT_VARIABLE, DEFAULT_PEER_TIMEOUT))
        strategy = _make_multi_worker_strategy(timeout)
        from rnn_apps.core.keras_compat import install_multi_worker_fixes

        install_multi_worker_fixes()
    _STRATEGIES[mode] = strategy
    return strategy
