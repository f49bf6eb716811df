"""A webhook receiver on 127.0.0.1 for the tests: verifies each request's signature, keeps what it received, answers
the statuses it is told (one per request, then 200), and can hold a request until released."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from parceria.webhooks.secrets import verify


@dataclass
class Receiver:
    secret: str = ""
    statuses: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    hold_first: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    @property
    def event_ids(self) -> list[str]:
        return [r["headers"]["Parceria-Event-Id"] for r in self.received]

    @property
    def unique_event_ids(self) -> set[str]:
        """What a receiver that deduplicates by event id processes: each event once."""
        return set(self.event_ids)


@contextmanager
def receiver(**options: Any) -> Iterator[Receiver]:
    state = Receiver(**options)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                first = not state.arrived.is_set()
                state.arrived.set()
            ok = verify(state.secret, body, self.headers.get("Parceria-Signature", ""))
            with lock:
                if not ok:
                    state.bad_signatures += 1
                state.received.append({"headers": dict(self.headers), "body": json.loads(body)})
                status = state.statuses.pop(0) if state.statuses else 200
            if first and state.hold_first:  # received, but the answer never comes (until released)
                state.release.wait(30)
                self.close_connection = True
                return
            self.send_response(status if ok else 400)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(f"answered {status}".encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
