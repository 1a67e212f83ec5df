"""Pure, vmappable tensor-genome operations of NEAT."""

from evotrain.neat.aggregations import AGGREGATIONS, get_aggregation, register_aggregation
from evotrain.neat.crossover import crossover
from evotrain.neat.distance import distance
from evotrain.neat.genome import AttrInit, Genome, GenomeConfig, initial_genome
from evotrain.neat.mutation import assign_split_keys, mutate_population
from evotrain.neat.params import NEATParams, check_params

__all__ = [
    "AGGREGATIONS",
    "AttrInit",
    "Genome",
    "GenomeConfig",
    "NEATParams",
    "assign_split_keys",
    "check_params",
    "crossover",
    "distance",
    "get_aggregation",
    "initial_genome",
    "mutate_population",
    "register_aggregation",
]
