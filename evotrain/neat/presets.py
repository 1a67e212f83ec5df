"""Named NEAT configurations (keyword values for :class:`evotrain.NEAT`)."""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    # The TensorNEAT paper's Appendix C (its experiments' hyperparameters).
    "tensorneat": {
        "max_nodes": 50,
        "max_conns": 100,
        "max_species": 10,
        "compatibility_disjoint": 1.0,
        "compatibility_homologous": 0.5,
        "node_add": 0.2,
        "node_delete": 0.0,
        "conn_add": 0.4,
        "conn_delete": 0.0,
        "compatibility_threshold": 3.5,
        "species_elitism": 2,
        "max_stagnation": 15,
        "genome_elitism": 2,
        "survival_threshold": 0.2,
        "spawn_number_change_rate": 0.5,
        "bias_init_mean": 0.0,
        "bias_init_std": 1.0,
        "bias_mutate_power": 0.5,
        "bias_mutate_rate": 0.7,
        "bias_replace_rate": 0.1,
        "response_init_mean": 1.0,
        "response_init_std": 0.0,
        "response_mutate_power": 0.0,
        "response_mutate_rate": 0.0,
        "response_replace_rate": 0.0,
        "weight_init_mean": 0.0,
        "weight_init_std": 1.0,
        "weight_mutate_power": 0.5,
        "weight_mutate_rate": 0.8,
        "weight_replace_rate": 0.1,
        "activation_default": "tanh",
        "activation_options": ("tanh",),
        "activation_replace_rate": 0.0,
        "output_activation": None,
        "aggregation_default": "sum",
        "aggregation_options": ("sum",),
        "aggregation_replace_rate": 0.0,
        "allocation": "rank",
    },
    # neat-python's examples/xor/config-feedforward.
    "neat-python-xor": {
        "pop_size": 150,
        "activation_default": "scaled_sigmoid",
        "activation_options": ("scaled_sigmoid",),
        "activation_replace_rate": 0.0,
        "output_activation": None,
        "aggregation_default": "sum",
        "aggregation_options": ("sum",),
        "aggregation_replace_rate": 0.0,
        "bias_init_mean": 0.0,
        "bias_init_std": 1.0,
        "bias_max": 30.0,
        "bias_min": -30.0,
        "bias_mutate_power": 0.5,
        "bias_mutate_rate": 0.7,
        "bias_replace_rate": 0.1,
        "compatibility_disjoint": 1.0,
        "compatibility_homologous": 0.5,
        "conn_add": 0.5,
        "conn_delete": 0.5,
        "enabled_mutate_rate": 0.01,
        "node_add": 0.2,
        "node_delete": 0.2,
        "response_init_mean": 1.0,
        "response_init_std": 0.0,
        "response_mutate_power": 0.0,
        "response_mutate_rate": 0.0,
        "response_replace_rate": 0.0,
        "weight_init_mean": 0.0,
        "weight_init_std": 1.0,
        "weight_max": 30.0,
        "weight_min": -30.0,
        "weight_mutate_power": 0.5,
        "weight_mutate_rate": 0.8,
        "weight_replace_rate": 0.1,
        "compatibility_threshold": 3.0,
        "max_stagnation": 20,
        "species_elitism": 2,
        "genome_elitism": 2,
        "survival_threshold": 0.2,
        "min_species_size": 2,
        "allocation": "fitness",
    },
}
# The TensorNEAT paper's values (rank allocation) with the defaults' compatibility
# threshold, sigmoid outputs and parents drawn from each species' top 10%. Chosen on XOR
# seeds 0-29 among single changes to the defaults and pairs of the best of them
# (BENCHMARKS.md has the sweep and the 100-seed figures; the NEAT paper: 100/100, 32
# generations, 2.35 hidden nodes).
PRESETS["xor"] = {
    **PRESETS["tensorneat"],
    "pop_size": 150,
    "compatibility_threshold": 2.5,
    "survival_threshold": 0.1,
    "output_activation": "scaled_sigmoid",
}


def legacy_preset(name: str) -> dict[str, Any]:
    """A preset as evotrain 0.1 defined it (the settings a 0.1 save that names it holds).

    Raises:
        ValueError: for an unknown name.
    """
    if name == "xor":  # neat-python's XOR values without deletions, more node additions
        return {
            **get_preset("neat-python-xor"),
            "node_delete": 0.0,
            "conn_delete": 0.0,
            "node_add": 0.3,
            "compatibility_threshold": 2.0,
        }
    return get_preset(name)  # the others are unchanged


def get_preset(name: str) -> dict[str, Any]:
    """A copy of the named preset.

    Raises:
        ValueError: for an unknown name.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown NEAT preset {name!r}; available: {', '.join(PRESETS)}.")
    return dict(PRESETS[name])
