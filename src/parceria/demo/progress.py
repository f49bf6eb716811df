"""How the demo generator reports progress: a small protocol, drawn as a rich progress bar by the command."""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    """Receives the phases of a demo load and the work done in each."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, n: int = 1, *, note: str = "") -> None: ...


class NoProgress:
    """Reports nothing (--quiet, tests, benchmarks)."""

    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1, *, note: str = "") -> None:
        pass
