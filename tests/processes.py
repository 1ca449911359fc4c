"""Programs the tests start as real processes (gunicorn, a Celery worker): started in their own process
group with their output in a log file, waited for until they answer, and stopped with the whole group."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running(
    command: list[str], *, env: dict[str, str], log_path: Path, ready: Callable[[], bool], timeout: float = 90
) -> Iterator[subprocess.Popen]:
    """Run `command` until the block ends, once `ready()` is true (a probe that may raise OSError while the
    program starts). Fails with the log when the program exits early or is not ready within `timeout`."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    name = " ".join(command[1:3]) if command[1:2] == ["-m"] else command[0]
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, f"{name} exited early:\n{log_path.read_text()[-4000:]}"
            try:
                if ready():
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (
                f"{command[2]} not ready in {timeout} s:\n{log_path.read_text()[-4000:]}"
            )
            time.sleep(0.5)
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (a prefork worker's children too); SIGKILL after 60 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
