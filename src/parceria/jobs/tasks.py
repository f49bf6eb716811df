"""The jobs app's own background task: a `parceria` command run by a worker instead of in the request or the
schedule's process (the command is named, never imported: jobs sits below the apps that own the commands)."""

from __future__ import annotations

import io

from django.core.management import call_command, get_commands

from parceria.jobs.retry import retrying_task

OUTPUT_KEPT = 4000


class UnknownCommand(Exception):
    """The named command does not exist in this installation."""


@retrying_task(max_attempts=3, backoff_seconds=60)
def run_command(name: str, args: list[str] | None = None) -> str:
    """Run `parceria <name> <args…>` and return the end of its output; a command that fails (raises or exits
    non-zero) fails the task, which is retried like any other."""
    command = name.replace("-", "_")
    if command not in get_commands():
        raise UnknownCommand(f"no command {name!r} in this installation")
    out = io.StringIO()
    try:
        call_command(command, *(args or []), stdout=out, stderr=out)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"parceria {name} exited with status {exc.code}: {out.getvalue()[-500:]}") from exc
    return out.getvalue()[-OUTPUT_KEPT:]
