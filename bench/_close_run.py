"""`parceria close MONTH --json`, run in this process as the command line runs it (Django setup, argument
parsing, system checks, the close, the JSON answer), with the time of each phase and of the main steps of
period_close (wrapped through the module's globals; a step that is renamed is simply not reported), the SQL sent through
Django's cursor (COPY goes through the raw psycopg cursor and is not in that figure), the CPU of this process
and of its PostgreSQL backend, and the peak resident memory.

Run by bench/close.py in a fresh subprocess (so the peak memory is the close's own) with the application's
environment; prints one JSON line on stdout. With --profile, period_close runs under cProfile (slower: use
it to see where the time goes, not for the figures) and the profile goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import orjson

from _cpu import process_cpu_seconds
from _profile_intake import _backend_pid, _SqlTimer, _summary, _top

STARTED = time.perf_counter()  # Django is imported later, in main()
CLOSE_STEPS = ("plan_close", "_balances", "_write_payouts", "_post_payout_lines", "audit_record_create")


class Phases:
    """Wraps functions of the close command's module (and its Command.handle) to take the wall time, the CPU
    time of this process and of the PostgreSQL backend while they run; period_close optionally under cProfile."""

    def __init__(self, profiler: cProfile.Profile | None, backend: int | None) -> None:
        self.seconds: dict[str, float] = {}
        self.python_cpu: dict[str, float] = {}
        self.db_cpu: dict[str, float | None] = {}
        self.profiler = profiler
        self.backend = backend

    def _db_cpu(self) -> float | None:
        return process_cpu_seconds(self.backend) if self.backend else None

    def wrap(self, owner: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)
        profiler = self.profiler if name == "period_close" else None

        def timed(*args: Any, **kwargs: Any) -> Any:
            started, cpu, db_cpu = time.perf_counter(), time.process_time(), self._db_cpu()
            try:
                return profiler.runcall(original, *args, **kwargs) if profiler else original(*args, **kwargs)
            finally:
                self.seconds[name] = time.perf_counter() - started
                self.python_cpu[name] = time.process_time() - cpu
                self.db_cpu[name] = _delta(db_cpu, self._db_cpu())

        setattr(owner, name, timed)


def _delta(before: float | None, after: float | None) -> float | None:
    return round(after - before, 3) if before is not None and after is not None else None


def peak_rss_mb() -> float:
    """VmHWM of this process (the most resident memory it has had), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def run_command(month: str, profiler: cProfile.Profile | None) -> tuple[dict[str, Any], Phases, dict[str, Any]]:
    """Run the close command (the command line closes the database connection at its end); returns its JSON
    answer, the phases and the SQL sent."""
    from django.db import connection

    from parceria.cli import main as parceria_main
    from parceria.payouts import close as close_service
    from parceria.payouts.management.commands import close as close_command

    phases = Phases(profiler, _backend_pid(connection))
    phases.wrap(close_command, "period_close")
    phases.wrap(close_command, "plan_as_dict")
    phases.wrap(close_command.Command, "handle")
    for name in CLOSE_STEPS:
        if hasattr(close_service, name):  # steps of period_close, called through the module's globals
            phases.wrap(close_service, name)
    sql, output = _SqlTimer(), io.StringIO()
    started = time.perf_counter()
    with connection.execute_wrapper(sql), redirect_stdout(output):
        parceria_main(["parceria", "close", month, "--json"])
    return orjson.loads(output.getvalue()), phases, {
        "command_s": round(time.perf_counter() - started, 3), "output_bytes": len(output.getvalue()),
        "sql_s": round(sql.seconds, 3), "sql_queries": len(sql.queries),
        "slowest_sql_ms": sorted(sql.queries, reverse=True)[:8],
    }


def _record(setup_s: float, answer: dict[str, Any], phases: Phases, measured: dict[str, Any]) -> dict[str, Any]:
    return {
        "django_setup_s": round(setup_s, 3), **measured,
        "period_close_s": round(phases.seconds["period_close"], 3),
        "answer_to_dict_s": round(phases.seconds["plan_as_dict"], 3), "handle_s": round(phases.seconds["handle"], 3),
        "handle_python_cpu_s": round(phases.python_cpu["handle"], 3),
        "handle_db_backend_cpu_s": phases.db_cpu["handle"],
        "period_close_steps_s": {name: round(seconds, 3) for name, seconds in phases.seconds.items()
                                 if name in CLOSE_STEPS},
        "in_process_s": round(time.perf_counter() - STARTED, 3), "peak_rss_mb": peak_rss_mb(),
        "batch_id": answer["batch_id"], "payouts": len(answer["payouts"]), "carried": len(answer["carried"]),
        "warnings": answer["warnings"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("month", help="YYYY-MM")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--at", help="close as if the clock said this ISO date-time (a program closed monthly)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    import django

    django.setup()
    setup_s = time.perf_counter() - STARTED
    profiler = cProfile.Profile() if args.profile else None
    with contextlib.ExitStack() as stack:
        if args.at:
            import time_machine

            stack.enter_context(time_machine.travel(args.at, tick=True))
        answer, phases, measured = run_command(args.month, profiler)
    record = _record(setup_s, answer, phases, measured)
    if profiler is not None:
        stats = pstats.Stats(profiler)
        print(_top(stats, "cumulative", 40), _top(stats, "tottime", 25), sep="\n", file=sys.stderr)
        record["top_cumulative_ms"] = _summary(stats, 25)
    print(orjson.dumps(record).decode())


if __name__ == "__main__":
    main()
