"""One serving process: the models loaded, REST (and gRPC when asked) on one
event loop, until SIGINT or SIGTERM.

``rnn-apps serve`` runs this in its own process with one worker; with
``--workers N`` the supervisor (:mod:`rnn_apps.serving.workers`) starts N of
them as ``python -m rnn_apps.serving.worker SPEC`` (SPEC a JSON object), all
listening on the same ports (SO_REUSEPORT). A worker started so reports
``ready`` or ``error <one line>`` on its standard output.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from rnn_apps.serving.config import ModelConfig
from rnn_apps.serving.limits import Limits


def spec_of(configs, limits: Limits, host: str, port: int, grpc_port, poll_s: float,
            threads: int | None = None) -> dict:
    """What a worker process needs, as JSON-ready values; ``threads`` caps
    TensorFlow's thread pools (workers sharing the cores)."""
    return {"models": [{**asdict(c), "base_path": str(c.base_path)} for c in configs],
            "limits": asdict(limits), "host": host, "port": port, "grpc_port": grpc_port,
            "poll_s": poll_s, "threads": threads}


def load_models(spec: dict):
    from rnn_apps.serving.models import ModelSet

    if spec.get("threads"):  # before TensorFlow's runtime starts
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(spec["threads"])
        tf.config.threading.set_inter_op_parallelism_threads(spec["threads"])
    configs = [ModelConfig(m["name"], Path(m["base_path"]), m["latest"], tuple(m["specific"]))
               for m in spec["models"]]
    return ModelSet(configs, Limits(**spec["limits"]), spec["poll_s"]).load()


async def serve_models(models, spec: dict, reuse_port: bool = False, ready=None):
    """Serve until SIGINT/SIGTERM (or ``should_exit``); the name of the signal that
    stopped it, or None.
    ``ready(rest_port, grpc_port)`` is called once both listen."""
    from rnn_apps.serving.app import create_app
    from rnn_apps.serving.server import listen_socket, make_server

    limits = Limits(**spec["limits"])
    host = spec["host"]
    rest = make_server(create_app(models, limits), limits, host, spec["port"])
    stopped = []

    def stop(signum):
        stopped.append(signum)
        rest.should_exit = True

    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop, signum)
    sock = listen_socket(host, spec["port"], reuse_port)
    grpc_server = None
    models.start()
    try:
        grpc_port = spec.get("grpc_port")
        if grpc_port is not None:
            from rnn_apps.serving.grpc_api import start_grpc

            grpc_server, grpc_port = await start_grpc(models, limits, host, grpc_port,
                                                      reuse_port)
        serving = loop.create_task(rest.serve(sockets=[sock]))
        while not rest.started and not serving.done():
            await asyncio.sleep(0.02)
        if rest.started and ready is not None:
            ready(sock.getsockname()[1], grpc_port)
        await serving
    finally:
        if grpc_server is not None:
            await grpc_server.stop(limits.timeout_s)
        await models.stop()
        sock.close()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
    return signal.Signals(stopped[0]).name if stopped else None


def run(models, spec: dict, reuse_port: bool = False, ready=None):
    """:func:`serve_models` on uvloop when installed (as uvicorn picks it)."""
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(serve_models(models, spec, reuse_port, ready))


def _follow_parent(every_s: float = 0.5) -> None:
    """SIGTERM to this worker once its supervisor is gone (even killed outright),
    so no worker outlives it."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(every_s)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def main(argv=None) -> int:
    """A worker process of ``serve --workers N``."""
    from rnn_apps.errors import RnnAppsError
    from rnn_apps.serving.server import Stopped, sigterm_stops

    spec = json.loads((argv or sys.argv[1:])[0])

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    _follow_parent()
    with sigterm_stops():
        try:
            models = load_models(spec)
        except Stopped:
            return 0
        except Exception as error:  # noqa: BLE001 (reported to the supervisor in one line)
            text = str(error) if isinstance(error, RnnAppsError) else \
                f"{type(error).__name__}: {error}"
            say("error " + " ".join(text.split())[:500])
            return 1
    run(models, spec, reuse_port=True, ready=lambda *ports: say("ready"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
