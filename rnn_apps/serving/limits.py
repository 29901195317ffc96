"""The server's limits and its request errors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one request may ask for, how requests are batched, how long a
    request may take to arrive (``read_timeout_s``: then 408) and how many
    connections may be open at once (``max_connections``: more are refused)."""

    max_body_bytes: int = 1 << 20
    max_instances: int = 256
    max_text_chars: int = 10_000
    max_generation_length: int = 1_000
    timeout_s: float = 30.0
    max_batch: int = 64
    batch_wait_ms: float = 0.0
    read_timeout_s: float = 10.0
    max_connections: int = 128

    def __post_init__(self):
        for name in ("max_body_bytes", "max_instances", "max_text_chars",
                     "max_generation_length", "max_batch", "max_connections"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.timeout_s > 0 or not self.read_timeout_s > 0 or \
                not self.batch_wait_ms >= 0:
            raise ValueError("the timeouts must be positive and the batch wait not negative")


class RequestError(Exception):
    """A request the server refuses: an HTTP status and a one-line message."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
        self.message = " ".join(str(message).split())
