"""In-process diagnosis of the referral redirect (not part of the timed run): `--requests` GET /r/<code> through
Django's whole stack (django.test.Client: URLs, every middleware, the view), timing each, counting its SQL queries
and their time, with cProfile's top functions by cumulative time on stderr.

Run as `python bench/_referral_profile.py code1,code2,... --requests 500` with the database chosen by the
environment. Prints {"in_process": {...}} as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

import django
import orjson


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("codes")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parceria.config.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    codes = args.codes.split(",")
    client = Client(HTTP_HOST="127.0.0.1")
    for n in range(20):  # warm: imports, URL resolver, the connection
        client.get(f"/r/{codes[n % len(codes)]}", REMOTE_ADDR=f"10.9.{n}.1")
    timings, queries, sql_ms = [], [], []
    profiler = cProfile.Profile()
    for n in range(args.requests):
        code = codes[n % len(codes)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            profiler.enable()
            response = client.get(f"/r/{code}", REMOTE_ADDR=f"10.{n // 250 % 250}.{n % 250}.7")
            profiler.disable()
            timings.append(time.perf_counter() - started)
        if response.status_code != 302:
            raise SystemExit(f"/r/{code} answered {response.status_code}")
        queries.append(len(captured))
        sql_ms.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    sys.stderr.write(out.getvalue())
    sys.stderr.write("\nSQL of one request:\n" + "\n".join(q["sql"][:300] for q in captured.captured_queries) + "\n")
    ordered = sorted(timings)
    print(orjson.dumps({"in_process": {
        "requests": args.requests, "mean_ms": round(sum(timings) / len(timings) * 1000, 3),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 3),
        "p99_ms": round(ordered[int(len(ordered) * .99)] * 1000, 3),
        "queries_per_request": max(queries), "sql_ms_per_request": round(sum(sql_ms) / len(sql_ms), 3),
    }}).decode())


if __name__ == "__main__":
    main()
