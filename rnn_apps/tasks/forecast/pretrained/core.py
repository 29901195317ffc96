"""The pretrained recurrent core: its shape, how it is built, and the shipped
weights with their checksum and provenance.

The core reads a window put in scaled units by
:class:`~rnn_apps.tasks.forecast.pretrained.layers.PretrainedFront` (any
length, one column) and forecasts ``HORIZON`` steps as ``LEVELS`` quantiles,
sorted so they never cross. The weights are a NumPy ``.npz`` file beside a
JSON manifest (settings, SHA-256, how they were made); loading checks the
checksum, so a damaged or swapped file is refused in one line.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from rnn_apps.errors import RnnAppsError

HERE = Path(__file__).resolve().parent
WEIGHTS = HERE / "forecaster_core.npz"
MANIFEST = HERE / "forecaster_core.json"
CORE_NAME = "pretrained_core"
SETTINGS = {
    "cell": "gru", "units": 64, "layers": 2, "horizon": 64, "core_length": 96,
    "levels": [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95,
               0.975, 0.99],
}
HORIZON = SETTINGS["horizon"]
LEVELS = SETTINGS["levels"]
MEDIAN = LEVELS.index(0.5)


def build_core(settings: dict | None = None):
    """The core as a Keras model ``z [b, time, 1] -> quantiles [b, HORIZON, levels]``."""
    import keras

    from rnn_apps.core.config import RecurrentConfig
    from rnn_apps.core.recurrent import build_recurrent_stack

    settings = settings or SETTINGS
    config = RecurrentConfig(cell=settings["cell"], units=settings["units"],
                             layers=settings["layers"], clipnorm=None)
    inputs = keras.Input(shape=(None, 1), name="scaled_window")
    encoded = build_recurrent_stack(inputs, config, name="core")
    levels, horizon = len(settings["levels"]), settings["horizon"]
    flat = keras.layers.Dense(horizon * levels, name="core_quantiles")(encoded)
    bands = keras.layers.Reshape((horizon, levels), name="core_bands")(flat)
    return keras.Model(inputs, keras.ops.sort(bands, axis=-1), name=CORE_NAME)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_weights(core, directory: Path, provenance: dict) -> dict:
    """Write ``forecaster_core.npz`` and its manifest to ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {f"w{k:03d}": np.asarray(w) for k, w in enumerate(core.get_weights())}
    weights = directory / WEIGHTS.name
    np.savez(weights, **arrays)
    manifest = {"settings": SETTINGS, "sha256": sha256(weights),
                "size_bytes": weights.stat().st_size,
                "parameters": int(sum(a.size for a in arrays.values())), **provenance}
    (directory / MANIFEST.name).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def weights_dir(directory=None) -> Path:
    """Where the weights are read from: ``directory``, else the environment's
    ``RNN_APPS_PRETRAINED_DIR`` (other weights, e.g. from ``make pretrain``),
    else the ones shipped in the package."""
    return Path(directory or os.environ.get("RNN_APPS_PRETRAINED_DIR") or HERE)


def manifest(directory: Path | None = None) -> dict | None:
    """The manifest of the weights in use; None when there are none."""
    path = weights_dir(directory) / MANIFEST.name
    if not path.exists():
        return None
    return json.loads(path.read_text())


_VERIFIED: dict = {}      # (path, size, mtime) -> (manifest, arrays), checksum checked once


def _verified(directory):
    info = manifest(directory)
    weights = weights_dir(directory) / WEIGHTS.name
    if info is None or not weights.exists():
        raise RnnAppsError(f"the pretrained forecaster's weights are missing ({weights}); "
                           "reinstall rnn-apps or run `make pretrain`")
    stat = weights.stat()
    key = (str(weights), stat.st_size, stat.st_mtime_ns, info["sha256"])
    if key not in _VERIFIED:
        found = sha256(weights)
        if found != info["sha256"]:
            raise RnnAppsError(f"the pretrained weights {weights} fail their checksum "
                               f"(sha256 {found[:12]}..., manifest {info['sha256'][:12]}...)")
        with np.load(weights) as arrays:
            _VERIFIED[key] = (info, [arrays[f"w{k:03d}"] for k in range(len(arrays.files))])
    return _VERIFIED[key]


def load_core(directory: Path | None = None):
    """A fresh core with the weights in use (:func:`weights_dir`); the file is
    read and its checksum checked once per process (again when it changes)."""
    info, arrays = _verified(directory)
    core = build_core(info["settings"])
    core.set_weights(arrays)
    return core, info


PROVENANCE_KEYS = ("parameters", "trained_on", "command", "keras", "tensorflow", "seconds")


def describe(directory: Path | None = None) -> dict:
    """The weights in use, for ``rnn-apps info``: where they are, their size,
    the manifest's SHA-256, whether the file matches it (``verified``; with the
    ``problem`` when not) and how they were made."""
    folder = weights_dir(directory)
    weights, info = folder / WEIGHTS.name, manifest(directory)
    found = {"file": str(weights), "manifest": str(folder / MANIFEST.name),
             "sha256": (info or {}).get("sha256"), "verified": False, "problem": None,
             "size_bytes": weights.stat().st_size if weights.is_file() else None}
    if info is None or not weights.is_file():
        found["problem"] = f"missing: {weights if info else folder / MANIFEST.name}"
    else:
        actual = sha256(weights)
        found["verified"] = actual == info.get("sha256")
        if not found["verified"]:
            found["problem"] = f"the file's sha256 is {actual}, not the manifest's"
    found.update({key: (info or {}).get(key) for key in PROVENANCE_KEYS})
    found["settings"] = (info or {}).get("settings")
    return found
