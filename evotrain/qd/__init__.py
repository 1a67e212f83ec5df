"""Quality-diversity: archives of elites over a space of behaviour descriptors."""

from evotrain.qd.archive import (
    MAX_CELLS,
    Archive,
    CVTLayout,
    GridLayout,
    Insertion,
    Layout,
    coverage,
    cvt_centroids,
    empty_archive,
    fittest,
    insert,
    insert_evaluated,
    nearest,
    qd_score,
)

__all__ = [
    "MAX_CELLS",
    "Archive",
    "CVTLayout",
    "GridLayout",
    "Insertion",
    "Layout",
    "coverage",
    "cvt_centroids",
    "empty_archive",
    "fittest",
    "insert",
    "insert_evaluated",
    "nearest",
    "qd_score",
]
