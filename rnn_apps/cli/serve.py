"""``rnn-apps serve``: a model over HTTP in TensorFlow Serving's REST format."""

from __future__ import annotations

import click


@click.command()
@click.option("--model", "model_dir", required=True,
              help="A model directory, an exported SavedModel, or a base directory of "
                   "numbered versions (the highest is served).")
@click.option("--name", default=None, help="Model name in the URLs (default: the task's name).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 makes the model reachable from other "
                   "machines).")
@click.option("--port", type=click.IntRange(0, 65535), default=8501, show_default=True)
@click.option("--max-batch", type=click.IntRange(min=1), default=64, show_default=True,
              help="Instances run together at most (requests arriving together are batched).")
@click.option("--batch-wait-ms", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="How long a batch waits for more requests. At 0, a request runs at once "
                   "when the model is idle, and requests arriving while it is busy form "
                   "the next batch (the fastest setting measured on 2 cores).")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=1 << 20,
              show_default=True, help="Largest request body.")
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
              show_default=True, help="Open connections at most; more are answered 503 "
                                      "and closed at once.")
def serve(model_dir, name, host, port, max_batch, batch_wait_ms, max_body_bytes,
          max_instances, max_text_chars, max_generation_length, timeout_s, read_timeout_s,
          max_connections):
    """Serve a model over HTTP: POST /v1/models/NAME:predict with {"instances": [...]}
    (TensorFlow Serving's REST API), GET /v1/models/NAME/metadata, GET /health,
    OpenAPI docs at /docs. SIGTERM or Ctrl+C stops it cleanly."""
    from rnn_apps.errors import RnnAppsError
    from rnn_apps.serving.limits import Limits

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise RnnAppsError("serving needs FastAPI and uvicorn: pip install "
                           "'rnn-apps[serve]'") from None
    from rnn_apps.serving.app import create_app
    from rnn_apps.serving.servable import load_servable
    from rnn_apps.serving.server import Stopped, make_server, serve_until_stopped, sigterm_stops

    check_address(host, port)
    limits = Limits(max_body_bytes=max_body_bytes, max_instances=max_instances,
                    max_text_chars=max_text_chars, max_generation_length=max_generation_length,
                    timeout_s=timeout_s, max_batch=max_batch, batch_wait_ms=batch_wait_ms,
                    read_timeout_s=read_timeout_s, max_connections=max_connections)
    with sigterm_stops():  # SIGTERM unwinds, so the scratch export is removed
        try:
            servable = load_servable(model_dir, name=name, limits=limits)
        except Stopped:
            click.echo("stopped (SIGTERM) while loading the model", err=True)
            return
        try:
            server = make_server(create_app(servable, limits), limits, host, port)
        except BaseException:
            servable.close()
            raise
        click.echo(f"serving {servable.task} model {servable.name!r} (version "
                   f"{servable.version}) on http://{host}:{port}/v1/models/{servable.name}",
                   err=True)
        if serve_until_stopped(server, servable):
            click.echo("stopped (SIGTERM)", err=True)


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
