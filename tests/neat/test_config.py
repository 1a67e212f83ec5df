import pytest

from evotrain.neat import (
    GenomeConfig,
    NEATParams,
    check_params,
    get_aggregation,
    register_aggregation,
)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_conns": 5}, r"max_conns=5 is smaller than the initial connections \(4 inputs x 2"),
        ({"max_nodes": 5}, r"max_nodes=5 is smaller than inputs \+ outputs = 6"),
        ({"activation_options": ("tanh", "swish_x")}, "Unknown activation 'swish_x'"),
        (
            {"aggregation_options": ("median_x",), "aggregation_default": "median_x"},
            "Unknown aggregation",
        ),
        ({"activation_default": "relu"}, "not in activation_options"),
    ],
)
def test_bad_genome_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GenomeConfig(4, 2, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"node_add": 1.5}, "node_add must be a probability"),
        ({"conn_delete": -0.1}, "conn_delete must be a probability"),
        ({"weight_mutate_rate": 0.8, "weight_replace_rate": 0.5}, "exceeds 1"),
        ({"bias_min": 1.0, "bias_max": -1.0}, "bias_min=1.0 is above"),
        ({"weight_mutate_power": -1.0}, "weight_mutate_power"),
    ],
)
def test_bad_params(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_params(NEATParams(**kwargs))


def test_register_aggregation():
    register_aggregation("first_for_test", lambda v, m: v[..., 0])
    assert get_aggregation("first_for_test") is not None
    with pytest.raises(ValueError, match="already exists"):
        register_aggregation("first_for_test", lambda v, m: v[..., 0])
