"""The soak test's pure parts (bench/_soak.py, bench/_soak_stats.py): reading /proc/<pid>/status, the "no growth
after warm-up" verdict, the latency figures, the answers' checks and the event stream. The soak itself runs with
`make soak`."""

from __future__ import annotations

import importlib
import itertools
import os
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_module(name: str) -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


stats = bench_module("_soak_stats")
soak = bench_module("_soak")
common = bench_module("_common")

STATUS = """Name:\tgunicorn
Umask:\t0022
State:\tS (sleeping)
Pid:\t4242
VmPeak:\t  412340 kB
VmHWM:\t  150112 kB
VmRSS:\t  149808 kB
RssAnon:\t  116004 kB
RssFile:\t   33804 kB
RssShmem:\t       0 kB
Threads:\t1
"""


def test_status_kb_reads_the_memory_fields_in_kib() -> None:
    assert stats.status_kb(STATUS) == {"VmRSS": 149808, "RssAnon": 116004, "RssFile": 33804, "RssShmem": 0}


def test_status_kb_skips_what_is_not_a_kib_amount() -> None:
    assert stats.status_kb("VmRSS:\t12 MB\nRssAnon:\tabc kB\nRssFile 7 kB\n") == {}


@given(st.dictionaries(st.sampled_from(stats.STATUS_FIELDS), st.integers(min_value=0, max_value=2**40)))
def test_status_kb_reads_back_what_the_kernel_writes(fields: dict[str, int]) -> None:
    text = "".join(f"{name}:\t{value:>8} kB\n" for name, value in fields.items())
    assert stats.status_kb("Name:\tpostgres\n" + text + "Threads:\t1\n") == fields


def test_read_status_kb_of_this_process_and_of_none() -> None:
    mine = stats.read_status_kb(os.getpid())
    assert mine is not None and mine["VmRSS"] > 0
    assert stats.read_status_kb(2**22 + 1) is None  # above Linux's largest pid


def test_series_sums_a_group_of_processes() -> None:
    series = stats.Series("postgresql", 10)
    series.add(10.04, [{"VmRSS": 100, "RssAnon": 10}, {"VmRSS": 50}])
    assert (series.t_s, series.rss_kb, series.anon_kb, series.processes) == ([10.0], [150], [10], [2])


# --- the verdict -----------------------------------------------------------------------------------------------------


def test_growth_compares_the_medians_of_the_second_and_last_thirds() -> None:
    t = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]
    rss = [50, 900, 100, 100, 104, 102, 108, 110, 109, 900]  # the first third (and its spike) does not count
    growth = stats.growth(t, rss, duration_s=90, warm_up_s=10, min_samples=3)
    assert (growth.second_third_kb, growth.last_third_kb, growth.samples) == (102, 109.5, (3, 4))
    assert growth.pct == pytest.approx(7.352941176)
    assert growth.ok(10.0)
    assert not growth.ok(7.0)


def test_growth_of_exactly_the_limit_fails() -> None:
    growth = stats.growth([0, 40, 80], [1, 100, 110], duration_s=90, warm_up_s=0, min_samples=1)
    assert growth.pct == pytest.approx(10.0)
    assert not growth.ok(10.0)


def test_the_warm_up_is_left_out_of_a_short_run() -> None:
    # 60 s with a 30 s warm-up: the second third (20–40 s) keeps only what follows the warm-up.
    growth = stats.growth([0, 10, 20, 30, 40, 50, 60], [1, 1, 500, 100, 100, 100, 120], duration_s=60, warm_up_s=30,
                          min_samples=1)
    assert (growth.second_third_kb, growth.last_third_kb, growth.samples) == (100, 100, (1, 3))


def test_growth_is_not_judged_without_samples_in_a_third() -> None:
    assert stats.growth([0, 10, 70, 80], [1, 2, 3, 4], duration_s=90, warm_up_s=0, min_samples=1) is None
    assert stats.growth([], [], duration_s=90, warm_up_s=0, min_samples=0) is None


def test_a_third_needs_five_samples() -> None:
    t = [10 * n for n in range(16)]  # 150 s: 5 samples in each of the thirds 50–100 s and 100–150 s
    assert stats.growth(t, [100] * 16, duration_s=150, warm_up_s=50).samples == (5, 6)
    assert stats.growth(t[:-1], [100] * 15, duration_s=140, warm_up_s=60) is None  # 60–93 s: 4 samples


def test_rss_record_of_a_process_too_short_lived_to_judge() -> None:
    series = stats.Series("gunicorn worker", 7)
    series.add(0, [{"VmRSS": 2048, "RssAnon": 1024}])
    record = stats.rss_record(series, duration_s=600, warm_up_s=60, limit_pct=10)
    assert record["ok"] is None and record["growth_pct"] is None
    assert (record["first_mb"], record["last_mb"], record["rss_mb"], record["anon_mb"]) == (2.0, 2.0, [2.0], [1.0])
    assert "processes" not in record


def test_rss_record_of_a_growing_process_fails() -> None:
    series = stats.Series("gunicorn worker", 7)
    for t, kb in [(0, 1024), (40, 1024), (80, 1536)]:
        series.add(t, [{"VmRSS": kb, "RssAnon": kb}])
    record = stats.rss_record(series, duration_s=90, warm_up_s=0, limit_pct=10, min_samples=1)
    assert (record["growth_pct"], record["anon_growth_pct"], record["ok"]) == (50.0, 50.0, False)


def test_postgresql_is_judged_on_its_private_memory() -> None:
    # Its VmRSS sum climbs as the processes touch more of shared_buffers; its private memory stays flat.
    series = stats.Series("postgresql (postmaster + children)", 9, judged="RssAnon")
    for t, shared in [(0, 1024), (40, 4096), (80, 5120)]:
        series.add(t, [{"VmRSS": shared + 512, "RssAnon": 256}, {"VmRSS": 512, "RssAnon": 256}])
    record = stats.rss_record(series, duration_s=90, warm_up_s=0, limit_pct=10, min_samples=1)
    assert (record["growth_pct"], record["anon_growth_pct"]) == (20.0, 0.0)
    assert (record["judged"], record["ok"]) == ("RssAnon", True)
    assert (record["second_third_median_mb"], record["last_third_median_mb"]) == (5.0, 6.0)
    assert (record["anon_second_third_median_mb"], record["anon_last_third_median_mb"]) == (0.5, 0.5)
    assert record["processes"] == [2, 2, 2]


def test_the_problem_names_the_memory_judged() -> None:
    record = {"process": "postgresql (postmaster + children)", "pid": 9, "judged": "RssAnon", "growth_pct": 20.0,
              "second_third_median_mb": 5.0, "last_third_median_mb": 6.0, "anon_growth_pct": 12.5,
              "anon_second_third_median_mb": 40.0, "anon_last_third_median_mb": 45.0}
    assert soak.memory_problem(record, 10) == (
        "memory: postgresql (postmaster + children) 9 grew 12.5 % (RssAnon, limit 10 %): 40.0 → 45.0 MB")


def test_deltas_of_cumulative_counters() -> None:
    assert stats.deltas([1.0, 2.5, None, 4.0, 4.25]) == [1.5, None, None, 0.25]
    assert stats.deltas([3.0]) == []


# --- latency ---------------------------------------------------------------------------------------------------------


def test_percentile_is_the_nearest_rank() -> None:
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert [common.percentile(values, p) for p in (0, 20, 50, 99, 100)] == [0.1, 0.1, 0.3, 0.5, 0.5]
    assert common.percentile([float(n) for n in range(1, 201)], 99) == 198.0
    assert common.percentile([], 50) != common.percentile([], 50)  # NaN


def test_figures_of_a_tally() -> None:
    tally = stats.Tally(requests=5, errors=1, latencies=[0.010, 0.020, 0.030, 0.040], error_samples=["HTTP 500"])
    assert stats.figures(tally, 2.0) == {"requests": 5, "requests_per_s": 2.5, "p50_ms": 20.0, "p99_ms": 40.0,
                                         "max_ms": 40.0, "errors": 1}


def test_figures_without_an_answer() -> None:
    tally = stats.Tally(requests=1, errors=1)
    assert stats.figures(tally, 0.0) == {"requests": 1, "requests_per_s": None, "p50_ms": None, "p99_ms": None,
                                         "max_ms": None, "errors": 1}


def test_merged_tallies_keep_a_few_error_samples() -> None:
    tallies = [stats.Tally(2, 2, [0.1], [f"e{i}a", f"e{i}b"]) for i in range(4)]
    total = stats.merged(tallies)
    assert (total.requests, total.errors, total.latencies) == (8, 8, [0.1] * 4)
    assert total.error_samples == ["e0a", "e0b", "e1a", "e1b", "e2a"]


# --- the checks of the answers ---------------------------------------------------------------------------------------


def account(balance: str = "1234.5678", currency: str = "BRL") -> object:
    client = bench_module("_portal_client")
    return client.Account(7, "Parceiro 00007", currency, 10, Decimal(balance), 99, "bench-portal-7", "pw", "key")


def balance_body(balance: str, currency: str = "BRL") -> bytes:
    return orjson.dumps({"partner_id": 7, "balances": [{"currency": currency, "balance": balance}]})


def test_a_balance_is_the_one_before_the_close_or_the_remainder_it_left() -> None:
    assert soak.balances_allowed(Decimal("1234.5678")) == (Decimal("1234.5678"), Decimal("0.0078"))
    assert soak.balances_allowed(Decimal("-20.0100")) == (Decimal("-20.0100"), Decimal("0.0000"))
    assert soak.check_balance(account(), balance_body("1234.5678")) is None
    assert soak.check_balance(account(), balance_body("0.0078")) is None
    assert soak.check_balance(account(), balance_body("0.0000")) == (
        "balance of partner 7: 0.0000 BRL, expected one of (Decimal('1234.5678'), Decimal('0.0078')) BRL")
    assert soak.check_balance(account(), balance_body("1234.5678", "MXN")) is not None
    assert soak.check_balance(account(), b'{"detail": "Not found"}').startswith("balance of partner 7: not the")


def test_the_ledger_page_shows_the_partner_and_a_line() -> None:
    banner = b'<span class="context" title="Parceiro 00007">Parceiro 00007</span>'
    assert soak.check_ledger(account(), banner + b'<a href="/portal/commissions/123/">') is None
    assert soak.check_ledger(account(), banner + b"<p>No lines</p>") == "ledger page of partner 7 lists no line"
    assert soak.check_ledger(account(), b'<a href="/portal/commissions/123/">') is not None


def test_the_payouts_page_lists_the_month_statement() -> None:
    banner = b'<span class="context" title="Parceiro 00007">Parceiro 00007</span>'
    listed = b'<h2 id="statements">Monthly statements</h2><a href="/portal/statements/2026-03.csv" download>'
    assert soak.check_payouts(account(), banner + listed) is None
    assert soak.check_payouts(account(), banner + b'<h2 id="statements">') == (
        "payouts page of partner 7 does not list the 2026-03 statement")


def test_the_partner_list_counts_every_partner() -> None:
    check = soak.partner_list_check(150)
    assert check(account(), orjson.dumps({"count": 150, "limit": 100, "offset": 0, "items": [{}] * 100})) is None
    assert check(account(), orjson.dumps({"count": 149, "limit": 100, "offset": 0, "items": [{}] * 100})) == (
        "partner list: count 149 with 100 items, expected 150")
    assert soak.partner_list_check(3)(account(), orjson.dumps({"count": 3, "items": [{}] * 3})) is None


def test_the_clock_cuts_the_run_in_windows() -> None:
    clock = soak.Clock(start=100.0, seconds=150.0, window_s=60.0)
    assert [clock.window(t) for t in (100.0, 159.9, 160.0, 249.0)] == [0, 0, 1, 2]
    assert [clock.window_end(w) for w in (0, 1, 2)] == [160.0, 220.0, 250.0]


def test_the_event_stream_sends_fresh_events_without_end() -> None:
    stream = soak.EventStream(customers=50, integrators=[3], batch_events=40, rate=0, threads=2)
    bodies = list(itertools.islice(stream.bodies(until=float("inf")), 52))  # past the first chunk of 50 bodies
    events = [e for body in bodies for e in orjson.loads(body)["events"]]
    assert (len(events), stream.events_sent, stream.chunks) == (2080, 2080, 2)
    ids = {e["id"] for e in events}
    assert {e["id"].split("-")[0] for e in events} == {"soak1", "soak2"}
    assert len(ids) < len(events)  # the re-sent duplicates, from the same chunk's earlier batches
    assert list(stream.bodies(until=0.0)) == []
