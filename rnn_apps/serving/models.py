"""The models one server process serves: names, their loaded versions, each
with its own dynamic batcher, and the hot reload of numbered versions.

Requests find their model with :meth:`ModelSet.resolve` and queue on its
batcher in the same step (nothing awaited in between), so a version being
retired never takes a request it will not answer: a new version is loaded
beside the old one, takes the new requests once loaded, and the old one is
closed only after its queue has drained.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
from dataclasses import dataclass

from rnn_apps.serving.batching import Batcher
from rnn_apps.serving.config import ModelConfig
from rnn_apps.serving.limits import Limits, RequestError


@dataclass
class Entry:
    servable: object
    batcher: Batcher

    @property
    def version(self) -> str:
        return self.servable.version


def _load(config: ModelConfig, version: str, path, limits: Limits):
    from rnn_apps.serving.servable import load_servable

    servable = load_servable(path, name=config.name, limits=limits)
    servable.version = version
    return servable


class ModelSet:
    """``{name: {version: Entry}}`` from model configs; :meth:`load` reads every
    wanted version (blocking, before serving), :meth:`start` starts the batchers
    and, when ``poll_s`` > 0, the watch for new versions."""

    def __init__(self, configs: list[ModelConfig], limits: Limits | None = None,
                 poll_s: float = 2.0):
        self.configs, self.limits, self.poll_s = list(configs), limits or Limits(), poll_s
        self.models: dict[str, dict[str, Entry]] = {}
        self.failed: dict[tuple, str] = {}  # (name, version, path mtime) -> error, not retried
        self.started = False
        self._poller = None
        self._retiring: set[asyncio.Task] = set()
        self._loader = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="loader")

    @classmethod
    def of(cls, servable, limits: Limits | None = None) -> ModelSet:
        """One servable already loaded (no polling)."""
        models = cls([], limits, poll_s=0)
        models.models[servable.name] = {servable.version: models._entry(servable)}
        return models

    def _entry(self, servable) -> Entry:
        return Entry(servable, Batcher(servable.run, max_batch=self.limits.max_batch,
                                       wait_ms=self.limits.batch_wait_ms))

    # -- loading ------------------------------------------------------------------
    def load(self) -> ModelSet:
        """Load every version the configs want; on any failure close what loaded."""
        try:
            for index, config in enumerate(self.configs):
                for version, path in config.required().items():
                    servable = _load(config, version, path, self.limits)
                    if config.name is None:  # --model without --name: the task's name
                        config = self.configs[index] = ModelConfig(
                            servable.name, config.base_path, config.latest, config.specific)
                    self.models.setdefault(config.name, {})[version] = self._entry(servable)
        except BaseException:
            self.close()
            raise
        return self

    def names(self) -> list[str]:
        return sorted(self.models)

    # -- requests -----------------------------------------------------------------
    def resolve(self, name: str, version: str | None = None) -> Entry:
        """The entry a request asks for (the highest version when none is named)."""
        versions = self.models.get(name)
        if not versions or (version is not None and version not in versions):
            wanted = name if version is None else f"{name} version {version}"
            served = "; ".join(f"{n!r} version(s) {', '.join(self._sorted(v))}"
                               for n, v in sorted(self.models.items()))
            raise RequestError(f"no model {wanted!r} here (serving {served})", status=404)
        return versions[version or self._sorted(versions)[-1]]

    def status(self, name: str, version: str | None = None) -> list[dict]:
        """TensorFlow Serving's ``model_version_status`` entries."""
        if version is not None:
            entries = [self.resolve(name, version)]
        else:
            self.resolve(name)
            entries = [self.models[name][v] for v in self._sorted(self.models[name])]
        return [{"version": entry.version, "state": "AVAILABLE",
                 "status": {"error_code": "OK", "error_message": ""}} for entry in entries]

    @staticmethod
    def _sorted(versions) -> list[str]:
        return sorted(versions, key=int)

    # -- running ------------------------------------------------------------------
    def start(self) -> None:
        """Start the batchers (and the watch) in the running event loop."""
        if self.started:
            return
        self.started = True
        for versions in self.models.values():
            for entry in versions.values():
                entry.batcher.start()
        if self.poll_s > 0 and any(config.versioned for config in self.configs):
            self._poller = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await asyncio.gather(*self._retiring, return_exceptions=True)
        for versions in self.models.values():
            for entry in versions.values():
                await entry.batcher.stop()
        self.close()

    def close(self) -> None:
        """Close every servable (their scratch exports are removed)."""
        for versions in self.models.values():
            for entry in versions.values():
                entry.servable.close()
        self._loader.shutdown(wait=False, cancel_futures=True)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                await self.refresh()
            except Exception as error:  # noqa: BLE001 (the server keeps serving)
                print(f"rnn-apps serve: reload failed: {type(error).__name__}: {error}",
                      file=sys.stderr, flush=True)

    async def refresh(self) -> list[str]:
        """Load the versions the policies want that are not served yet, then
        retire those no longer wanted. Returns what changed, as log lines."""
        changes = []
        loop = asyncio.get_running_loop()
        for config in self.configs:
            if not config.versioned:
                continue
            wanted = config.wanted()
            served = self.models.setdefault(config.name, {})
            for version, path in wanted.items():
                if version in served:
                    continue
                key = (config.name, version, _mtime(path))
                if key in self.failed:
                    continue
                try:
                    servable = await loop.run_in_executor(
                        self._loader, _load, config, version, path, self.limits)
                except Exception as error:  # noqa: BLE001 (one line, the old one serves on)
                    self.failed[key] = " ".join(str(error).split())[:300]
                    changes.append(f"model {config.name!r} version {version} did not load: "
                                   f"{self.failed[key]}")
                    continue
                entry = self._entry(servable)
                entry.batcher.start()
                served[version] = entry
                changes.append(f"model {config.name!r} version {version} loaded")
            for version in [v for v in served if v not in wanted]:
                if len(served) == 1:
                    continue  # a version removed from disk with none to replace it serves on
                entry = served.pop(version)
                task = loop.create_task(self._retire(entry))
                self._retiring.add(task)
                task.add_done_callback(self._retiring.discard)
                changes.append(f"model {config.name!r} version {version} retired")
        for line in changes:
            print(f"rnn-apps serve: {line}", file=sys.stderr, flush=True)
        return changes

    async def _retire(self, entry: Entry) -> None:
        await entry.batcher.drain()
        await entry.batcher.stop()
        entry.servable.close()


def _mtime(path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
