"""Running `parceria` commands and the production server (gunicorn) for the benchmark."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _common import LOOPBACK, free_port, log

BIN_DIR = Path(sys.executable).parent
PARCERIA = str(BIN_DIR / "parceria")
BENCH_DIR = Path(__file__).resolve().parent


def app_env(*, var_dir: Path, database_url: str | None) -> dict[str, str]:
    """The production configuration: debug off, a secret key, loopback only; SQLite when no URL is given."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        PARCERIA_DEBUG="0", PARCERIA_SECRET_KEY=secrets.token_urlsafe(48), PARCERIA_VAR_DIR=str(var_dir),
        PARCERIA_ALLOWED_HOSTS=LOOPBACK, PARCERIA_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="parceria.config.settings",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(args: list[str], env: Mapping[str, str], *, timeout: float = 600, show_stderr: bool = False) -> str:
    """Run a command to completion; return its stdout, or fail loudly with its output."""
    done = subprocess.run(args, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or show_stderr:
        sys.stderr.write(done.stderr if done.returncode == 0 else done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} … failed with exit code {done.returncode}")
    return done.stdout


def migrate(env: Mapping[str, str]) -> None:
    run([PARCERIA, "migrate", "--no-input", "-v", "0"], env)


def create_api_key(env: Mapping[str, str], *, scope: str, name: str) -> str:
    lines = run([PARCERIA, "create-api-key", "--scope", scope, "--name", name], env).strip().splitlines()
    return lines[-1].strip()


def run_bench_script(script: str, args: list[str], env: Mapping[str, str], *, show_stderr: bool = False) -> str:
    """Run a helper script of bench/ (e.g. the seeding) with the venv's Python in the application's environment."""
    return run([sys.executable, str(BENCH_DIR / script), *args], env, show_stderr=show_stderr)


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log_path: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        if _healthy(port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {deadline_s:.0f}s:\n{log_path.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        log("the server did not stop on SIGTERM; killing it")
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the gunicorn master and its workers
        proc.wait(timeout=10)


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # the gunicorn master (`parceria serve` execs it); the workers are its children


@contextmanager
def serve(env: Mapping[str, str], *, workers: int, log_path: Path) -> Iterator[Server]:
    """`parceria serve` on a free loopback port; yields it once /healthz answers 200."""
    port = free_port()
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [PARCERIA, "serve", "--host", LOOPBACK, "--port", str(port), "--workers", str(workers)],
            env=dict(env), stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            _wait_healthy(proc, port, log_path, deadline_s=60)
            log(f"server up on {LOOPBACK}:{port} with {workers} workers (pid {proc.pid})")
            yield Server(port, proc.pid)
        finally:
            _stop(proc)
