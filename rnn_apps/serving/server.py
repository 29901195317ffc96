"""The HTTP server around the application: uvicorn with a guarded connection.

uvicorn alone holds a connection for as long as its client likes while the
request's head has not arrived, and holds any number of them. The guarded
protocol gives each new request ``read_timeout_s`` to arrive (then answers
408 and closes) and refuses connections beyond ``max_connections`` at once
(503, closed). A request whose head arrived but whose body stalls is answered
408 by the application (:func:`rnn_apps.serving.app.read_body`), under the
same timeout.

uvicorn by itself re-raises SIGTERM after its shutdown, which kills the
process before any ``finally`` clause runs; the server here leaves signals to
the worker (:mod:`rnn_apps.serving.worker`), which stops REST and gRPC and
closes the models (removing their scratch SavedModels).
"""

from __future__ import annotations

import contextlib
import json
import math
import signal
import socket
import threading

from uvicorn.protocols.http import h11_impl

try:  # httptools parses HTTP in C: the faster protocol when installed (serve extra)
    from uvicorn.protocols.http import httptools_impl
except ImportError:  # pragma: no cover
    httptools_impl = None

# What the guard relies on in uvicorn's HTTP protocols, checked at import so a
# uvicorn that changed it fails here, not silently under load.
for _module in filter(None, (h11_impl, httptools_impl)):
    _protocol = next(getattr(_module, n) for n in ("HttpToolsProtocol", "H11Protocol")
                     if hasattr(_module, n))
    for _kind, _names in ((_protocol, ("connection_made", "connection_lost", "data_received",
                                       "connections", "cycle", "loop", "transport")),
                          (_module.RequestResponseCycle, ("response_complete",))):
        for _name in _names:
            if not (hasattr(_kind, _name) or _name in _kind.__init__.__code__.co_names):
                raise ImportError(f"uvicorn's {_kind.__name__} has no {_name!r}; rnn-apps' "
                                  "server guard does not support this uvicorn version")


def raw_answer(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection: ``{"error": message}``."""
    body = json.dumps({"error": message}).encode()
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


class Guard:
    """Mixed into uvicorn's HTTP protocol: a connection cap and a read timeout
    (class attributes, set by :func:`guarded_protocol`)."""

    max_connections = 128
    read_timeout_s = 10.0

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._read_timer = None
        if len(self.connections) > self.max_connections:
            transport.write(raw_answer(503, "Service Unavailable",
                                       f"more than {self.max_connections} connections are "
                                       "open; try again later"))
            transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._read_timer is None and self._between_requests():
            self._arm()  # the first bytes of a request after a kept-alive one
        super().data_received(data)
        if not self._between_requests():
            self._disarm()  # the head arrived: the application times the body

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(self.read_timeout_s, self._timed_out)

    def _disarm(self) -> None:
        if getattr(self, "_read_timer", None) is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _timed_out(self) -> None:
        self._read_timer = None
        if self.transport.is_closing() or not self._between_requests():
            return
        self.transport.write(raw_answer(408, "Request Timeout",
                                        f"the request did not arrive within "
                                        f"{self.read_timeout_s:g} s"))
        self.transport.close()


def guarded_protocol(max_connections: int, read_timeout_s: float) -> type:
    """The guard on httptools' protocol when it is installed, on h11's otherwise."""
    base = httptools_impl.HttpToolsProtocol if httptools_impl else h11_impl.H11Protocol
    return type("GuardedProtocol", (Guard, base),
                {"max_connections": int(max_connections),
                 "read_timeout_s": float(read_timeout_s)})


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, leaving SIGINT and SIGTERM to the worker
        (:func:`rnn_apps.serving.worker.serve_models`), which also stops gRPC."""

        @contextlib.contextmanager
        def capture_signals(self):
            yield

    return Server


def make_server(app, limits, host: str = "127.0.0.1", port: int = 8501):
    """A ``uvicorn.Server`` for ``app`` with the guard of ``limits``; shutting
    down waits for running requests at most their timeout."""
    import uvicorn

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False,
        http=guarded_protocol(limits.max_connections, limits.read_timeout_s),
        timeout_graceful_shutdown=math.ceil(limits.timeout_s + limits.read_timeout_s))
    return _server_class()(config)


def listen_socket(host: str, port: int, reuse_port: bool = False,
                  listen: bool = True) -> socket.socket:
    """A listening TCP socket; with ``reuse_port`` several worker processes
    listen on the same port (SO_REUSEPORT) and the kernel spreads the
    connections among them. ``listen=False`` only binds (the supervisor holds
    the port so, and learns which one port 0 gave)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port,
                                                         type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        if listen:
            sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


class Stopped(BaseException):
    """SIGTERM arrived; raised where the process is, so ``finally`` clauses run."""


def _stop(signum, frame):
    raise Stopped()


@contextlib.contextmanager
def sigterm_stops():
    """Within: SIGTERM raises :class:`Stopped` (in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
