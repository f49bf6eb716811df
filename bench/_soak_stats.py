"""The soak test's measurements (bench/_soak.py): the resident memory of the server's processes sampled from /proc,
the "no growth after warm-up" verdict on each series, and the latency figures of a kind of request.

Memory: VmRSS of /proc/<pid>/status (resident pages, shared ones included) of the gunicorn master, of each of its
workers (its children), and of the PostgreSQL server (the postmaster and all its children, backends included,
summed), with RssAnon (private memory) beside it.

Verdict: the run is cut in thirds; samples in the warm-up are left out; the median of the last third is compared
with the median of the second third, and growth of `limit_pct` or more fails. A third needs MIN_SAMPLES samples
(a run of 2.5 minutes or more at one sample every 10 s), else the series is not judged: a median of two or three
samples says little, and PostgreSQL's private memory rises and falls with each backend's life (a minute).

A gunicorn process is judged on its VmRSS. The PostgreSQL sum is judged on RssAnon: a PostgreSQL process's VmRSS
also counts every page of shared_buffers it has touched so far (RssShmem), so the sum counts those pages once per
process, climbs as the checkpointer, the background writer and each backend reach more of the buffer pool (up to
shared_buffers each, however steady the server), and drops whenever a backend is replaced (a gunicorn worker
reconnects every PARCERIA_DB_CONN_MAX_AGE seconds). What can leak in PostgreSQL (backends' caches, work memory) is
private.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from _common import percentile
from _cpu import _children

STATUS_FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")
MIN_SAMPLES = 5  # in each of the two thirds compared


def status_kb(text: str) -> dict[str, int]:
    """The memory fields of a /proc/<pid>/status text, in KiB ("VmRSS:\\t  123456 kB" → {"VmRSS": 123456})."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name in STATUS_FIELDS:
            parts = value.split()
            if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
                found[name] = int(parts[0])
    return found


def read_status_kb(pid: int) -> dict[str, int] | None:
    """The memory fields of a live process, or None when it is gone (or is a zombie, which has no VmRSS)."""
    try:
        fields = status_kb(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None
    return fields if "VmRSS" in fields else None


@dataclass
class Series:
    """One process (or the sum of a group of processes) over time: seconds since the start, KiB. The verdict is on
    `judged` ("VmRSS", or "RssAnon": private memory only)."""

    label: str
    pid: int
    judged: str = "VmRSS"
    t_s: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    anon_kb: list[int] = field(default_factory=list)
    processes: list[int] = field(default_factory=list)  # how many processes each sample summed

    def add(self, t: float, fields: Sequence[dict[str, int]]) -> None:
        self.t_s.append(round(t, 1))
        self.rss_kb.append(sum(f["VmRSS"] for f in fields))
        self.anon_kb.append(sum(f.get("RssAnon", 0) for f in fields))
        self.processes.append(len(fields))


@dataclass(frozen=True)
class Growth:
    second_third_kb: float
    last_third_kb: float
    samples: tuple[int, int]  # in the second third, in the last third

    @property
    def pct(self) -> float:
        return (self.last_third_kb - self.second_third_kb) / self.second_third_kb * 100

    def ok(self, limit_pct: float) -> bool:
        return self.pct < limit_pct


def growth(t_s: Sequence[float], values: Sequence[float], *, duration_s: float, warm_up_s: float,
           min_samples: int = MIN_SAMPLES) -> Growth | None:
    """Medians of the second and the last third of the run (samples before `warm_up_s` left out); None when a third
    has fewer than `min_samples` samples (a process that came or went, a run too short for its sampling interval)."""
    second = [v for t, v in zip(t_s, values, strict=True) if max(warm_up_s, duration_s / 3) <= t < duration_s * 2 / 3]
    last = [v for t, v in zip(t_s, values, strict=True) if t >= max(warm_up_s, duration_s * 2 / 3)]
    if len(second) < max(1, min_samples) or len(last) < max(1, min_samples):
        return None
    return Growth(statistics.median(second), statistics.median(last), (len(second), len(last)))


Probe = Callable[[], float | None]


class RssSampler:
    """Samples the memory of the gunicorn master, of each worker and of the PostgreSQL server (postmaster and
    children summed) every `interval_s` seconds in a thread, from start() to stop() (which takes a last sample);
    at the same moments, the `probes` (cumulative counters, e.g. CPU seconds) into `readings`."""

    def __init__(self, server_pid: int, postmaster_pid: int | None, interval_s: float,
                 probes: Mapping[str, Probe] | None = None) -> None:
        self.server_pid = server_pid
        self.postmaster_pid = postmaster_pid
        self.interval_s = interval_s
        self.series: dict[int, Series] = {}  # by pid; PostgreSQL under its postmaster's pid
        self.probes = dict(probes or {})
        self.ticks: list[float] = []
        self.readings: dict[str, list[float | None]] = {name: [] for name in self.probes}
        self.started = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self.started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval_s):
                return

    def _add(self, pid: int, label: str, t: float, fields: Sequence[dict[str, int]], judged: str = "VmRSS") -> None:
        if fields:
            self.series.setdefault(pid, Series(label, pid, judged)).add(t, fields)

    def sample(self) -> None:
        t = time.monotonic() - self.started
        self.ticks.append(round(t, 1))
        for name, probe in self.probes.items():
            self.readings[name].append(probe())
        master = read_status_kb(self.server_pid)
        self._add(self.server_pid, "gunicorn master", t, [master] if master else [])
        for worker in sorted(_children(self.server_pid)):
            fields = read_status_kb(worker)
            self._add(worker, "gunicorn worker", t, [fields] if fields else [])
        if self.postmaster_pid is not None:
            group = [self.postmaster_pid, *_children(self.postmaster_pid)]
            found = [f for f in (read_status_kb(pid) for pid in group) if f is not None]
            self._add(self.postmaster_pid, "postgresql (postmaster + children)", t, found, judged="RssAnon")


def mb(kb: float) -> float:
    return round(kb / 1024, 1)


def rss_record(series: Series, *, duration_s: float, warm_up_s: float, limit_pct: float,
               min_samples: int = MIN_SAMPLES) -> dict[str, Any]:
    """One JSON line for a series: the samples, first and last, the medians of the thirds (VmRSS), the growth of
    VmRSS and of RssAnon, and the verdict on the one judged (ok None: not judged, a third had too few samples)."""
    rss = growth(series.t_s, series.rss_kb, duration_s=duration_s, warm_up_s=warm_up_s, min_samples=min_samples)
    anon = growth(series.t_s, series.anon_kb, duration_s=duration_s, warm_up_s=warm_up_s, min_samples=min_samples)
    judged = anon if series.judged == "RssAnon" else rss
    return {
        "process": series.label, "pid": series.pid, "samples": len(series.t_s), "t_s": series.t_s,
        "rss_mb": [mb(v) for v in series.rss_kb], "anon_mb": [mb(v) for v in series.anon_kb],
        **({"processes": series.processes} if max(series.processes, default=1) > 1 else {}),
        "first_mb": mb(series.rss_kb[0]), "last_mb": mb(series.rss_kb[-1]), "max_mb": mb(max(series.rss_kb)),
        "second_third_median_mb": None if rss is None else mb(rss.second_third_kb),
        "last_third_median_mb": None if rss is None else mb(rss.last_third_kb),
        "growth_pct": None if rss is None else round(rss.pct, 2),
        "anon_second_third_median_mb": None if anon is None else mb(anon.second_third_kb),
        "anon_last_third_median_mb": None if anon is None else mb(anon.last_third_kb),
        "anon_growth_pct": None if anon is None else round(anon.pct, 2),
        "judged": series.judged, "limit_pct": limit_pct, "ok": None if judged is None else judged.ok(limit_pct),
    }


def deltas(readings: Sequence[float | None]) -> list[float | None]:
    """What a cumulative counter added between consecutive readings (None where a reading is missing)."""
    return [None if a is None or b is None else round(b - a, 2) for a, b in pairwise(readings)]


# --- latency ---------------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Requests of one kind (or one endpoint): each answer's latency, and the errors with a few samples."""

    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    def merge(self, other: Tally, *, max_samples: int = 5) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.latencies += other.latencies
        self.error_samples += other.error_samples[: max(0, max_samples - len(self.error_samples))]


def merged(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


def figures(tally: Tally, seconds: float) -> dict[str, Any]:
    """Requests, throughput, p50/p99/max latency in ms and errors of a tally over `seconds` of load."""
    def ms(value: float) -> float | None:
        return None if value != value else round(value * 1000, 1)  # NaN (no answer at all) → None

    return {
        "requests": tally.requests, "requests_per_s": round(tally.requests / seconds, 1) if seconds > 0 else None,
        "p50_ms": ms(percentile(tally.latencies, 50)), "p99_ms": ms(percentile(tally.latencies, 99)),
        "max_ms": ms(max(tally.latencies, default=float("nan"))), "errors": tally.errors,
    }
