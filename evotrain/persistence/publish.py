"""Where a save lands: the checks on its target and the one step that publishes the
complete save over it (see :mod:`evotrain.persistence.checkpoint`). Standard library
only, as every module here but ``checkpoint.py``."""

from __future__ import annotations

import os
import shutil
import tempfile

from evotrain.persistence.metadata import (
    FILES_FIELD,
    HISTORY_FILE,
    META_FILE,
    STATE_DIR,
    CheckpointError,
    parse_metadata,
)


def check_save_target(path: str, overwrite: bool, given: str | None = None) -> None:
    """Refuses, with an error naming ``given`` (the path as the user wrote it), a save
    target that :func:`save_model` must not write: a symbolic link, a file, a folder that
    is not a saved model, a saved model without ``overwrite`` or holding files the save
    did not write, or a path below a file.

    Raises:
        FileExistsError: as above.
        NotADirectoryError: a part of the parent is a file.
    """
    given = path if given is None else given
    if os.path.islink(path):
        target = os.readlink(path)
        state = "" if os.path.exists(path) else ", which does not exist"
        raise FileExistsError(
            f"Cannot save to {given}: it is a symbolic link to {target}{state}. evotrain "
            "never saves through a link (it would replace the link, not write where it "
            "points); save to a real path, for example the link's target, or remove the link."
        )
    ancestor = os.path.dirname(path)
    while ancestor and not os.path.lexists(ancestor):
        ancestor = os.path.dirname(ancestor)
    if ancestor and not os.path.isdir(ancestor):
        raise NotADirectoryError(
            f"Cannot save to {given}: {ancestor} is a file, not a folder. Choose a path "
            "whose parent folders are folders."
        )
    if not os.path.lexists(path):
        return
    if not os.path.isfile(os.path.join(path, META_FILE)):
        kind = (
            "a file" if not os.path.isdir(path) else "a folder that is not a saved evotrain model"
        )
        raise FileExistsError(
            f"Cannot save to {given}: it exists and is {kind} (no evotrain.json). Choose "
            "another path; evotrain never replaces it."
        )
    if not overwrite:
        raise FileExistsError(
            f"A saved model already exists at {given}; pass overwrite=True to replace it."
        )
    foreign = foreign_files(path)
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise FileExistsError(
            f"Cannot overwrite the saved model at {given}: the folder also holds files that "
            f"no save wrote ({shown}). overwrite=True replaces a saved model's own files and "
            "never deletes yours; move them out of the folder, or save elsewhere."
        )


def foreign_files(path: str) -> list[str]:
    """The files under the saved model ``path`` (relative, sorted) that its save did not
    write: those its ``evotrain.json`` does not record. A model whose ``evotrain.json``
    cannot be read, or records no hashes (format 1), owns only the save's layout
    (``evotrain.json``, ``history.json``, ``state/``)."""
    try:
        recorded = set(parse_metadata(path).get(FILES_FIELD, ()))
    except (CheckpointError, OSError):
        recorded = set()
    found = []
    for root, dirs, names in os.walk(path):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            rel = os.path.relpath(os.path.join(root, name), path).replace(os.sep, "/")
            owned = rel in recorded or rel in (META_FILE, HISTORY_FILE)
            if not recorded:
                owned = owned or rel.startswith(f"{STATE_DIR}/")
            if not owned:
                found.append(rel)
    return sorted(found)


def publish(tmp: str, path: str, overwrite: bool, given: str) -> None:
    """Moves the complete save ``tmp`` to ``path`` in one rename (process 0 only)."""
    parent = os.path.dirname(path)
    if overwrite and os.path.lexists(path):
        check_save_target(path, overwrite, given)  # again: it may have changed meanwhile
        old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.old-", dir=parent)
        try:
            os.rename(path, os.path.join(old, "model"))
        except FileNotFoundError:  # another process moved it first: create it as new
            pass
        else:
            try:
                os.rename(tmp, path)
            except OSError as err:
                raise FileExistsError(
                    f"Cannot save to {given}: another process saved there at the same moment "
                    f"and its model stands ({err.strerror})."
                ) from None
            finally:
                shutil.rmtree(old, ignore_errors=True)
            return
        os.rmdir(old)
    # Exclusive creation: mkdir claims the new path (it fails if anything is there), and the
    # rename then replaces that empty claim with the complete model in one step.
    try:
        os.mkdir(path)
    except FileExistsError:
        raise FileExistsError(
            f"Cannot save to {given}: another process created it first (a saved model "
            "or something else is there now); nothing was replaced. Save to another "
            "path, or pass overwrite=True to replace a saved model."
        ) from None
    try:
        os.rename(tmp, path)
    except BaseException:
        os.rmdir(path)
        raise


__all__ = ["check_save_target", "foreign_files", "publish"]
