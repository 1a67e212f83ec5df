"""Topology drawings, learning curves and the NEAT model's drawing/export methods."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from evotrain import NEAT
from evotrain.logging import configure
from evotrain.networks.numpy_network import NumpyNetwork
from evotrain.viz import (
    network_layout,
    node_depths,
    plot_learning_curve,
    plot_network,
    read_progress,
)
from evotrain.viz.network import NEGATIVE, POSITIVE


def _node(key, kind, act="tanh"):
    return {
        "key": key,
        "type": kind,
        "bias": 0.1,
        "response": 1.0,
        "activation": act,
        "aggregation": "sum",
    }


GENOME = {
    "feedforward": True,
    "num_inputs": 2,
    "num_outputs": 1,
    "output_activation": None,
    "nodes": [
        _node(0, "input"),
        _node(1, "input"),
        _node(2, "output"),
        _node(3, "hidden", "relu"),
        _node(4, "hidden", "sin"),
    ],
    "connections": [
        {"in": 0, "out": 3, "weight": 2.0, "enabled": True},
        {"in": 3, "out": 4, "weight": -1.5, "enabled": True},
        {"in": 4, "out": 2, "weight": 0.5, "enabled": True},
        {"in": 1, "out": 2, "weight": -0.2, "enabled": False},
    ],
}


def test_layout_columns_follow_depth():
    assert node_depths(GENOME) == {0: 0, 1: 0, 3: 1, 4: 2, 2: 3}
    pos = network_layout(GENOME)
    assert pos[0][0] == pos[1][0] == 0.0 and pos[2][0] == 1.0
    assert 0.0 < pos[3][0] < pos[4][0] < 1.0
    assert all(0.0 <= y <= 1.0 for _, y in pos.values())


def test_recurrent_layout_ignores_cycles():
    genome = {**GENOME, "feedforward": False}
    genome["connections"] = GENOME["connections"] + [
        {"in": 4, "out": 3, "weight": 1.0, "enabled": True},
        {"in": 3, "out": 3, "weight": 1.0, "enabled": True},
    ]
    depths = node_depths(genome)
    assert depths[3] == 1 and depths[4] == 2


def test_svg_colours_widths_and_dashes(tmp_path):
    out = plot_network(
        GENOME, tmp_path / "net.svg", input_names=["pos", "vel"], output_names=["force"]
    )
    svg = out.read_text()
    ET.fromstring(svg)  # well-formed
    assert "pos" in svg and "force" in svg and "relu" in svg
    assert POSITIVE.lower() in svg.lower() and NEGATIVE.lower() in svg.lower()
    groups = {
        g.get("id"): ET.tostring(g, encoding="unicode")
        for g in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")
    }
    dashed = {
        gid
        for gid, text in groups.items()
        if gid and gid.startswith("conn_") and "stroke-dasharray" in text
    }
    assert {gid for gid in groups if gid and gid.startswith("conn_")} == {
        "conn_0_3",
        "conn_3_4",
        "conn_4_2",
        "conn_1_2",
    }
    assert dashed == {"conn_1_2"}  # only the disabled connection
    plain = plot_network(GENOME, tmp_path / "net2.svg", show_disabled=False).read_text()
    assert "stroke-dasharray" not in plain


def test_png_is_drawn_and_nothing_is_overwritten(tmp_path):
    out = plot_network(GENOME, tmp_path / "net.png")
    image = np.asarray(Image.open(out).convert("L"), np.float32)
    assert image.shape[0] > 100 and image.shape[1] > 100 and image.std() > 5.0
    with pytest.raises(FileExistsError, match="overwrite=True"):
        plot_network(GENOME, out)
    with pytest.raises(ValueError, match="svg"):
        plot_network(GENOME, tmp_path / "net.txt")
    with pytest.raises(ValueError, match="2 inputs"):
        plot_network(GENOME, tmp_path / "other.svg", input_names=["a"])


def test_trained_model_draws_exports_and_plots_its_log(tmp_path):
    model = NEAT("FeedForward", "xor", pop_size=50, max_nodes=12, max_conns=24, seed=1, verbose=0)
    model.set_logger(configure(str(tmp_path / "run"), ["csv"]))
    model.learn(4)
    assert model.plot_network(tmp_path / "best.svg").is_file()
    ns: dict = {}
    exec(model.to_python(), ns)
    reference = NumpyNetwork(model.best_genome)
    for x in [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]:
        np.testing.assert_allclose(
            ns["forward"](list(x)), reference.activate(x), rtol=1e-9, atol=1e-12
        )
    assert "y_{0}" in model.to_latex()
    columns = read_progress(tmp_path / "run")
    assert columns["time/generations"] == [1.0, 2.0, 3.0, 4.0]
    png = plot_learning_curve(tmp_path / "run", tmp_path / "curve.png", x="time/generations")
    assert np.asarray(Image.open(png).convert("L"), np.float32).std() > 5.0
    with pytest.raises(KeyError, match="fitness/max"):
        plot_learning_curve(tmp_path / "run", tmp_path / "c2.png", x="no/such")
    with pytest.raises(FileNotFoundError, match="csv"):
        read_progress(tmp_path / "missing")
