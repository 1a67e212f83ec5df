"""Persistence helpers shared by saved models and the zoo, on the standard library only.

* :mod:`~evotrain.persistence.integrity`: sha256 of files and folders, comparing a folder
  with recorded hashes, and self-sealed JSON documents.
* :mod:`~evotrain.persistence.metadata`: reading and checking a saved model's
  ``evotrain.json`` and its files (used by :mod:`evotrain.persistence.checkpoint`).
* :mod:`~evotrain.persistence.validate`: the field checks and size bounds of that file.
"""

from __future__ import annotations

from evotrain.persistence.integrity import (
    SEAL_FIELD,
    HashDiff,
    canonical_json,
    diff_hashes,
    file_hashes,
    is_safe_relative_path,
    is_sha256_hex,
    seal_json,
    seal_problem,
    sha256_of,
)
from evotrain.persistence.metadata import (
    CheckpointError,
    UnverifiedCheckpointWarning,
    parse_metadata,
    sealed_metadata,
    verify_files,
)
from evotrain.persistence.validate import validate_metadata

__all__ = [
    "SEAL_FIELD",
    "CheckpointError",
    "HashDiff",
    "UnverifiedCheckpointWarning",
    "canonical_json",
    "diff_hashes",
    "file_hashes",
    "is_safe_relative_path",
    "is_sha256_hex",
    "parse_metadata",
    "seal_json",
    "seal_problem",
    "sealed_metadata",
    "sha256_of",
    "validate_metadata",
    "verify_files",
]
