"""What the `parceria` commands that judge "as of a day" share: the `--today YYYY-MM-DD` option and its parsing
(a bad date is a CommandError naming the option, never a traceback)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

JUDGE_FROM = "The day to judge from (YYYY-MM-DD; default: today)."


def add_today_argument(parser: CommandParser, help: str = JUDGE_FROM) -> None:
    parser.add_argument("--today", default=None, help=help)


def given_day(options: dict[str, Any]) -> date | None:
    """The day `--today` names, or None when it was not given."""
    text = options.get("today")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today must be a date (YYYY-MM-DD), not {text!r}") from None


def today_option(options: dict[str, Any]) -> date:
    """The day `--today` names, else today in the platform's time zone."""
    return given_day(options) or timezone.localdate()
