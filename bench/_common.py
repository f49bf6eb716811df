"""Small helpers shared by the benchmark scripts: logging to stderr, JSON lines to stdout, ports, percentiles,
and the deterministic shape of the benchmark's customers (shared by the seeding and the event generator)."""

from __future__ import annotations

import math
import socket
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import orjson

LOOPBACK = "127.0.0.1"
BENCH_ROOT_NAME = "parceria-bench"

# The benchmark's program: referral partners attribute 80% of customers; integration partners carry usage.
ATTRIBUTED_EVERY = 5  # customer k is direct when k % 5 == 0, attributed otherwise (80%)
ATTRIBUTED_AT = "2025-01-01T00:00:00+00:00"
INTEGRATION_SHARE_RATE = "0.15"

_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress and diagnostics: stderr, with the seconds since the benchmark started."""
    print(f"[{time.monotonic() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def emit(record: dict[str, Any]) -> None:
    """One measurement: one JSON line on stdout."""
    sys.stdout.write(orjson.dumps(record).decode() + "\n")
    sys.stdout.flush()


def run_threads(threads: Sequence[threading.Thread]) -> float:
    """Start every thread, wait for all of them, and return the seconds from the first start to the last end."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0–100) of unsorted values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def customer_external_id(k: int) -> str:
    return f"bench-cust-{k:06d}"


def is_attributed(k: int) -> bool:
    return k % ATTRIBUTED_EVERY != 0


def referrer_of(k: int, referrers: Sequence[int]) -> int | None:
    return referrers[k % len(referrers)] if is_attributed(k) else None
