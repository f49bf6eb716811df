"""scripts/demo-serve.sh (`make demo`): one worker beside the web server, stopped when the server stops."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

STUB = """#!/bin/sh
case "$1" in
worker) trap 'echo stopped > "{folder}/worker-stopped"; exit 0' TERM
        echo started > "{folder}/worker-started"
        while :; do sleep 0.02; done ;;
serve)  while [ ! -e "{folder}/worker-started" ]; do sleep 0.02; done
        echo serving > "{folder}/serving"
        [ "$STUB_SERVE_EXIT" = "never" ] && while :; do sleep 0.02; done
        exit 3 ;;
esac
"""


def _start(tmp_path: Path, serve_exit: str) -> subprocess.Popen[str]:
    stub = tmp_path / "parceria"
    stub.write_text(STUB.format(folder=tmp_path))
    stub.chmod(0o755)
    return subprocess.Popen([str(ROOT / "scripts" / "demo-serve.sh")], text=True, stdout=subprocess.PIPE,
                            env={"PATH": "/usr/bin:/bin", "PARCERIA": str(stub), "STUB_SERVE_EXIT": serve_exit})


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def test_the_worker_stops_when_the_server_exits_and_the_script_says_it_started(tmp_path):
    demo = _start(tmp_path, serve_exit="3")
    out, _ = demo.communicate(timeout=10)
    assert demo.returncode == 3  # the server's status
    assert "Background worker started beside the web server" in out
    assert (tmp_path / "worker-stopped").read_text() == "stopped\n"


def test_the_worker_stops_when_the_demo_is_stopped(tmp_path):
    demo = _start(tmp_path, serve_exit="never")
    try:
        _wait_for(tmp_path / "serving")
        _wait_for(tmp_path / "worker-started")
        demo.send_signal(signal.SIGTERM)
        demo.wait(10)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 143
    assert (tmp_path / "worker-stopped").read_text() == "stopped\n"
