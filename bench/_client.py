"""The load generator: a few threads POSTing pre-serialised batches to 127.0.0.1 over http.client.

Connections are kept alive when the server allows it (gunicorn's sync workers close after each response;
http.client then reconnects on the next request)."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import orjson

from _common import LOOPBACK, run_threads

EVENTS_PATH = "/api/v1/events"


@dataclass
class PostResult:
    seconds: float = 0.0
    requests: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    rejection_samples: list[object] = field(default_factory=list)


class _Poster:
    def __init__(self, port: int, api_key: str, bodies: Iterable[bytes]) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        self.bodies: Iterator[bytes] = iter(bodies)
        self.lock = threading.Lock()
        self.result = PostResult()

    def _take(self) -> bytes | None:
        with self.lock:
            return next(self.bodies, None)

    def _record(self, status: int, data: bytes, latency: float) -> None:
        with self.lock:
            self.result.requests += 1
            self.result.latencies.append(latency)
            if status != 200:
                self.result.errors.append(f"HTTP {status}: {data[:300]!r}")
                return
            answer = orjson.loads(data)
            self.result.accepted += answer["accepted"]
            self.result.duplicates += answer["duplicates"]
            self.result.rejected += len(answer["rejected"])
            if answer["rejected"] and len(self.result.rejection_samples) < 5:
                self.result.rejection_samples.extend(answer["rejected"][:2])

    def worker(self) -> None:
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=300)
        try:
            while (body := self._take()) is not None:
                started = time.perf_counter()
                conn.request("POST", EVENTS_PATH, body=body, headers=self.headers)
                response = conn.getresponse()
                data = response.read()
                self._record(response.status, data, time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as exc:
            with self.lock:
                self.result.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()


def post_batches(port: int, api_key: str, bodies: Iterable[bytes], *, threads: int) -> PostResult:
    """Send every body once, `threads` requests at a time; wall time covers the first send to the last answer.
    `bodies` may be a generator (taken from under a lock, one body per request): the sending ends when it does."""
    poster = _Poster(port, api_key, bodies)
    pool = [threading.Thread(target=poster.worker, name=f"poster-{i}", daemon=True) for i in range(threads)]
    poster.result.seconds = run_threads(pool)
    return poster.result


def warm_up(port: int, api_key: str, *, requests: int) -> None:
    """Empty batches through every worker, so that imports and connections are not part of the timing."""
    result = post_batches(port, api_key, [b'{"events": []}'] * requests, threads=min(requests, 4))
    if result.errors:
        raise RuntimeError(f"warm-up failed: {result.errors[:3]}")
