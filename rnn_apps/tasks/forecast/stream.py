"""Forecasting trained on a :class:`~rnn_apps.data.series.SeriesStream` (a series
longer than memory allows).

A first pass counts the steps and keeps the time axis facts, the last
``lookback`` rows and the first ``SAMPLE`` rows (the season is detected on
them); a second pass over the training part fits the scaler and the seasonal
naive scale (MASE). Every epoch reads the file again and cuts it into windows
block by block. The last ``valid_split`` share of the steps is held out for
validation, as in memory.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from rnn_apps.errors import DataError
from rnn_apps.preprocessing.series import SeriesScaler
from rnn_apps.preprocessing.streams import stream_dataset

SAMPLE = 20_000  # first steps kept for season detection
BLOCK = 8192  # rows cut into windows at once


def _first_pass(stream, lookback: int):
    count, sample, tail, times, kinds, last_time = 0, [], deque(maxlen=lookback), [], set(), None
    for stamp, kind, values in stream:
        count += 1
        if len(sample) < SAMPLE:
            sample.append(values)
        tail.append(values)
        if stamp is not None:
            if len(times) < 1000:
                times.append(stamp)
            kinds.add(kind)
            last_time = stamp
    return count, np.array(sample), np.array(tail), times, kinds, last_time


def _rows(stream, start: int, stop: int):
    """Blocks of rows ``start .. stop - 1`` (float32 ``[n, columns]``)."""
    block = []
    for position, (_, _, values) in enumerate(stream):
        if position >= stop:
            break
        if position >= start:
            block.append(values)
            if len(block) == BLOCK:
                yield np.array(block)
                block = []
    if block:
        yield np.array(block)


def _windows(blocks, size: int):
    """Every ``size``-row window of the rows in ``blocks`` (blocks overlap as needed)."""
    carry = None
    for block in blocks:
        rows = block if carry is None else np.concatenate([carry, block])
        if len(rows) >= size:
            yield np.lib.stride_tricks.sliding_window_view(rows, size, axis=0) \
                .transpose(0, 2, 1).copy()
        carry = rows[-(size - 1):] if size > 1 else rows[:0]


def _training_stats(stream, stop: int, targets, season: int):
    """Scaler and seasonal naive MAE of the first ``stop`` rows, in one pass."""
    total = total_sq = None
    recent, errors, seasonal = deque(maxlen=season), None, 0
    for block in _rows(stream, 0, stop):
        block64 = block.astype(np.float64)
        total = block64.sum(0) if total is None else total + block64.sum(0)
        total_sq = (block64 ** 2).sum(0) if total_sq is None else total_sq + (block64 ** 2).sum(0)
        for row in block64[:, targets]:
            if len(recent) == season:
                diff = np.abs(row - recent[0])
                errors = diff if errors is None else errors + diff
                seasonal += 1
            recent.append(row)
    mean = total / stop
    std = np.sqrt(np.maximum(total_sq / stop - mean ** 2, 0.0))
    std = np.where(std > 1e-12 * np.maximum(np.abs(mean), 1.0), std, 1.0)  # constant columns
    if not seasonal:
        raise DataError(f"MASE needs a history longer than the season ({season}); got {stop}")
    return SeriesScaler(mean, std), errors / seasonal


def stream_data(task, stream, validation_data, prior, targets, fit_targets, fit_horizon):
    """``(train, valid, state)``: window datasets and the fitted state."""
    import tensorflow as tf

    from rnn_apps.data.series import infer_step, time_to_json

    if validation_data is not None:
        raise DataError("a streamed series holds out its own last valid_split share; "
                        "validation_data is not taken")
    if task.future_covariates or task.calendar:
        raise DataError("future covariates and calendar features are read in memory; read "
                        "the series without streaming")
    if task.readout == "ridge":
        raise DataError("readout='ridge' solves from windows in memory; read the series "
                        "without streaming")
    from rnn_apps.tasks.forecast.layers import decomposition_stats
    from rnn_apps.tasks.forecast.network import check_quantiles
    from rnn_apps.tasks.forecast.settings import static_settings

    longest = task.lookback or 10_000   # the tail kept; trimmed once the lookback is known
    count, sample, tail, times, kinds, last_time = _first_pass(stream, longest)
    n_valid = int(count * task.valid_split)
    stop = count - n_valid if n_valid >= task.horizon else count
    step = infer_step(times) if len(times) > 1 else None
    settings = static_settings(task, sample[:stop], targets, fit_targets, step, prior)
    lookback, season = settings["lookback"], int(settings["season"])
    need = lookback + task.horizon
    if count < need:
        raise DataError(f"the series has {count} steps; it needs at least lookback + horizon "
                        f"= {need}")
    if not (n_valid >= task.horizon and count - n_valid >= need):
        n_valid = 0
    stop = count - n_valid
    tail = tail[-lookback:]
    scaler, scale = _training_stats(stream, stop, targets, min(season, stop - 1))
    if prior:
        scaler = SeriesScaler.from_state(prior["scaler"])
    size = lookback + fit_horizon
    columns = list(fit_targets)

    def windows(start, end):
        for batch in _windows(_rows(stream, start, end), size):
            scaled = scaler.transform(batch).astype(np.float32)
            inputs, outputs = scaled[:, :lookback], scaled[:, lookback:][:, :, columns]
            yield from zip(inputs, outputs)

    width = len(stream.columns)
    signature = (tf.TensorSpec([lookback, width], tf.float32),
                 tf.TensorSpec([fit_horizon, len(columns)], tf.float32))
    errors: list = []
    train = stream_dataset(lambda: windows(0, stop), signature, errors)
    valid = None
    if n_valid:
        valid = stream_dataset(lambda: windows(stop - lookback, count), signature, errors)
    kind = kinds.pop() if len(kinds) == 1 else ("iso" if kinds else None)
    state = {
        "scaler": scaler.get_state(), "targets": targets, "season": season,
        "columns": list(stream.columns), "quantiles": check_quantiles(task.quantiles),
        "ridge_alpha": None,
        "tail": tail.tolist(), "scale": scale.tolist(), "time_column": stream.time_column,
        "time_format": kind, "last_time": time_to_json(last_time), "time_step": step,
        "lookback": lookback, "inputs": settings["inputs"],
        "deseasonalize": settings["deseasonalize"], "season_scores": settings["season_scores"],
        "decomposition": None if settings["deseasonalize"] == "none" else {
            "season": season, "mode": settings["deseasonalize"],
            "stats": decomposition_stats(sample[:stop], scaler, fit_targets,
                                         settings["deseasonalize"])}}
    return train, valid, errors, state
