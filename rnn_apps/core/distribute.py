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

from rnn_apps.core import choices
from rnn_apps.errors import RnnAppsError, first_line

MODES = choices.DISTRIBUTE_MODES
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


def _make_multi_worker_strategy(config: dict, timeout: float):
    """``MultiWorkerMirroredStrategy()``, or a DistributeError after ``timeout`` s.

    Making the strategy waits until every task of the cluster has registered
    with the coordination service; a worker that never comes up would leave it
    waiting forever. The service is configured here as the strategy would
    configure it, plus a registration timeout (the strategy keeps a service it
    finds configured).
    """
    import tensorflow as tf
    from tensorflow.python.distribute import multi_worker_util
    from tensorflow.python.distribute.collective_all_reduce_strategy import (
        coordination_config_pb2,  # the protobuf module the strategy itself uses
    )
    from tensorflow.python.eager import context

    cluster = tf.train.ClusterSpec(config["cluster"])
    jobs = [coordination_config_pb2.CoordinatedJob(name=job, num_tasks=cluster.num_tasks(job))
            for job in ("chief", "worker") if job in cluster.jobs]
    if context.context().coordination_service is None and config["task"]["type"] in (
            "chief", "worker"):
        context.context().configure_coordination_service(
            service_type="standalone",
            service_leader=multi_worker_util.coordination_leader(cluster),
            coordinated_jobs=jobs, cluster_register_timeout_in_ms=int(timeout * 1000))
        # every task registers through one barrier that honours the timeout
        context.context().coordination_service.cluster_register_with_barrier = True
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except (tf.errors.OpError, RuntimeError, ValueError) as error:
        text = str(error).strip()
        if isinstance(error, tf.errors.DeadlineExceededError) or "timed out" in text.lower() \
                or "deadline" in text.lower():
            addresses = [a for kind in config["cluster"].values() for a in kind]
            raise DistributeError(
                f"the cluster ({', '.join(addresses)}) did not come up within {timeout:g} s "
                f"(set {PEER_TIMEOUT_VARIABLE} to wait longer)") from None
        raise DistributeError(f"cannot start multi-worker training: "
                              f"{first_line(error)[:300]}") from None


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
        config = read_tf_config()
        raw = os.environ.get(PEER_TIMEOUT_VARIABLE, str(DEFAULT_PEER_TIMEOUT))
        try:
            timeout = float(raw)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout < 10**6:
            raise DistributeError(f"{PEER_TIMEOUT_VARIABLE} must be a number of seconds; "
                                  f"got {raw!r}")
        strategy = _make_multi_worker_strategy(config, timeout)
        from rnn_apps.core.keras_compat import install_multi_worker_fixes

        install_multi_worker_fixes()
    _STRATEGIES[mode] = strategy
    return strategy
