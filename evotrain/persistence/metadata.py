"""The ``evotrain.json`` of a saved model: reading it safely and checking the folder.

Format 2 (written since saved models carry hashes) records in ``files`` the sha256 of
every file the save wrote (everything under ``state/`` and ``history.json``), and seals
``evotrain.json`` itself (see :mod:`evotrain.persistence.integrity`): its last field
``sha256`` is the sha256 of its canonical serialization without that field, and its raw
bytes must equal the canonical serialization of the whole document. So any changed byte
of the folder is refused: in a data file by its recorded hash, in ``evotrain.json`` by the
seal (a flipped whitespace byte makes the bytes non-canonical; a changed value, even of
``format_version`` or of a recorded hash, no longer matches ``sha256``). A document that
claims format 1 but has a ``sha256`` or ``files`` field is checked as format 2, so a
damaged version number cannot switch the checks off.

Format 1 saves (no hashes) still load, with an :class:`UnverifiedCheckpointWarning`.

Every field is checked for type and range before anything is built, and sizes that set
how much memory the model takes are bounded by the ``MAX_*`` constants below, so a
damaged or hand-edited file is refused with a :class:`CheckpointError` naming the field,
never answered with a raw decoding error or a huge allocation. This module imports only
the standard library.
"""

from __future__ import annotations

import json
import os
from typing import Any

from evotrain.persistence.integrity import SEAL_FIELD, diff_hashes, seal_json, seal_problem
from evotrain.persistence.validate import validate_metadata

FORMAT = "evotrain-model"
FORMAT_VERSION = 2
META_FILE = "evotrain.json"
HISTORY_FILE = "history.json"
STATE_DIR = "state"
FILES_FIELD = "files"
MAX_META_BYTES = 1 << 20
"""evotrain.json is a few KiB; a larger one is refused unread."""


class CheckpointError(ValueError):
    """A saved model that cannot be loaded: missing, corrupted, or of another kind."""


class UnverifiedCheckpointWarning(UserWarning):
    """A saved model of format 1 is loaded: it records no hashes, so damage to its files
    cannot be detected. Re-saving it (``model.save(path, overwrite=True)``) adds them."""


def sealed_metadata(meta: dict[str, Any], files: dict[str, str]) -> bytes:
    """The bytes of ``evotrain.json`` for ``meta`` with the hashes ``files`` of the other
    files, sealed (see the module docs)."""
    return seal_json({**meta, FILES_FIELD: files})


def _decode(raw: bytes, meta_path: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise CheckpointError(
            f"{meta_path} is corrupted: it is not UTF-8 text ({err.reason} at byte "
            f"{err.start}). The saved model cannot be loaded; restore it from a copy."
        ) from None
    except (json.JSONDecodeError, RecursionError) as err:
        raise CheckpointError(
            f"{meta_path} is corrupted: it is not valid JSON ({err}). The saved model cannot "
            "be loaded; restore it from a copy."
        ) from None


def parse_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The checked ``evotrain.json`` of the saved model at ``path``: UTF-8 JSON, this
    format, a version this evotrain reads, an intact seal (format 2) and valid fields. The
    other files are not looked at (see :func:`verify_files`).

    Raises:
        FileNotFoundError: nothing at ``path``.
        CheckpointError: anything else wrong, with the reason.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No saved model at {path}.")
    meta_path = os.path.join(path, META_FILE)
    if not os.path.isfile(meta_path):
        raise CheckpointError(f"{path} is not a saved evotrain model (no {META_FILE}).")
    try:
        with open(meta_path, "rb") as f:
            raw = f.read(MAX_META_BYTES + 1)
    except OSError as err:
        raise CheckpointError(f"{meta_path} cannot be read: {err}.") from err
    if len(raw) > MAX_META_BYTES:
        raise CheckpointError(
            f"{meta_path} is larger than {MAX_META_BYTES} bytes, far more than evotrain "
            "writes: it is corrupted or not evotrain's. The saved model is not loaded."
        )
    meta = _decode(raw, meta_path)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{meta_path} does not describe an evotrain model.")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CheckpointError(
            f"{meta_path} has an invalid format_version {version!r}: it is corrupted."
        )
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"The model at {path} has format version {version}; this evotrain reads up to "
            f"{FORMAT_VERSION}. Upgrade evotrain to load it (if no newer evotrain saved it, "
            f"its {META_FILE} is corrupted)."
        )
    sealed = version >= 2 or SEAL_FIELD in meta or FILES_FIELD in meta
    if sealed:
        problem = seal_problem(raw, meta)
        if problem is not None:
            raise CheckpointError(
                f"{meta_path} does not match the sha256 it records ({problem}): the file "
                "was changed or corrupted. The saved model is not loaded; restore it from "
                "a copy or save the model again."
            )
    where = validate_metadata(meta, sealed=sealed, state_dir=STATE_DIR)
    if where is not None:
        raise CheckpointError(
            f"{meta_path} is invalid: {where}. It is corrupted or was edited by hand; the "
            "saved model is not loaded. Restore it from a copy or save the model again."
        )
    return meta


def verify_files(path: str | os.PathLike[str], meta: dict[str, Any]) -> bool:
    """Checks the files of the saved model at ``path`` against the hashes its (parsed)
    ``meta`` records. Returns False for a format 1 model, which records none.

    Raises:
        CheckpointError: a file is changed, missing or added (named in the message).
    """
    if FILES_FIELD not in meta:
        return False
    diff = diff_hashes(meta[FILES_FIELD], path, exclude={META_FILE})
    if not diff:
        return True
    parts = []
    if diff.changed:
        verb = "does" if len(diff.changed) == 1 else "do"
        parts.append(
            f"{', '.join(diff.changed)} {verb} not match the sha256 recorded at save time: "
            "the file was changed or corrupted"
        )
    if diff.missing:
        parts.append(f"missing (recorded at save time): {', '.join(diff.missing)}")
    if diff.added:
        parts.append(f"not written by save (remove it): {', '.join(diff.added)}")
    raise CheckpointError(
        f"The saved model at {os.fspath(path)} is corrupted or incomplete: "
        + "; ".join(parts)
        + ". It is not loaded; restore the folder from a copy or save the model again."
    )


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "HISTORY_FILE",
    "META_FILE",
    "STATE_DIR",
    "CheckpointError",
    "UnverifiedCheckpointWarning",
    "parse_metadata",
    "sealed_metadata",
    "verify_files",
]
