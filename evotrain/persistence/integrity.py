"""File integrity by sha256: hashing a folder, comparing it with recorded hashes, and
JSON documents that carry the hash of their own content.

This is the one hashing code of evotrain: the zoo's manifests (``evotrain.zoo``) and saved
models (``evotrain.persistence.checkpoint``) both use it. It imports only the standard library.

A *sealed* JSON document (:func:`seal_json`, :func:`seal_problem`) holds a ``sha256``
field equal to the sha256 of the document's canonical serialization without that field,
and the file's bytes must be exactly the canonical serialization of the whole document.
Any change of the bytes is then refused: a change that keeps the JSON valid either leaves
it non-canonical (e.g. a flipped whitespace byte) or changes a value, and so the hash.

These hashes detect corruption and accidental edits; they are not a signature: whoever
can write the files can also rewrite the hashes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

SEAL_FIELD = "sha256"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(folder: str | os.PathLike[str], exclude: Collection[str] = ()) -> dict[str, str]:
    """sha256 of every file under ``folder``, keyed by POSIX relative path, sorted.

    Args:
        folder: the folder to hash (hidden files and subfolders included).
        exclude: relative POSIX paths left out (e.g. the manifest that lists the hashes).
    """
    folder = Path(folder)
    hashes = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel not in exclude:
            hashes[rel] = sha256_of(path)
    return hashes


def is_sha256_hex(value: Any) -> bool:
    """Whether ``value`` is a hex sha256 as :func:`sha256_of` writes it (64 lowercase hex)."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def is_safe_relative_path(value: Any) -> bool:
    """Whether ``value`` is a plain relative POSIX path that stays inside its folder: not
    empty or absolute, no ``..``, ``.`` or empty parts, no backslash or NUL."""
    if not isinstance(value, str) or not value or "\\" in value or "\0" in value:
        return False
    return all(part not in ("", ".", "..") for part in value.split("/"))


@dataclasses.dataclass(frozen=True)
class HashDiff:
    """How a folder differs from recorded hashes (each a sorted tuple of relative paths).

    Attributes:
        missing: recorded but absent.
        added: present but not recorded.
        changed: present with another sha256 than recorded.
    """

    missing: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """True when there is any difference."""
        return bool(self.missing or self.added or self.changed)

    def describe(self, added_label: str = "not recorded") -> str:
        """``"changed: a; missing: b; <added_label>: c"`` (the non-empty parts only)."""
        parts = [
            f"{label}: {', '.join(names)}"
            for label, names in (
                ("changed", self.changed),
                ("missing", self.missing),
                (added_label, self.added),
            )
            if names
        ]
        return "; ".join(parts)


def diff_hashes(
    recorded: Mapping[str, str], folder: str | os.PathLike[str], exclude: Collection[str] = ()
) -> HashDiff:
    """Compares the hashes ``recorded`` (as :func:`file_hashes` wrote them) with the files
    now under ``folder`` (less ``exclude``); an empty :class:`HashDiff` means identical."""
    actual = file_hashes(folder, exclude)
    return HashDiff(
        missing=tuple(sorted(set(recorded) - set(actual))),
        added=tuple(sorted(set(actual) - set(recorded))),
        changed=tuple(sorted(k for k in set(recorded) & set(actual) if recorded[k] != actual[k])),
    )


def canonical_json(doc: Any) -> bytes:
    """The canonical serialization of ``doc``: 2-space indent, ASCII only (other
    characters escaped), keys in the document's order, a final newline."""
    return (json.dumps(doc, indent=2, ensure_ascii=True, allow_nan=True) + "\n").encode("ascii")


def _content_hash(doc: Mapping[str, Any], field: str) -> str:
    body = {k: v for k, v in doc.items() if k != field}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def seal_json(doc: Mapping[str, Any], field: str = SEAL_FIELD) -> bytes:
    """The bytes of ``doc`` sealed: ``doc`` plus ``field`` (last) holding the sha256 of the
    canonical serialization of ``doc`` without it, serialized canonically."""
    body = {k: v for k, v in doc.items() if k != field}
    return canonical_json({**body, field: _content_hash(body, field)})


def seal_problem(raw: bytes, doc: Any, field: str = SEAL_FIELD) -> str | None:
    """What is wrong with the sealed document ``doc`` parsed from the bytes ``raw``, or
    None when its seal holds (see the module docs)."""
    if not isinstance(doc, dict):
        return "it is not a JSON object"
    if not is_sha256_hex(doc.get(field)):
        return f"its {field!r} field is missing or not a 64-digit lowercase hex sha256"
    if canonical_json(doc) != raw:
        return "its bytes are not the canonical serialization evotrain writes (it was edited)"
    if doc[field] != _content_hash(doc, field):
        return f"its content does not match its own {field!r} field"
    return None


__all__ = [
    "SEAL_FIELD",
    "HashDiff",
    "canonical_json",
    "diff_hashes",
    "file_hashes",
    "is_safe_relative_path",
    "is_sha256_hex",
    "seal_json",
    "seal_problem",
    "sha256_of",
]
