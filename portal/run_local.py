"""`make run`: the development server and Celery workers beside it; Ctrl-C stops them all.

    python -m portal.run_local [HOST:PORT]

Without REDIS_URL they share a broker folder (CELERY_BROKER_DIR, default var/broker/; see
portal.file_broker), so validating, merging, exporting and mail run in the workers through the same
queues and task code as in production, never inside a request. With REDIS_URL, Redis is the broker.
Ctrl-C (or SIGTERM, SIGHUP) stops them all: a worker first finishes the task it is running; a second
Ctrl-C, or STOP_GRACE_SECONDS, kills whatever is left. If one of them stops, the others are stopped too.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"  # never committed (.gitignore)
DEFAULT_BROKER_DIR = VAR / "broker"


class WorkerSpec(NamedTuple):
    label: str  # in this script's messages
    node: str  # Celery's node name, before @host
    queues: tuple[str, ...]
    concurrency: int  # pool processes


# The workers `make run` starts, as in production (docs/deployment.md) but two instead of four: the
# exports of a release take a minute on the demo dataset, so they have a worker of their own, and
# validations, merges and mail never wait behind them. Together: every queue of settings.CELERY_TASK_QUEUES.
WORKERS = (
    WorkerSpec("worker", "local", ("default", "validate", "merge", "mail"), concurrency=2),
    WorkerSpec("exports worker", "local-exports", ("exports",), concurrency=1),
)
STOP_GRACE_SECONDS = 60


class Stop(Exception):
    """A signal asked us to stop (or one of the children stopped)."""


def background_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The children's environment: without REDIS_URL, the broker folder (kept if already set)."""
    env = dict(environ)
    if not env.get("REDIS_URL"):
        env["CELERY_BROKER_DIR"] = env.get("CELERY_BROKER_DIR") or str(DEFAULT_BROKER_DIR)
    return env


def worker_commands(*, beat_schedule: Path | None = None, node_suffix: str = "") -> dict[str, list[str]]:
    """Each worker's command line, by label; with a schedule file the first one also runs the periodic
    tasks (beat: the merge sweeper, expired claims, digests, source checks)."""
    commands = {}
    for spec in WORKERS:
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", ",".join(spec.queues)]
        command += ["-c", str(spec.concurrency), "-n", f"{spec.node}{node_suffix}@%h", "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle"]
        if beat_schedule and spec is WORKERS[0]:
            command += ["-B", "--schedule", str(beat_schedule)]
        commands[spec.label] = command
    return commands


def server_command(address: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "runserver", address]


def start(command: list[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child and everything it started (each child leads its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="HOST:PORT for runserver")
    address = parser.parse_args(argv).address

    env = background_environment(os.environ)
    if env.get("REDIS_URL"):
        print("==> REDIS_URL is set: Celery workers on Redis run beside the server", flush=True)
    else:
        print(
            "==> Background tasks (validation, merges, exports, mail) run in two Celery workers beside the "
            f"server (one for exports); their broker is the folder {env['CELERY_BROKER_DIR']}",
            flush=True,
        )
    # Beside the broker folder, where the worker's state belongs (var/ for `make run`).
    beat_schedule = Path(env.get("CELERY_BROKER_DIR") or DEFAULT_BROKER_DIR).parent / "celerybeat-schedule"
    beat_schedule.parent.mkdir(parents=True, exist_ok=True)

    def raise_stop(signum: int, _frame: FrameType | None) -> None:
        raise Stop(signal.Signals(signum).name)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_stop)

    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    exit_code = 0
    try:
        for label, command in worker_commands(beat_schedule=beat_schedule).items():
            children.append((label, start(command, env)))
        children.append(("server", start(server_command(address), env)))
        while True:
            for name, process in children:
                if process.poll() is not None:
                    print(f"==> The {name} stopped (exit code {process.returncode}): stopping the rest", flush=True)
                    exit_code = process.returncode or 1
                    raise Stop(name)
            time.sleep(0.5)
    except Stop:
        stop_children(children)
    return exit_code


def stop_children(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    """SIGTERM to each child's main process and wait; a second signal, or STOP_GRACE_SECONDS, kills
    their whole groups. (The main process stops its own: the worker's pool, the server's reloaded
    child. Signalling the pool directly makes a warm shutdown hang.)"""
    for _name, process in children:
        if process.poll() is None:
            process.terminate()
    started = time.monotonic()
    announced = False
    try:
        while any(process.poll() is None for _name, process in children):
            waited = time.monotonic() - started
            if waited > STOP_GRACE_SECONDS:
                break
            if waited > 2 and not announced:
                waiting = " and the ".join(name for name, process in children if process.poll() is None)
                message = f"==> Waiting for the {waiting} (a worker first ends its task); Ctrl-C again stops at once"
                print(message, flush=True)
                announced = True
            time.sleep(0.2)
    except Stop:
        pass
    for signum_ in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum_, signal.SIG_IGN)  # nothing left to interrupt but the kill below
    for _name, process in children:
        kill_group(process)
        process.wait()


if __name__ == "__main__":
    sys.exit(main())
