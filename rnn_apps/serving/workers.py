"""``serve --workers N``: a supervisor, without TensorFlow, over N worker
processes that each load the models and listen on the same ports.

The kernel spreads new connections among the workers (SO_REUSEPORT), so
throughput grows with cores; each worker batches its own requests. The
supervisor waits until every worker reports ``ready`` (or stops them all and
says why one could not start), restarts a worker that dies, and on SIGINT or
SIGTERM stops every worker by its process id, waits for them, and removes the
workers' scratch directory (their exported SavedModels live there).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from rnn_apps.errors import RnnAppsError

RESTARTS = 5  # restarts allowed per minute before the supervisor gives up


def reserve_port(host: str, port: int) -> tuple[socket.socket, int]:
    """A bound, not listening, SO_REUSEPORT socket holding ``port`` (a free one
    for 0) for the workers to join."""
    from rnn_apps.serving.server import listen_socket

    try:
        holder = listen_socket(host, port, reuse_port=True, listen=False)
    except OSError as error:
        raise RnnAppsError(f"cannot listen on {host}:{port}: "
                           f"{error.strerror or error}") from None
    return holder, holder.getsockname()[1]


class Worker:
    """One worker process, with its own temporary folder (its exports go there)."""

    def __init__(self, spec: dict, env: dict, scratch: str):
        self.scratch = tempfile.mkdtemp(prefix="worker-", dir=scratch)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rnn_apps.serving.worker", json.dumps(spec)],
            stdout=subprocess.PIPE, text=True, env={**env, "TMPDIR": self.scratch})
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    @property
    def pid(self) -> int:
        return self.process.pid


class Supervisor:
    def __init__(self, spec: dict, workers: int, echo=None):
        self.spec, self.count = spec, workers
        self.echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
        self.scratch = tempfile.mkdtemp(prefix="rnn-apps-serve-")
        self.env = dict(os.environ)
        self.workers: list[Worker] = []
        self.stopping: list[int] = []
        self.restarts: list[float] = []

    def _signal(self, signum, frame) -> None:
        self.stopping.append(signum)

    def run(self, startup_s: float = 900.0) -> str:
        """Start the workers, serve until a signal, stop them. The name of the
        signal; a one-line :class:`RnnAppsError` when a worker cannot start."""
        previous = {s: signal.signal(s, self._signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.workers = [Worker(self.spec, self.env, self.scratch) for _ in range(self.count)]
            for worker in self.workers:
                self._wait_ready(worker, time.monotonic() + startup_s)
                if self.stopping:
                    return signal.Signals(self.stopping[0]).name
            self.echo(f"{self.count} workers ready (pids "
                      f"{', '.join(str(w.pid) for w in self.workers)})")
            while not self.stopping:
                time.sleep(0.2)
                self._restart_dead()
            return signal.Signals(self.stopping[0]).name
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _wait_ready(self, worker: Worker, deadline: float) -> None:
        while not self.stopping:
            try:
                line = worker.lines.get(timeout=min(0.2, max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise RnnAppsError("a worker did not start in time") from None
                continue
            if line == "ready":
                return
            if line is None or line.startswith("error "):
                worker.process.wait(timeout=30)
                reason = line[6:] if line else \
                    f"it exited with code {worker.process.returncode} before it was ready"
                raise RnnAppsError(reason)

    def _restart_dead(self) -> None:
        for index, worker in enumerate(self.workers):
            code = worker.process.poll()
            if code is None or self.stopping:
                continue
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < 60] + [now]
            if len(self.restarts) > RESTARTS:
                raise RnnAppsError(f"workers died {len(self.restarts)} times within a "
                                   f"minute (the last with code {code}); stopped")
            self.echo(f"worker {worker.pid} exited with code {code}; starting another")
            shutil.rmtree(worker.scratch, ignore_errors=True)  # what it could not remove
            replacement = Worker(self.spec, self.env, self.scratch)
            self.workers[index] = replacement
            try:
                self._wait_ready(replacement, now + 900)
            except RnnAppsError as error:  # the others serve on; it is tried again
                self.echo(f"a replacement worker did not start: {error}")

    def stop(self, grace_s: float | None = None) -> None:
        """SIGTERM to every worker by pid, SIGKILL to any still there after
        ``grace_s``; then the scratch directory goes."""
        limits = self.spec["limits"]
        grace_s = grace_s or limits["timeout_s"] + limits["read_timeout_s"] + 10
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for worker in self.workers:
            try:
                worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=30)
        shutil.rmtree(self.scratch, ignore_errors=True)
