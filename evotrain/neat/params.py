"""NEAT's tunable numbers, under the TensorNEAT paper's Appendix A names."""

from __future__ import annotations

import math

from flax import struct

from evotrain.neat.genome import AttrInit


@struct.dataclass
class NEATParams:
    """Mutation, distance and attribute hyperparameters (a pytree of floats).

    Species: genomes closer than ``compatibility_threshold`` to a species' representative
    join it; when ``compatibility_threshold_step > 0`` and ``species_target > 0`` the
    threshold moves by that step each generation toward ``species_target`` species. A
    species whose fitness has not improved for ``max_stagnation`` generations is removed,
    except the ``species_elitism`` best. Each species copies its ``genome_elitism`` best
    genomes unchanged and breeds from its top ``survival_threshold`` fraction (at least
    ``min_species_size`` parents). ``spawn_number_change_rate`` in (0, 1] is how far a
    species' size moves toward its new allocation each generation.

    Structural mutation probabilities (per genome per generation): ``node_add``,
    ``node_delete``, ``conn_add``, ``conn_delete``; ``enabled_mutate_rate`` flips a
    connection's enabled flag. Attribute mutations follow :class:`AttrInit`
    (``*_mutate_rate``, ``*_mutate_power``, ``*_replace_rate``, ``*_init_mean``,
    ``*_init_std``, ``*_min``/``*_max``). Distance: ``compatibility_disjoint`` and
    ``compatibility_homologous`` coefficients.
    """

    node_add: float = 0.2
    node_delete: float = 0.0
    conn_add: float = 0.4
    conn_delete: float = 0.0
    enabled_mutate_rate: float = 0.01
    bias_init_mean: float = 0.0
    bias_init_std: float = 1.0
    bias_mutate_power: float = 0.5
    bias_mutate_rate: float = 0.7
    bias_replace_rate: float = 0.1
    bias_min: float = -30.0
    bias_max: float = 30.0
    response_init_mean: float = 1.0
    response_init_std: float = 0.0
    response_mutate_power: float = 0.0
    response_mutate_rate: float = 0.0
    response_replace_rate: float = 0.0
    response_min: float = -30.0
    response_max: float = 30.0
    weight_init_mean: float = 0.0
    weight_init_std: float = 1.0
    weight_mutate_power: float = 0.5
    weight_mutate_rate: float = 0.8
    weight_replace_rate: float = 0.1
    weight_min: float = -30.0
    weight_max: float = 30.0
    activation_replace_rate: float = 0.0
    aggregation_replace_rate: float = 0.0
    compatibility_disjoint: float = 1.0
    compatibility_homologous: float = 0.5
    compatibility_threshold: float = 2.5
    compatibility_threshold_step: float = 0.0
    species_target: float = 0.0
    species_elitism: int = 2
    max_stagnation: int = 15
    genome_elitism: int = 2
    survival_threshold: float = 0.2
    min_species_size: int = 2
    spawn_number_change_rate: float = 0.5

    @property
    def bias(self) -> AttrInit:
        return AttrInit(
            self.bias_init_mean,
            self.bias_init_std,
            self.bias_mutate_power,
            self.bias_mutate_rate,
            self.bias_replace_rate,
            self.bias_min,
            self.bias_max,
        )

    @property
    def response(self) -> AttrInit:
        return AttrInit(
            self.response_init_mean,
            self.response_init_std,
            self.response_mutate_power,
            self.response_mutate_rate,
            self.response_replace_rate,
            self.response_min,
            self.response_max,
        )

    @property
    def weight(self) -> AttrInit:
        return AttrInit(
            self.weight_init_mean,
            self.weight_init_std,
            self.weight_mutate_power,
            self.weight_mutate_rate,
            self.weight_replace_rate,
            self.weight_min,
            self.weight_max,
        )


PROBABILITIES = (
    "node_add",
    "node_delete",
    "conn_add",
    "conn_delete",
    "enabled_mutate_rate",
    "bias_mutate_rate",
    "bias_replace_rate",
    "response_mutate_rate",
    "response_replace_rate",
    "weight_mutate_rate",
    "weight_replace_rate",
    "activation_replace_rate",
    "aggregation_replace_rate",
)


def check_params(params: NEATParams) -> None:
    """Raises ``ValueError`` for impossible values (call on concrete params)."""
    for name in PROBABILITIES:
        value = getattr(params, name)
        if not (isinstance(value, (int, float)) and 0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}.")
    for attr in ("bias", "response", "weight"):
        rate = getattr(params, f"{attr}_mutate_rate") + getattr(params, f"{attr}_replace_rate")
        if rate > 1.0 + 1e-9:
            raise ValueError(
                f"{attr}_mutate_rate + {attr}_replace_rate = {rate} exceeds 1; they are "
                "exclusive probabilities."
            )
        for suffix in ("init_std", "mutate_power"):
            value = getattr(params, f"{attr}_{suffix}")
            if value < 0 or not math.isfinite(value):
                raise ValueError(f"{attr}_{suffix} must be finite and non-negative, got {value}.")
        lo, hi = getattr(params, f"{attr}_min"), getattr(params, f"{attr}_max")
        if not lo <= hi:
            raise ValueError(f"{attr}_min={lo} is above {attr}_max={hi}.")
    for name in (
        "compatibility_disjoint",
        "compatibility_homologous",
        "compatibility_threshold_step",
        "species_target",
    ):
        if getattr(params, name) < 0:
            raise ValueError(f"{name} must be non-negative, got {getattr(params, name)}.")
    if not params.compatibility_threshold > 0:
        raise ValueError(
            f"compatibility_threshold must be positive, got {params.compatibility_threshold}."
        )
    for name in ("species_elitism", "max_stagnation", "genome_elitism", "min_species_size"):
        value = getattr(params, name)
        if int(value) != value or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    if not 0.0 < params.survival_threshold <= 1.0:
        raise ValueError(f"survival_threshold must be in (0, 1], got {params.survival_threshold}.")
    if not 0.0 < params.spawn_number_change_rate <= 1.0:
        raise ValueError(
            f"spawn_number_change_rate must be in (0, 1], got {params.spawn_number_change_rate}."
        )
