"""Echo state networks against an LSTM and reservoirpy on Mackey-Glass and sunspots.

    .venv/bin/python benchmarks/esn_forecast.py          # needs: pip install -e '.[bench]'

Series: Mackey-Glass (delay 17, integrated here) and the yearly sunspot
numbers from statsmodels.datasets. Each series is z-scored with the training
part's mean and standard deviation. Task: from the values up to t, predict
t + h (direct, h = 1 and a longer horizon). Models, all in one run:

- rnn-apps ESN: the toolkit's EchoStateCell, closed-form ridge readout;
- reservoirpy ESN: same reservoir size, spectral radius, leak rate and input
  scaling (reservoirpy's own weight distributions);

Each ESN picks its ridge from RIDGES by NRMSE on the last 20% of the
training part, then refits on the whole training part.
- rnn-apps LSTM: the shared builder (LSTM 64) on windows of the last
  ``--window`` values, trained with Adam.

NRMSE is the test RMSE divided by the standard deviation of the test targets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def mackey_glass(n: int, tau: int = 17, a=0.2, b=0.1, power=10, dt=0.1, x0=1.2, discard=500):
    """Euler integration with step dt, sampled every 1 time unit."""
    per_unit = round(1 / dt)
    lag = tau * per_unit
    total = (n + discard) * per_unit
    x = np.full(total + lag, x0)
    for i in range(lag, total + lag - 1):
        delayed = x[i - lag]
        x[i + 1] = x[i] + dt * (a * delayed / (1 + delayed ** power) - b * x[i])
    return x[lag::per_unit][discard:discard + n]


def sunspots():
    import statsmodels.api as sm

    return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=float)


def nrmse(prediction, target):
    return float(np.sqrt(np.mean((prediction - target) ** 2)) / np.std(target))


RIDGES = (1e-8, 1e-6, 1e-4, 1e-2, 1.0, 10.0)


def pick_ridge(fit, score, split, warmup, horizon):
    """The ridge with the best NRMSE on the last 20% of the training part."""
    cut = warmup + int((split - horizon - warmup) * 0.8)
    best = min(RIDGES, key=lambda alpha: score(fit(slice(warmup, cut), alpha),
                                               slice(cut, split - horizon)))
    return best


def ours_esn(series, split, horizon, args):
    import keras
    import tensorflow as tf

    from rnn_apps.core.esn import EchoStateCell, ridge_readout

    started = time.perf_counter()
    cell = EchoStateCell(args.units, spectral_radius=args.sr, leak_rate=args.lr,
                         input_scaling=args.input_scaling, seed=0)
    layer = tf.function(keras.layers.RNN(cell, return_sequences=True))
    states = np.asarray(layer(series[None, :, None].astype("float32")))[0]
    x, y = states[:-horizon], series[horizon:, None]
    fit = lambda rows, alpha: ridge_readout(x[rows], y[rows], alpha)
    score = lambda wb, rows: nrmse(x[rows] @ wb[0] + wb[1], y[rows])
    alpha = pick_ridge(fit, score, split, args.warmup, horizon)
    weights, bias = fit(slice(args.warmup, split - horizon), alpha)
    seconds = time.perf_counter() - started
    test = slice(split, len(series) - horizon)
    return nrmse(x[test] @ weights + bias, y[test]), seconds, alpha


def reservoirpy_esn(series, split, horizon, args):
    from reservoirpy.nodes import Reservoir, Ridge

    started = time.perf_counter()
    reservoir = Reservoir(args.units, lr=args.lr, sr=args.sr, input_scaling=args.input_scaling,
                          seed=0)
    states = reservoir.run(series[:, None])
    x, y = states[:-horizon], series[horizon:, None]

    def fit(rows, alpha):
        readout = Ridge(ridge=alpha)
        readout.fit(x[rows], y[rows])
        return readout

    score = lambda readout, rows: nrmse(readout.run(x[rows]), y[rows])
    alpha = pick_ridge(fit, score, split, args.warmup, horizon)
    readout = fit(slice(args.warmup, split - horizon), alpha)
    seconds = time.perf_counter() - started
    prediction = readout.run(x[split:len(series) - horizon])
    return nrmse(prediction, y[split:len(series) - horizon]), seconds, alpha


def toolkit_lstm(series, split, horizon, args):
    import keras

    from rnn_apps.core.config import RecurrentConfig
    from rnn_apps.core.recurrent import build_recurrent_stack, make_optimizer

    keras.utils.set_random_seed(0)
    window = args.window
    starts = np.arange(0, len(series) - window - horizon + 1)
    x = np.stack([series[s:s + window] for s in starts])[..., None].astype("float32")
    y = series[starts + window - 1 + horizon].astype("float32")
    ends = starts + window - 1  # the last input index of each window
    train, test = ends < split - horizon, ends >= split
    config = RecurrentConfig(cell="lstm", units=64)
    inputs = keras.Input(shape=(window, 1))
    outputs = keras.layers.Dense(1)(build_recurrent_stack(inputs, config))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=make_optimizer(config, 3e-3), loss="mse")
    started = time.perf_counter()
    model.fit(x[train], y[train], epochs=args.epochs, batch_size=32, verbose=0,
              validation_split=0.1,
              callbacks=[keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)])
    seconds = time.perf_counter() - started
    return nrmse(model.predict(x[test], verbose=0)[:, 0], y[test]), seconds, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--sr", type=float, default=1.25)
    parser.add_argument("--lr", type=float, default=0.3)
    parser.add_argument("--input-scaling", type=float, default=1.0)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--window", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    try:
        import reservoirpy  # noqa: F401
        import statsmodels  # noqa: F401
    except ImportError as error:
        print(f"skipped: {error.name} is not installed (pip install -e '.[bench]')")
        return 0
    raw = {"Mackey-Glass (tau 17)": (mackey_glass(4000), 3000, (1, 20)),
           "sunspots (yearly)": (sunspots(), 250, (1, 5))}
    print("| series | horizon | model | test NRMSE | fit s | ridge |")
    print("|---|---|---|---|---|---|")
    for name, (values, split, horizons) in raw.items():
        mean, std = values[:split].mean(), values[:split].std()
        series = (values - mean) / std
        for horizon in horizons:
            for label, run in (("rnn-apps ESN + ridge", ours_esn),
                               ("reservoirpy ESN + ridge", reservoirpy_esn),
                               ("rnn-apps LSTM 64", toolkit_lstm)):
                score, seconds, alpha = run(series, split, horizon, args)
                ridge = "-" if alpha is None else f"{alpha:g}"
                print(f"| {name} | {horizon} | {label} | {score:.4f} | {seconds:.2f} | "
                      f"{ridge} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
