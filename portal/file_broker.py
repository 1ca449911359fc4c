"""Celery's broker without Redis: a folder on this machine (kombu's file-system transport), safe for
a web server and workers side by side (`make run`, settings.CELERY_BROKER_DIR).

kombu's own transport writes a message file in place, so a worker listing the folder at that moment
can take a file that is still empty and stop on the JSON error (celery/kombu#1551); and it takes a
message by moving it to the system's temporary folder, a copy rather than an atomic rename when that
is on another file system. Here a message is written whole under `writing/` and renamed into
`queue/`, and a consumer takes it by renaming it into `taken/` (on the same file system): every
message is read complete, and by one consumer only. Nothing to install, no server to run.
"""

import os
import time
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

# Seconds a worker with nothing to do waits before it lists the folder again (kombu's default is 1).
POLLING_SECONDS = 0.2


def transport_options(folder: str | Path) -> dict[str, Any]:
    """The broker's folders inside `folder`, and how often an idle worker looks for a message."""
    root = Path(folder).resolve()
    return {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "writing_folder": str(root / "writing"),
        "processed_folder": str(root / "taken"),
        "control_folder": str(root / "control"),  # which queues each exchange reaches (remote control)
        "polling_interval": POLLING_SECONDS,
    }


class Channel(filesystem.Channel):
    def __init__(self, connection: Any, **kwargs: Any) -> None:
        options = connection.client.transport_options
        for key in ("data_folder_out", "writing_folder", "processed_folder", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
        super().__init__(connection, **kwargs)

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]  # kombu: payload here, message in the base
        """Write the message whole under another folder, then rename it into the queue (atomic)."""
        name = f"{time.time_ns():020d}_{uuid.uuid4()}.{queue}.msg"  # sorted oldest first
        writing = os.path.join(self.transport_options["writing_folder"], name)
        try:
            with open(writing, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(writing, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise ChannelError(f"Cannot add the message {name} to {self.data_folder_out}") from exc

    def _get(self, queue: str, timeout: Any = None) -> Any:
        """The oldest message of `queue`; the consumer whose rename succeeds is the one that has it."""
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            taken = os.path.join(self.processed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), taken)
            except FileNotFoundError:
                continue  # another consumer took it first
            try:
                with open(taken, "rb") as handle:
                    payload = handle.read()
            finally:
                os.remove(taken)
            return loads(bytes_to_str(payload))
        raise Empty()


class Transport(filesystem.Transport):
    """settings.CELERY_BROKER_TRANSPORT names this class when CELERY_BROKER_DIR is set."""

    Channel = Channel
