"""Work-arounds for Keras 3 under ``MultiWorkerMirroredStrategy``.

Keras 3.x ``fit`` fails with more than one worker (tensorflow/tensorflow#72388):
its step reduces each scalar log with ``strategy.reduce("MEAN", v, axis=0)``,
which a rank-0 value cannot take, and its first symbolic build reduces a whole
(nested) batch across workers. Both are patched here, only for multi-worker
strategies, when such a strategy is made; every other path is untouched. Both
patches rely on private Keras functions, so they are installed only when those
have the signatures they were written for (:mod:`rnn_apps.core.keras_guard`);
otherwise Keras' own code stays, with one note.
"""

from __future__ import annotations

from rnn_apps.core.keras_guard import Guard, calls_problem, signature_problem

_INSTALLED = False
BUILD = "(self, iterator=None, data_batch=None)"


def _keras_problems():
    from keras.src.backend.tensorflow import trainer as tf_trainer

    trainer = tf_trainer.TensorFlowTrainer
    return [signature_problem(tf_trainer, "reduce_per_replica", "(values, strategy, reduction)"),
            signature_problem(trainer, "_maybe_symbolic_build", BUILD),
            signature_problem(trainer, "_symbolic_build", BUILD),
            calls_problem(trainer, "__init__", "_distribute_strategy")]


GUARD = Guard("the multi-worker fixes of Keras' fit", _keras_problems)


def _is_multi_worker(strategy) -> bool:
    import tensorflow as tf

    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


def install_multi_worker_fixes() -> None:
    global _INSTALLED
    if _INSTALLED or not GUARD.ok():
        return
    from keras.src import tree
    from keras.src.backend.tensorflow import trainer as tf_trainer

    original_reduce = tf_trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and _is_multi_worker(strategy):
            def mean(value):
                rank = getattr(getattr(value, "shape", None), "rank", None)
                return strategy.reduce("MEAN", value, axis=None if rank == 0 else 0)

            return tree.map_structure(mean, values)
        return original_reduce(values, strategy, reduction)

    original_build = tf_trainer.TensorFlowTrainer._maybe_symbolic_build

    def maybe_symbolic_build(self, iterator=None, data_batch=None):
        strategy = self._distribute_strategy
        if iterator is None or strategy is None or not _is_multi_worker(strategy):
            return original_build(self, iterator=iterator, data_batch=data_batch)
        for _, _, it in iterator:  # this worker's part of the first batch is enough
            batch = tree.map_structure(
                lambda v: strategy.experimental_local_results(v)[0], next(it))
            break
        with strategy.scope():
            self._symbolic_build(data_batch=batch)

    tf_trainer.reduce_per_replica = reduce_per_replica
    tf_trainer.TensorFlowTrainer._maybe_symbolic_build = maybe_symbolic_build
    _INSTALLED = True
