"""Quality-diversity: archives of elites over a space of behaviour descriptors."""

from evotrain.qd.archive import (
    Archive,
    Insertion,
    coverage,
    empty_archive,
    fittest,
    insert,
    insert_evaluated,
    qd_score,
)
from evotrain.qd.layout import MAX_CELLS, CVTLayout, GridLayout, Layout, cvt_centroids, nearest

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
