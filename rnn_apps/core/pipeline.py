"""The engine's input pipeline: epochs of shuffled batches from arrays or streams.

Every epoch is a fresh ``tf.data`` pass whose order depends only on
``(seed, epoch)``: in-memory data is permuted whole, a stream in blocks of
``SHUFFLE_BUFFER`` elements (bounded memory). Datasets are sharded by data
across workers; ``batch`` functions from the plan shape the batches.
"""

from __future__ import annotations

SHUFFLE_BUFFER = 50_000  # elements held at once for shuffling a streamed dataset


def _shard_by_data(dataset):
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def _permutation(n, seed, epoch):
    import tensorflow as tf

    key = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.random.experimental.stateless_shuffle(tf.range(n), seed=key)


def _in_memory_epoch(arrays, size: int, batch, shuffle: bool, seed: int, global_batch: int):
    """One epoch of in-memory arrays: a (seed, epoch) permutation, then batches."""
    import tensorflow as tf

    tensors = tf.nest.map_structure(tf.convert_to_tensor, arrays)
    gather = lambda index: tf.nest.map_structure(
        lambda t: tf.gather(t, index), tensors)

    def one_epoch(epoch):
        order = _permutation(size, seed, epoch) if shuffle else tf.range(size)
        indices = tf.data.Dataset.from_tensor_slices(order)
        if batch is None:  # gather whole batches at once
            return indices.batch(global_batch).map(gather)
        return batch(indices.map(gather), global_batch)

    return one_epoch


def _stream_epoch(dataset, batch, shuffle: bool, seed: int, global_batch: int):
    """One epoch of a stream: blocks of ``SHUFFLE_BUFFER`` elements, each permuted
    by (seed, epoch, block), so memory stays bounded and a resumed run repeats
    the same order."""
    import tensorflow as tf

    batch = batch or (lambda data, size: data.batch(size))

    def one_epoch(epoch):
        data = dataset
        if shuffle:
            def permute(index, block):  # a block of variable-length elements is ragged
                first = tf.nest.flatten(block)[0]
                rows = first.nrows() if isinstance(first, tf.RaggedTensor) else tf.shape(first)[0]
                order = _permutation(rows, seed, epoch * 1_000_003 + index)
                return tf.nest.map_structure(lambda t: tf.gather(t, order), block)

            def dense(*element):  # unbatched rows come back typed as ragged
                return tf.nest.map_structure(tf.convert_to_tensor, element)

            varies = any(spec.shape.rank and spec.shape[0] is None
                         for spec in tf.nest.flatten(data.element_spec))
            data = data.ragged_batch(SHUFFLE_BUFFER).enumerate().map(permute).unbatch()
            if varies:
                data = data.map(dense)
        return batch(data, global_batch)

    return one_epoch


def input_pipeline(plan, global_batch: int, clock, seed: int,
                   steps_per_epoch: int | None = None):
    """``(train, valid)`` batched datasets for ``fit``.

    ``plan.train`` is a structure of in-memory arrays (``size`` rows) or a
    ``tf.data.Dataset`` stream; the epoch comes from ``clock`` when an epoch
    begins, so each epoch's order depends on ``(seed, epoch)`` only. With
    ``steps_per_epoch`` the data is read pass after pass (each pass shuffled by
    ``(seed, pass)``) and an epoch is that many batches.
    """
    import tensorflow as tf

    if isinstance(plan.train, tf.data.Dataset):
        one_epoch = _stream_epoch(plan.train, plan.batch, plan.shuffle, seed, global_batch)
    else:
        one_epoch = _in_memory_epoch(plan.train, plan.size, plan.batch, plan.shuffle, seed,
                                     global_batch)
    if steps_per_epoch:
        train = tf.data.Dataset.range(2**62).flat_map(one_epoch)
    else:
        train = clock.dataset().flat_map(one_epoch)
    if plan.size and plan.batch is None and not steps_per_epoch:
        steps = -(-plan.size // global_batch)
        train = train.apply(tf.data.experimental.assert_cardinality(steps))
    train = _shard_by_data(train.prefetch(tf.data.AUTOTUNE))
    valid = plan.valid
    if valid is not None:
        if not isinstance(valid, tf.data.Dataset):
            valid = tf.data.Dataset.from_tensor_slices(valid)
        batch = plan.batch or (lambda data, size: data.batch(size))
        valid = _shard_by_data(batch(valid, global_batch).prefetch(tf.data.AUTOTUNE))
    return train, valid
