"""The one list of evotrain's algorithms.

Every place that names algorithms derives from :data:`REGISTRY`: the package's exports
(``from evotrain import NEAT``), the CLI's ``--algo`` choices, the hyperparameter files
(``zoo/hyperparams/<name>.yaml`` and their default policy), zoo ids (``<name>-<env>``),
model cards and ``algorithm_class``. Adding an algorithm is its strategy module
(``evotrain/strategies/``), its shell module (``evotrain/algorithms/``) and one
:class:`AlgorithmEntry` here.

This module imports neither JAX nor the shells: the CLI reads the names without loading
JAX, and a class is imported only when :meth:`AlgorithmEntry.load` asks for it.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
from typing import Any


@dataclasses.dataclass(frozen=True)
class AlgorithmEntry:
    """Where an algorithm's shell class lives, under its short name.

    The class itself declares the rest (``algorithm_name``, ``display_name``,
    ``default_policy``, ``policy_aliases``); a test checks that they agree with the entry.

    Attributes:
        name: the short name: ``--algo``, ``<name>.yaml``, the zoo id prefix.
        target: ``"module:ClassName"`` of the shell class.
    """

    name: str
    target: str

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def class_name(self) -> str:
        """The exported class name (``"NEAT"``), known without importing the class."""
        return self.target.partition(":")[2]

    def load(self) -> Any:
        """The shell class (imports its module, and so JAX)."""
        return getattr(importlib.import_module(self.module), self.class_name)


REGISTRY: tuple[AlgorithmEntry, ...] = (
    AlgorithmEntry("neat", "evotrain.algorithms.neat:NEAT"),
    AlgorithmEntry("hyperneat", "evotrain.algorithms.hyperneat:HyperNEAT"),
    AlgorithmEntry("eshyperneat", "evotrain.algorithms.es_hyperneat:ESHyperNEAT"),
    AlgorithmEntry("openes", "evotrain.algorithms.es:OpenES"),
    AlgorithmEntry("ga", "evotrain.algorithms.ga:GA"),
    AlgorithmEntry("cmaes", "evotrain.algorithms.evosax_family:CMAES"),
    AlgorithmEntry("sepcmaes", "evotrain.algorithms.evosax_family:SepCMAES"),
    AlgorithmEntry("snes", "evotrain.algorithms.evosax_family:SNES"),
    AlgorithmEntry("xnes", "evotrain.algorithms.evosax_family:XNES"),
    AlgorithmEntry("pgpe", "evotrain.algorithms.evosax_family:PGPE"),
    AlgorithmEntry("ars", "evotrain.algorithms.evosax_family:ARS"),
    AlgorithmEntry("evosax", "evotrain.algorithms.evosax_any:EvoSax"),
    AlgorithmEntry("mapelites", "evotrain.algorithms.map_elites:MAPElites"),
    AlgorithmEntry("cmame", "evotrain.algorithms.cma_me:CMAME"),
    AlgorithmEntry("mees", "evotrain.algorithms.me_es:MEES"),
    AlgorithmEntry("neatmapelites", "evotrain.algorithms.neat_map_elites:NEATMAPElites"),
)


def names() -> tuple[str, ...]:
    """The short names, in registry order (``("neat", "openes", "ga")``)."""
    return tuple(e.name for e in REGISTRY)


def entry(name: str) -> AlgorithmEntry:
    """The entry for a short name (``"neat"``) or class name (``"NEAT"``), any case.

    Raises:
        ValueError: for an unknown name, listing the known ones and the closest.
    """
    wanted = str(name).lower()
    for e in REGISTRY:
        if wanted in (e.name, e.class_name.lower()):
            return e
    known = [*names(), *(e.class_name for e in REGISTRY)]
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"Unknown algorithm {name!r}; known: {', '.join(names())}.{hint}")


def algorithm_class(name: str) -> Any:
    """The shell class for a short name or class name (imports it).

    Raises:
        ValueError: for an unknown name (see :func:`entry`).
    """
    return entry(name).load()


__all__ = ["REGISTRY", "AlgorithmEntry", "algorithm_class", "entry", "names"]
