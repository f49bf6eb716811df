"""CPU seconds used by process trees on this machine, read from /proc (Linux), to say what bounds a run.

A tree's CPU is its root's own time plus the time of the children it has reaped (cutime/cstime) plus
the time of its live children, so workers that come and go (autovacuum, gunicorn restarts) are counted.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on; the name may hold spaces


def parent_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def _children(root: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and parent_of(int(entry.name)) == root:
            found.append(int(entry.name))
    return found


def tree_cpu_seconds(root: int) -> float | None:
    """utime + stime of `root`, of its reaped children and of its live children; None if it is not visible."""
    fields = _stat_fields(root)
    if fields is None:
        return None
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    for child in _children(root):
        child_fields = _stat_fields(child)
        if child_fields:
            ticks += int(child_fields[11]) + int(child_fields[12])
    return ticks / _TICKS


def process_cpu_seconds(pid: int) -> float | None:
    """CPU time of one process with nanosecond resolution (/proc/PID/schedstat), or None."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class CpuMeter:
    """CPU used by the benchmark client (this process), the server tree and the database tree over a phase."""

    server_pid: int | None
    database_pid: int | None
    started: tuple[float, float | None, float | None, float] = (0.0, None, None, 0.0)

    def _sample(self) -> tuple[float, float | None, float | None, float]:
        server = tree_cpu_seconds(self.server_pid) if self.server_pid else None
        database = tree_cpu_seconds(self.database_pid) if self.database_pid else None
        return time.process_time(), server, database, time.perf_counter()

    def start(self) -> None:
        self.started = self._sample()

    def stop(self) -> dict[str, float | None]:
        client, server, database, wall = self._sample()
        seconds = wall - self.started[3]

        def used(now: float | None, before: float | None) -> float | None:
            return round(now - before, 2) if now is not None and before is not None else None

        return {
            "cpu_client_s": used(client, self.started[0]), "cpu_server_s": used(server, self.started[1]),
            "cpu_postgres_s": used(database, self.started[2]),
            "cpu_capacity_s": round(seconds * (os.cpu_count() or 1), 2),
        }
