"""``NEATMAPElites(policy, env, descriptor=...)``: MAP-Elites over NEAT genomes behind the
SB3-style shell.

The archive holds a network per cell of the behaviour-descriptor space whose topology
evolves too: each batch is mutated copies (NEAT's mutations, no speciation) of elites drawn
uniformly, a quarter of them crossed with a second elite first (``crossover_rate``;
:mod:`evotrain.strategies.genome_map_elites`). It is the genome-population
shell (:class:`~evotrain.algorithms.genome_family.GenomeFamily`: capacity levels, every
genome keyword, genome export and drawings) with the quality-diversity shell's archive
keywords, ``select`` and ``elite``
(:class:`~evotrain.algorithms.qd_family.QDFamily`).
"""

from __future__ import annotations

import functools
from typing import Any, final

from evotrain.algorithms.genome_family import GenomeFamily
from evotrain.algorithms.genome_search import GenomeSearch
from evotrain.algorithms.qd_family import QD_COLUMNS, QDFamily, QDSettings
from evotrain.neat.genome import GenomeConfig
from evotrain.neat.params import NEATParams, check_params
from evotrain.networks.neat_network import NEATNetwork
from evotrain.strategies.genome_map_elites import GenomeMAPElites, GenomeMAPElitesConfig


def _build(genome: GenomeConfig, pop_size: int, options: dict[str, Any]) -> GenomeMAPElites:
    return GenomeMAPElites(GenomeMAPElitesConfig(genome=genome, pop_size=pop_size, **options))


GENOME_MAP_ELITES = GenomeSearch(
    name="MAP-Elites over genomes",
    options={"crossover_rate": 0.25},
    params=NEATParams,
    build=_build,
    check=check_params,
    columns=QD_COLUMNS,
)
"""MAP-Elites' search over NEAT genomes (its cells come from the shell: ``layout``)."""


@final
class NEATMAPElites(GenomeFamily, QDFamily):
    """MAP-Elites whose individuals are NEAT networks (see the module docs).

    Args:
        policy: ``"FeedForward"`` or ``"Recurrent"`` (as for :class:`~evotrain.NEAT`).
        env: a jittable env id or object that declares behaviour descriptors.
        crossover_rate: the share of each batch made by NEAT's crossover of two elites
            before mutation (0: mutated copies only).
        **kwargs: the archive's keywords (``descriptor``, ``bins`` or ``cells``,
            ``low``/``high``, ``cvt_seed``, ``qd_offset``; see
            :class:`~evotrain.algorithms.qd_family.QDFamily`), every genome layout and
            :class:`~evotrain.neat.NEATParams` keyword (mutation rates, ``max_nodes``,
            ...), ``preset``, and the shell's; the signature lists them all.
    """

    algorithm_name = "neatmapelites"
    display_name = "MAP-Elites (NEAT genomes)"
    search = GENOME_MAP_ELITES
    settings_bases = (QDSettings,)
    policy_aliases = {
        "FeedForward": functools.partial(NEATNetwork.for_sizes, feedforward=True),
        "Recurrent": functools.partial(NEATNetwork.for_sizes, feedforward=False),
    }

    acting_fitness = QDFamily.acting_fitness  # the elite's, not the last batch's best

    def _build_options(self) -> dict[str, Any]:
        return {
            **self.search_options,
            "layout": self._layout(),
            "qd_offset": float(self.settings.qd_offset),
        }


__all__ = ["GENOME_MAP_ELITES", "NEATMAPElites"]
