"""The server under abuse: a body that never arrives, more connections than the
cap, SIGTERM. One ``rnn-apps serve`` child process on 127.0.0.1, stopped by
its own pid; every socket has a timeout."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

READ_TIMEOUT = 1.0
CAP = 4


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answer(sock, limit=15.0) -> bytes:
    """Everything the server sends until it closes (or ``limit`` seconds pass)."""
    sock.settimeout(limit)
    data, deadline = b"", time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def test_slow_body_gets_408_connections_are_capped_and_sigterm_cleans_up(saved_sentiment,
                                                                        tmp_path):
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TMPDIR": str(scratch_root)}
    server = subprocess.Popen(
        [sys.executable, "-m", "rnn_apps", "serve", "--model", str(saved_sentiment),
         "--port", str(port), "--read-timeout", str(READ_TIMEOUT),
         "--max-connections", str(CAP), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline, ready = time.monotonic() + 180, False
        while not ready and time.monotonic() < deadline and server.poll() is None:
            try:
                ready = httpx.get(f"{url}/health", timeout=5).status_code == 200
            except httpx.TransportError:
                time.sleep(0.5)
        assert ready, server.stderr.read().decode()[-2000:] if server.poll() is not None else ""
        scratch = list(scratch_root.glob("rnn-apps-serve-*"))
        assert len(scratch) == 1 and (scratch[0] / "model" / "saved_model.pb").is_file()

        # Content-Length 100, 28 bytes sent, then silence: 408 and closed
        with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
            slow.sendall(b"POST /v1/models/sentiment:predict HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                         + b'{"instances": ["a fine fil')
            started = time.monotonic()
            reply = answer(slow)
            waited = time.monotonic() - started
        assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
        assert b"did not arrive within 1 s" in reply and waited < READ_TIMEOUT + 5

        # a connection that never sends its head: 408 too
        with socket.create_connection(("127.0.0.1", port), timeout=5) as silent:
            assert answer(silent).startswith(b"HTTP/1.1 408")

        # ten connections against a cap of four: the extra ones are answered 503
        # and closed at once; the held ones are closed after the read timeout
        time.sleep(0.3)
        sockets = [socket.create_connection(("127.0.0.1", port), timeout=5)
                   for _ in range(10)]
        try:
            replies = [answer(sock) for sock in sockets]
        finally:
            for sock in sockets:
                sock.close()
        refused = [r for r in replies if r.startswith(b"HTTP/1.1 503")]
        timed_out = [r for r in replies if r.startswith(b"HTTP/1.1 408")]
        assert len(refused) >= 10 - CAP and len(refused) + len(timed_out) == 10, replies
        assert all(b"more than 4 connections" in r for r in refused)

        reply = httpx.post(f"{url}/v1/models/sentiment:predict",
                           json={"instances": ["a fine film"]}, timeout=30)
        assert reply.status_code == 200 and reply.json()["predictions"][0]["label"]

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert "stopped (SIGTERM)" in server.stderr.read().decode()
        assert not scratch[0].exists()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
