"""Pretraining the forecaster's core on generated series (one command):

    python -m rnn_apps.tasks.forecast.pretrained.pretrain --out DIR [--series N] [--steps S]

(``make pretrain`` writes the shipped files). Series come from
:mod:`.generator` only; each gives a few forecast origins, cut and put in
scaled units by the same rules and layers the forecaster uses
(:mod:`.windows`, :class:`~.layers.PretrainedFront`), and the core is trained
with the pinball loss of its quantiles. Seeds fix everything, so the same
command gives the same weights on the same machine and versions.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from rnn_apps.tasks.forecast.pretrained import core as cores
from rnn_apps.tasks.forecast.pretrained import generator
from rnn_apps.tasks.forecast.pretrained.windows import cut


def detected_seasons(values, recipe) -> list[int]:
    """Seasons as the forecaster finds them: the generator's periods stand in
    for the calendar's candidates, the data decide which are strong."""
    from rnn_apps.preprocessing.seasons import choose_seasons

    longest = max(recipe.seasons, default=1)
    recent = values[-max(4 * longest, 240):]
    return choose_seasons(recent, None, extra=recipe.seasons)[0]


def scaled_windows(n_series: int, seed: int, origins: int = 4, settings=None):
    """``{core length: (z [n, length, 1], targets [n, HORIZON])}`` from ``n_series``
    generated series, ``origins`` forecast origins each."""
    from rnn_apps.tasks.forecast.pretrained.layers import PretrainedFront, scaled_targets

    settings = settings or cores.SETTINGS
    horizon, core_length = settings["horizon"], settings["core_length"]
    rng = np.random.default_rng(seed + 1)
    groups: dict = {}
    for values, recipe in generator.generate(n_series, seed):
        n = len(values)
        low = min(8, n - 1)
        for origin in sorted(set(rng.integers(low, n - 1, origins).tolist())):
            seasons = detected_seasons(values[:origin], recipe) if origin >= 24 else []
            window, future, used = cut(values, origin, seasons, horizon, core_length)
            groups.setdefault((tuple(used), len(window)), []).append((window, future))
    buckets: dict = {}
    for (seasons, length), pairs in groups.items():
        windows = np.stack([w for w, _ in pairs])
        future = np.stack([f for _, f in pairs])
        front = PretrainedFront(seasons, core_length, horizon)
        z, location, scale, seasonal = (np.asarray(t) for t in front(windows))
        targets = scaled_targets(future, location, scale, seasonal)
        ok = np.isfinite(z).all(axis=(1, 2))
        bucket = buckets.setdefault(z.shape[1], ([], []))
        bucket[0].append(z[ok])
        bucket[1].append(targets[ok])
    return {length: (np.concatenate(zs), np.concatenate(ys))
            for length, (zs, ys) in buckets.items()}


def masked_pinball(levels):
    import tensorflow as tf

    levels = tf.constant(levels, tf.float32)

    def loss(y, bands):
        mask = tf.cast(tf.math.is_finite(y), tf.float32)[..., None]
        error = tf.where(mask > 0, y[..., None] - bands, 0.0)
        per = tf.maximum(levels * error, (levels - 1) * error) * mask
        return tf.reduce_sum(per) / tf.maximum(tf.reduce_sum(mask) * len(levels), 1.0)
    return loss


def batches(buckets, batch_size: int, rng):
    """Batches of one core length each, every window once, in random order."""
    order = []
    for length, (z, _) in buckets.items():
        index = rng.permutation(len(z))
        order += [(length, index[i:i + batch_size]) for i in range(0, len(z), batch_size)]
    rng.shuffle(order)
    for length, index in order:
        yield buckets[length][0][index], buckets[length][1][index]


def pretrain(out, *, series: int = 15_000, rounds: int = 6, seed: int = 0, epochs: int = 2,
             origins: int = 6, batch_size: int = 256, learning_rate: float = 2e-3, log=print):
    """Train the core on ``rounds`` fresh sets of ``series`` generated series
    (``origins`` windows each, ``epochs`` passes) and write the weights and
    manifest to ``out``; returns the manifest."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    core = cores.build_core()
    loss_fn = masked_pinball(cores.LEVELS)
    total = rounds * epochs * series * origins // batch_size
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, max(total, 1), alpha=0.05)
    optimizer = keras.optimizers.Adam(schedule, clipnorm=1.0)

    @tf.function(reduce_retracing=True)
    def step(z, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, core(z, training=True))
        grads = tape.gradient(loss, core.trainable_variables)
        optimizer.apply_gradients(zip(grads, core.trainable_variables))
        return loss

    # series no round trains on (2,000 for the shipped command's 15,000 a round)
    held = scaled_windows(min(2_000, max(20, series // 7)), seed + 10_000)
    started, history = time.perf_counter(), []
    rng = np.random.default_rng(seed)
    for round_ in range(rounds):
        buckets = scaled_windows(series, seed + round_, origins)
        losses = [float(step(z, y)) for _ in range(epochs)
                  for z, y in batches(buckets, batch_size, rng)]
        check = float(np.mean([loss_fn(y, core(z)).numpy() for z, y in
                               batches(held, 1024, np.random.default_rng(0))]))
        history.append({"round": round_, "train_pinball": float(np.mean(losses)),
                        "held_out_pinball": check})
        log(f"round {round_ + 1}/{rounds}: pinball {np.mean(losses):.4f}, held-out "
            f"{check:.4f} ({time.perf_counter() - started:.0f} s)")
    provenance = {
        "trained_on": "generated series only (rnn_apps.tasks.forecast.pretrained.generator)",
        "command": (f"python -m rnn_apps.tasks.forecast.pretrained.pretrain --series {series} "
                    f"--rounds {rounds} --epochs {epochs} --origins {origins} --seed {seed}"),
        "series_per_round": series, "rounds": rounds, "epochs": epochs, "origins": origins,
        "seed": seed,
        "keras": keras.__version__, "tensorflow": tf.__version__,
        "seconds": round(time.perf_counter() - started, 1), "history": history}
    return cores.save_weights(core, out, provenance)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(cores.HERE))
    parser.add_argument("--series", type=int, default=15_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--origins", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    manifest = pretrain(args.out, series=args.series, rounds=args.rounds, seed=args.seed,
                        epochs=args.epochs, origins=args.origins,
                        log=lambda line: print(line, flush=True))
    print(f"wrote {args.out}: sha256 {manifest['sha256']}, {manifest['parameters']} weights")


if __name__ == "__main__":
    main()
