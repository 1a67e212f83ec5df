"""A folder that belongs to one training run: the checkpoint folder's owner record and lock.

A run claims a folder by writing ``.evotrain-run.json`` (its run id, process, host, the
algorithm and when it started) and holds an advisory lock on ``.evotrain-run.lock`` while it
trains. Another run pointed at the folder is refused:

- while the owner still trains (the lock is held), always;
- afterwards, unless it asks to resume into the folder (``resume=True``), which makes it
  the owner and keeps everything already there.

This module imports only the standard library.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import json
import os
import socket
from collections.abc import Callable
from typing import IO, Any

OWNER_FILE = ".evotrain-run.json"
LOCK_FILE = ".evotrain-run.lock"


class RunFolderInUseError(FileExistsError):
    """A folder another run owns (still training, or finished and not resumed into)."""


def _describe(owner: dict[str, Any]) -> str:
    return (
        f"run {owner.get('run_id', '?')} ({owner.get('algorithm', '?')}, process "
        f"{owner.get('pid', '?')} on {owner.get('host', '?')}, started {owner.get('started', '?')})"
    )


def read_owner(folder: str) -> dict[str, Any] | None:
    """The owner record of ``folder`` (None if it has none or it is unreadable)."""
    try:
        with open(os.path.join(folder, OWNER_FILE), encoding="utf-8") as f:
            owner = json.load(f)
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None


def _write_owner(folder: str, owner: dict[str, Any]) -> None:
    tmp = os.path.join(folder, f"{OWNER_FILE}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(owner, f, indent=1)
    os.replace(tmp, os.path.join(folder, OWNER_FILE))


def claim(
    folder: str,
    run_id: str,
    algorithm: str,
    resume: bool,
    who: str,
    check: Callable[[], None] | None = None,
) -> IO[str]:
    """Makes the run ``run_id`` the owner of ``folder`` (created if needed) and returns the
    open lock file, which holds the lock until it is closed.

    Args:
        folder: the folder.
        run_id: the claiming run (a model's ``run_id``).
        algorithm: its algorithm's name, for the record.
        resume: take over a folder a finished run owns.
        who: how the error names the claimant (``"CheckpointCallback"``).
        check: called once the folder may be claimed, before the owner record is written;
            what it raises refuses the claim and leaves the folder as it was.

    Raises:
        RunFolderInUseError: another run trains in ``folder`` now, or owned it and
            ``resume`` is False.
    """
    os.makedirs(folder, exist_ok=True)
    lock = open(os.path.join(folder, LOCK_FILE), "a+", encoding="utf-8")  # noqa: SIM115
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        lock.close()
        if err.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        owner = read_owner(folder) or {}
        raise RunFolderInUseError(
            f"{who}: {folder} belongs to {_describe(owner)}, which is still training there. "
            "Two runs never share a checkpoint folder; choose another save_path."
        ) from None
    owner = read_owner(folder)
    if owner is not None and owner.get("run_id") != run_id and not resume:
        lock.close()
        raise RunFolderInUseError(
            f"{who}: {folder} belongs to {_describe(owner)}, and its checkpoints would be "
            f"mixed with this run's. To continue that run there, load its latest checkpoint "
            f"and pass resume=True to {who}; otherwise choose another save_path."
        )
    if check is not None:
        try:
            check()
        except BaseException:
            lock.close()
            raise
    if owner is None or owner.get("run_id") != run_id:
        record = {
            "run_id": run_id,
            "algorithm": algorithm,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        if owner is not None:
            record["resumed_from"] = owner.get("run_id")
        _write_owner(folder, record)
    return lock


__all__ = ["LOCK_FILE", "OWNER_FILE", "RunFolderInUseError", "claim", "read_owner"]
