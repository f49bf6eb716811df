"""The portal benchmark's clients: threads, each with its own keep-alive http.client connection and its own
cookies (signed in as its own partner user), requesting one endpoint for a fixed time and checking every answer.

gunicorn's sync workers close the connection after each response; http.client then reconnects on the next
request, so "keep-alive" here means the client keeps it whenever the server allows it.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import orjson

from _common import LOOPBACK, run_threads

_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
MAX_ERROR_SAMPLES = 5


@dataclass(frozen=True)
class Account:
    """One sampled partner: its user, its partner key, and what its pages must show (from plain SQL)."""

    partner_id: int
    name: str
    currency: str
    lines: int
    balance: Decimal
    first_line_id: int  # the first row of the ledger page (newest line first)
    username: str
    password: str
    api_key: str


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: http.client.HTTPMessage


class Browser:
    """One client connection with its own cookie jar."""

    def __init__(self, port: int, account: Account) -> None:
        self.port = port
        self.account = account
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(LOOPBACK, port, timeout=60)

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | None = None,
                cookies: bool = True) -> Answer:
        sent = dict(headers or {})
        if cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.conn.request(method, path, body=body, headers=sent)
        response = self.conn.getresponse()
        data = response.read()
        if cookies:
            self._keep_cookies(response.headers)
        return Answer(response.status, data, response.headers)

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def reset(self) -> None:
        """After a transport error: drop the connection; the next request opens a new one."""
        self.conn.close()
        self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=60)

    def close(self) -> None:
        self.conn.close()


def sign_in(browser: Browser) -> None:
    """GET /login/ (csrftoken cookie and form field), POST the form: 302 to /portal/ with a sessionid cookie."""
    form = browser.request("GET", "/login/")
    match = _CSRF_FIELD.search(form.body)
    if form.status != 200 or match is None or "csrftoken" not in browser.cookies:
        raise RuntimeError(f"GET /login/ answered {form.status} without a CSRF token: {form.body[:300]!r}")
    account = browser.account
    body = urlencode({"username": account.username, "password": account.password,
                      "csrfmiddlewaretoken": match.group(1).decode()}).encode()
    answer = browser.request("POST", "/login/", body=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    location = answer.headers.get("Location", "")
    if answer.status != 302 or not location.endswith("/portal/") or "sessionid" not in browser.cookies:
        raise RuntimeError(f"sign-in of {account.username} answered {answer.status} → {location!r}: "
                           f"{answer.body[:300]!r}")


# --- endpoints -----------------------------------------------------------------------------------------------------


Check = Callable[[Account, bytes], str | None]  # None when the body is right, else what is wrong


@dataclass(frozen=True)
class Endpoint:
    name: str
    pattern: str  # the path, with {id} for the partner's id
    check: Check
    api: bool = False  # bearer key instead of the session cookie
    anonymous: bool = False  # neither

    def send(self, browser: Browser) -> Answer:
        account = browser.account
        path = self.pattern.format(id=account.partner_id)
        if self.anonymous:
            return browser.request("GET", path, cookies=False)
        if self.api:
            return browser.request("GET", path, cookies=False, headers={"Authorization": f"Bearer {account.api_key}"})
        return browser.request("GET", path)


def partner_banner(account: Account) -> bytes:
    """The partner's name as the portal's top bar shows it (web/base.html)."""
    return f'<span class="context" title="{account.name}">{account.name}</span>'.encode()


def check_dashboard(account: Account, body: bytes) -> str | None:
    if partner_banner(account) not in body:
        return f"dashboard of partner {account.partner_id} does not show its name"
    if b'id="available-balance"' not in body or b'id="earnings-data"' not in body:
        return f"dashboard of partner {account.partner_id} lacks the balance or the chart"
    return None


def check_ledger(account: Account, body: bytes) -> str | None:
    if partner_banner(account) not in body:
        return f"ledger page of partner {account.partner_id} does not show its name"
    if f'href="/portal/commissions/{account.first_line_id}/"'.encode() not in body:
        return f"ledger page of partner {account.partner_id} does not start with its newest line " \
               f"{account.first_line_id}"
    return None


def check_balance(account: Account, body: bytes) -> str | None:
    try:
        first = orjson.loads(body)["balances"][0]  # the payout currency's balance comes first
        balance, currency = Decimal(first["balance"]), first["currency"]
    except (orjson.JSONDecodeError, KeyError, TypeError, ArithmeticError):
        return f"balance of partner {account.partner_id}: not the expected JSON: {body[:200]!r}"
    if balance != account.balance or currency != account.currency:
        return f"balance of partner {account.partner_id}: {balance} {currency}, expected {account.balance} " \
               f"{account.currency}"
    return None


def check_healthz(account: Account, body: bytes) -> str | None:
    return None if b'"ok"' in body else f"/healthz: {body[:200]!r}"


# The floor of the stack, measured in the same run: every middleware, one `SELECT 1`, a small JSON answer.
HEALTHZ = Endpoint("healthz", "/healthz", check_healthz, anonymous=True)


def endpoints(ledger_path: str) -> list[Endpoint]:
    return [
        Endpoint("dashboard", "/portal/", check_dashboard),
        Endpoint("ledger", ledger_path, check_ledger),
        Endpoint("balance_api", "/api/v1/partners/{id}/balance", check_balance, api=True),
    ]


# --- the load ------------------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


@dataclass
class _ThreadTally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    transport_failures: int = 0  # no answer at all (counted as requests and errors, without a latency)
    last_end: float = 0.0


def _one(endpoint: Endpoint, browser: Browser, tally: _ThreadTally) -> None:
    started = time.perf_counter()
    try:
        answer = endpoint.send(browser)
    except (OSError, http.client.HTTPException) as exc:
        browser.reset()
        tally.error_count += 1
        tally.transport_failures += 1
        if len(tally.errors) < MAX_ERROR_SAMPLES:
            tally.errors.append(f"{type(exc).__name__}: {exc}")
        return
    ended = time.perf_counter()
    tally.latencies.append(ended - started)
    tally.last_end = ended
    problem = f"HTTP {answer.status}" if answer.status != 200 else endpoint.check(browser.account, answer.body)
    if problem is not None:
        tally.error_count += 1
        if len(tally.errors) < MAX_ERROR_SAMPLES:
            tally.errors.append(problem)


def _drive(endpoint: Endpoint, browser: Browser, start_at: float, deadline: float, tally: _ThreadTally) -> None:
    time.sleep(max(0.0, start_at - time.perf_counter()))
    while time.perf_counter() < deadline:
        _one(endpoint, browser, tally)


def run_load(endpoint: Endpoint, browsers: list[Browser], seconds: float) -> LoadResult:
    """Every browser requests `endpoint` back to back for `seconds` (requests started before the deadline are
    waited for); the wall time runs from the common start to the last answer."""
    tallies = [_ThreadTally() for _ in browsers]
    start_at = time.perf_counter() + 0.05
    deadline = start_at + seconds
    threads = [
        threading.Thread(target=_drive, args=(endpoint, browser, start_at, deadline, tally), daemon=True,
                         name=f"client-{i}")
        for i, (browser, tally) in enumerate(zip(browsers, tallies, strict=True))
    ]
    run_threads(threads)
    result = LoadResult(seconds=max((t.last_end for t in tallies), default=deadline) - start_at)
    for tally in tallies:
        result.latencies += tally.latencies
        result.errors += tally.error_count
        result.requests += len(tally.latencies) + tally.transport_failures
        result.error_samples += tally.errors[: MAX_ERROR_SAMPLES - len(result.error_samples)]
    return result
