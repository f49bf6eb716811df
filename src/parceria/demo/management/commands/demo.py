"""`parceria demo`: load the demo partner program and print the demo logins (idempotent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from parceria.analytics.rollup import ensure as rollup_ensure
from parceria.common.audit import Actor
from parceria.common.errors import InvalidInput, ParceriaError
from parceria.common.months import parse_month
from parceria.demo.generator import ACTOR_LABEL, DemoSummary, generate
from parceria.demo.logins import (
    DEMO_PASSWORD,
    Login,
    demo_finish,
    demo_loaded,
    demo_started,
    demo_totp_key,
    existing_logins,
    platform_key_create,
)
from parceria.demo.progress import NoProgress, ProgressSink
from parceria.demo.timeline import previous_month

MAX_PARTNERS = 99_999  # demo tax ids are drawn from a range of 100,000 numbers
MAX_CUSTOMERS = 999_998


class RichProgress:
    """A ProgressSink drawing one rich progress bar per phase."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def phase(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)
        self.task = self.progress.add_task(name, total=total, note="")

    def advance(self, n: int = 1, *, note: str = "") -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=n, note=note)


class Command(BaseCommand):
    help = "Load the demo partner program (deterministic from --seed) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--partners", type=int, default=60)
        parser.add_argument("--customers", type=int, default=5000)
        parser.add_argument("--months", type=int, default=18)
        parser.add_argument(
            "--end-month",
            type=str,
            default=None,
            help="Last month of invoices, YYYY-MM (default: the last full month before today).",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_loaded():
            self.stdout.write("The demo data is already loaded; nothing was changed.\n")
            self._print_logins(existing_logins())
            self.stdout.write(
                "The platform API key was printed when the demo was first loaded (only its hash is stored). "
                "Make another with: parceria create-api-key --scope platform --name NAME"
            )
            return
        if demo_started():
            raise CommandError(
                "An earlier demo load did not finish. Start again from an empty database (with the default "
                "SQLite database: delete var/parceria.sqlite3, then run `parceria migrate`)."
            )
        sizes = self._sizes(options)
        try:
            summary = self._load(sizes, quiet=options["quiet"])
            rollup_ensure()  # the analytics' monthly roll-up built now, not by the first page a visitor opens
            actor = Actor.system(ACTOR_LABEL)
            logins = [demo_finish(actor=actor), *summary.logins]
            raw_key = platform_key_create(actor=actor)
        except ParceriaError as exc:
            raise CommandError(exc.message) from None
        self._print_summary(summary)
        self._print_logins(logins)
        self.stdout.write(f"Platform API key (shown only now): {raw_key}")
        self.stdout.write(
            f"Serve with `parceria serve` and open http://{settings.PARCERIA['SERVE_HOST']}:"
            f"{settings.PARCERIA['SERVE_PORT']}/ (API docs at /api/v1/docs, admin at /admin/)."
        )

    def _sizes(self, options: dict[str, Any]) -> dict[str, Any]:
        checks = (("partners", 1, MAX_PARTNERS), ("customers", 0, MAX_CUSTOMERS), ("months", 1, 240))
        for name, low, high in checks:
            if not low <= options[name] <= high:
                raise CommandError(f"--{name} must be between {low} and {high}")
        try:
            end_month = parse_month(options["end_month"], field="--end-month") if options["end_month"] else None
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        if end_month is not None and end_month > previous_month(timezone.localdate()):
            raise CommandError("--end-month must be a month that has ended (the demo has no events in the future)")
        return {
            "seed": options["seed"],
            "partners": options["partners"],
            "customers": options["customers"],
            "months": options["months"],
            "end_month": end_month,
        }

    def _load(self, sizes: dict[str, Any], *, quiet: bool) -> DemoSummary:
        if quiet:
            return generate(**sizes, progress=NoProgress())
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns) as progress:
            sink: ProgressSink = RichProgress(progress)
            return generate(**sizes, progress=sink)

    def _print_summary(self, s: DemoSummary) -> None:
        write = self.stdout.write
        write(
            f"Demo partner program loaded (seed {s.seed}, invoices {s.first_month} to {s.end_month}) "
            f"in {s.seconds:.1f} s:"
        )
        write(
            f"  {s.partners:,} partners, {s.customers:,} customers, {s.events:,} events, "
            f"{s.ledger_lines:,} ledger lines"
        )
        write("  events: " + ", ".join(f"{kind} {n:,}" for kind, n in s.events_by_type.items()))
        for currency, kinds in s.ledger_by_currency.items():
            accrued, clawed = kinds.get("accrual", Decimal(0)), -kinds.get("clawback", Decimal(0))
            write(f"  {currency} commissions: accrued {accrued:,}, clawed back {clawed:,}, net {accrued - clawed:,}")
        h = s.history
        write(
            f"  {h.closes} monthly closes: {h.payouts:,} payouts, {h.paid:,} paid, {h.failed} failed and paid again "
            f"at the next close; {h.return_files} bank return files imported"
        )
        write(f"  {h.fx_rates:,} FX rates; {h.rejected_events} events rejected by the intake (as sent on purpose)")
        write(
            f"  {h.agreements} agreements, {h.lifecycle_moves} lifecycle moves, {h.lessons} training steps, "
            f"{h.tier_changes} tier changes at the assessment"
        )
        write(f"  {h.program_figures:,} program figures (direct-sales CAC and deals, costs, partner surveys, support)")
        for warning in h.close_warnings[:5]:
            self.stderr.write(f"  close warning: {warning}")
        if s.rejected:
            self.stderr.write(f"  {s.rejected} events were rejected (a bug in the demo generator):")
            for line in s.rejections:
                self.stderr.write(f"    {line}")
        write("")

    def _print_logins(self, logins: list[Login]) -> None:
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max((len(login.username) for login in logins), default=0)
        for login in logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.note}")
        self.stdout.write(
            f"Staff logins also ask for a code from an authenticator app: add the demo TOTP key {demo_totp_key()} "
            "to one (Google Authenticator, Aegis, 1Password, …)."
        )
        self.stdout.write("")
