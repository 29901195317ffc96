"""``rnn-apps serve``: models over HTTP (and gRPC) in TensorFlow Serving's formats,
in one process or several workers."""

from __future__ import annotations

import os

import click


@click.command()
@click.option("--model", "model_dir", default=None,
              help="A model directory, an exported SavedModel, or a base directory of "
                   "numbered versions (the highest is served, and a new one is picked up "
                   "while serving).")
@click.option("--config", "config_file", default=None,
              help="A models.json naming several models to serve: {\"models\": [{\"name\": "
                   "..., \"base_path\": ..., \"version_policy\": \"latest\" | {\"latest\": N} "
                   "| {\"specific\": [versions]} | \"all\"}]} (instead of --model).")
@click.option("--name", default=None, help="Model name in the URLs (default: the task's name; "
                                           "with --model only).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 makes the model reachable from other "
                   "machines).")
@click.option("--port", type=click.IntRange(0, 65535), default=8501, show_default=True,
              help="REST port (0: a free one).")
@click.option("--grpc-port", type=click.IntRange(0, 65535), default=None,
              help="Also answer TensorFlow Serving's gRPC API (PredictionService, "
                   "ModelService) on this port (0: a free one).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes serving the same ports, each holding the models "
                   "[default: the number of cores].")
@click.option("--poll-seconds", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="How often base directories are checked for new versions (0: never). "
                   "A new version is loaded beside the old one, which serves until it is "
                   "ready.")
@click.option("--max-batch", type=click.IntRange(min=1), default=64, show_default=True,
              help="Instances run together at most (requests arriving together are batched).")
@click.option("--batch-wait-ms", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="How long a batch waits for more requests. At 0, a request runs at once "
                   "when the model is idle, and requests arriving while it is busy form "
                   "the next batch (the fastest setting measured on 2 cores).")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=1 << 20,
              show_default=True, help="Largest request body (or gRPC message).")
@click.option("--max-instances", type=click.IntRange(min=1), default=256, show_default=True,
              help="Instances per request at most.")
@click.option("--max-text-chars", type=click.IntRange(min=1), default=10_000,
              show_default=True, help="Longest text (characters; tokens or frames for tagging).")
@click.option("--max-generation-length", type=click.IntRange(min=1), default=1_000,
              show_default=True, help="Longest output a request may ask for (textgen "
                                      "characters, seq2seq tokens).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0.001), default=30.0,
              show_default=True, help="Seconds before a request is answered 504.")
@click.option("--read-timeout", "read_timeout_s", type=click.FloatRange(min=0.001),
              default=10.0, show_default=True,
              help="Seconds a request may take to arrive (head and body) before it is "
                   "answered 408 and its connection closed.")
@click.option("--max-connections", type=click.IntRange(min=1), default=128,
              show_default=True, help="Open connections (or concurrent gRPC calls) per "
                                      "worker at most; more are refused at once.")
def serve(model_dir, config_file, name, host, port, grpc_port, workers, poll_seconds,
          max_batch, batch_wait_ms, max_body_bytes, max_instances, max_text_chars,
          max_generation_length, timeout_s, read_timeout_s, max_connections):
    """Serve models over HTTP in TensorFlow Serving's REST API: POST
    /v1/models/NAME:predict with {"instances": [...]}, GET /v1/models/NAME[/metadata],
    GET /health, OpenAPI docs at /docs; with --grpc-port, its gRPC API as well.
    SIGTERM or Ctrl+C stops it (and every worker) cleanly."""
    from rnn_apps.errors import RnnAppsError
    from rnn_apps.serving.config import one_model, read_config
    from rnn_apps.serving.limits import Limits
    from rnn_apps.serving.worker import spec_of

    if (model_dir is None) == (config_file is None):
        raise click.UsageError("give exactly one of --model and --config")
    if name is not None and config_file is not None:
        raise click.UsageError("--name goes with --model (a config file names its models)")
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise RnnAppsError("serving needs FastAPI and uvicorn: pip install "
                           "'rnn-apps[serve]'") from None
    # everything below, up to loading the models, runs without TensorFlow
    if grpc_port is not None and grpc_port == port and port:
        raise click.UsageError("--grpc-port must differ from --port")
    for number in (port, grpc_port):
        if number:
            check_address(host, number)
    configs = one_model(model_dir, name) if model_dir is not None else read_config(config_file)
    check_models(configs)
    workers = workers or len(os.sched_getaffinity(0))
    if grpc_port is not None:
        check_grpc()
    limits = Limits(max_body_bytes=max_body_bytes, max_instances=max_instances,
                    max_text_chars=max_text_chars, max_generation_length=max_generation_length,
                    timeout_s=timeout_s, max_batch=max_batch, batch_wait_ms=batch_wait_ms,
                    read_timeout_s=read_timeout_s, max_connections=max_connections)
    if workers == 1:
        serve_here(spec_of(configs, limits, host, port, grpc_port, poll_seconds))
    else:
        serve_workers(configs, limits, host, port, grpc_port, poll_seconds, workers)


def check_models(configs) -> None:
    """A one-line error, before TensorFlow loads, for a model that is missing,
    not a model, damaged, or of a task nothing serves."""
    from rnn_apps.core.model_info import check_served_model

    for config in configs:
        for path in config.required().values():
            check_served_model(path)


def check_grpc() -> None:
    from rnn_apps.errors import RnnAppsError

    try:
        import grpc  # noqa: F401
        import tensorflow_serving  # noqa: F401
    except ImportError:
        raise RnnAppsError("gRPC serving needs grpcio and tensorflow-serving-api: pip "
                           "install 'rnn-apps[serve]'") from None


def serve_here(spec: dict) -> None:
    """One process: load the models, serve until SIGINT or SIGTERM."""
    from rnn_apps.serving.server import Stopped, sigterm_stops
    from rnn_apps.serving.worker import load_models, run

    with sigterm_stops():  # SIGTERM unwinds, so scratch exports are removed
        try:
            models = load_models(spec)
        except Stopped:
            click.echo("stopped (SIGTERM) while loading the model", err=True)
            return

    def ready(rest_port, grpc_port):
        names = ", ".join(repr(name) for name in models.names())
        grpc = f" and gRPC on {spec['host']}:{grpc_port}" if grpc_port else ""
        click.echo(f"serving {names} on http://{spec['host']}:{rest_port}/v1/models/"
                   f"{models.names()[0]}{grpc}", err=True)

    stopped = run(models, spec, ready=ready)
    if stopped:
        click.echo(f"stopped ({stopped})", err=True)


def serve_workers(configs, limits, host, port, grpc_port, poll_seconds, workers) -> None:
    """A supervisor (no TensorFlow here) over ``workers`` processes."""
    from rnn_apps.serving.worker import spec_of
    from rnn_apps.serving.workers import Supervisor, reserve_port

    holders = []
    try:
        rest, port = reserve_port(host, port)
        holders.append(rest)
        if grpc_port is not None:
            held, grpc_port = reserve_port(host, grpc_port)
            holders.append(held)
        # each worker's TensorFlow takes its share of the cores, not all of them
        threads = max(1, len(os.sched_getaffinity(0)) // workers)
        spec = spec_of(configs, limits, host, port, grpc_port, poll_seconds, threads)
        grpc = f" and gRPC on {host}:{grpc_port}" if grpc_port is not None else ""
        click.echo(f"starting {workers} workers for http://{host}:{port}{grpc}", err=True)
        stopped = Supervisor(spec, workers, echo=lambda line: click.echo(line, err=True)).run()
        click.echo(f"stopped ({stopped})", err=True)
    finally:
        for holder in holders:
            holder.close()


def check_address(host: str, port: int) -> None:
    """A one-line error, before the model is loaded, when ``host:port`` cannot be
    listened on (taken, or not an address of this machine)."""
    import socket

    from rnn_apps.errors import RnnAppsError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise RnnAppsError(f"cannot listen on {host}:{port}: {error}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise RnnAppsError(f"cannot listen on {host}:{port}: "
                               f"{error.strerror or error}") from None
