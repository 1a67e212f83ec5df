"""Drawings of a HyperNEAT substrate network at its neurons' coordinates."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from evotrain.hyperneat import CPPNConfig, MLPSubstrate, Substrate, SubstrateNetwork
from evotrain.hyperneat.export import substrate_to_dict
from evotrain.viz import plot_substrate
from evotrain.viz.network import NEGATIVE, POSITIVE
from evotrain.viz.substrate import substrate_layout
from tests.hyperneat.test_cppn import blog_cppn
from tests.hyperneat.test_export import hand_cppn
from tests.viz.test_network_plot import GENOME

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def layered():
    """The blog's CPPN on a 2-D 4-5-3 layered substrate."""
    cppn, genome = blog_cppn()
    network = SubstrateNetwork(MLPSubstrate(4, 3, hidden_layers=(5,)), cppn.config)
    return substrate_to_dict(network, genome)


@pytest.fixture(scope="module")
def body():
    """A recurrent 4-D ``(x, y, z, layer)`` substrate, like the Brax body substrates:
    weight ``tanh(x1 - x2 + layer2)`` (inputs x1, y1, z1, l1, x2, y2, z2, l2, d)."""
    config, genome = hand_cppn(9, 1, [(0, 9, 1.0), (4, 9, -1.0), (7, 9, 1.0)])
    xs = np.linspace(-1.0, 1.0, 6)
    inputs = [(x, 0.1 * i, 0.0, -1.0 + 0.1 * (i % 2)) for i, x in enumerate(xs)]
    hidden = [(x, 0.0, 0.5, 0.0) for x in (-0.5, 0.5)]
    outputs = [(-0.8, 0.0, 0.2, 1.0), (0.8, 0.0, 0.2, 1.0)]
    substrate = Substrate(inputs=inputs, outputs=outputs, hidden=(hidden,))
    network = SubstrateNetwork(substrate, config, CPPNConfig(), recurrent=True)
    return substrate_to_dict(network, genome)


def _connection_paths(svg: str) -> int:
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("id") == "connections":
            return len(list(group.iter(f"{SVG}path")))
    return 0


def test_svg_and_png_are_drawn(tmp_path, layered):
    out = plot_substrate(layered, tmp_path / "sub.svg")
    svg = out.read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "<svg" in svg
    ET.fromstring(svg)  # well-formed
    assert POSITIVE.lower() in svg.lower() and NEGATIVE.lower() in svg.lower()
    ids = {g.get("id") for g in ET.fromstring(svg).iter(f"{SVG}g")}
    assert {"input_neurons", "hidden_neurons", "output_neurons", "connections"} <= ids
    assert _connection_paths(svg) == len(layered["connections"])
    png = plot_substrate(layered, tmp_path / "sub.png", title="a substrate")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = np.asarray(Image.open(png).convert("L"), np.float32)
    assert image.shape[0] > 100 and image.shape[1] > 100 and image.std() > 5.0
    with pytest.raises(FileExistsError, match="overwrite=True"):
        plot_substrate(layered, png)
    assert plot_substrate(layered, png, overwrite=True) == png


def test_only_the_strongest_lines_are_drawn(tmp_path, layered):
    svg = plot_substrate(layered, tmp_path / "few.svg", max_lines=5).read_text()
    assert _connection_paths(svg) == 5
    assert "5 strongest drawn" in svg


def test_four_d_coordinates_default_to_x_against_layer(tmp_path, body):
    pos, labels = substrate_layout(body)
    assert labels == ("x", "layer")
    for key, (across, up) in pos.items():
        coords = body["positions"][str(key)]
        assert (across, up) == (coords[0], coords[3])
    assert {pos[k][1] for k in (6, 7)} == {1.0}  # outputs on the top layer
    assert substrate_layout(body, axes=(1, 2))[1] == ("y", "z")
    assert any(c["in"] == c["out"] for c in body["connections"])  # self-connections
    svg = plot_substrate(body, tmp_path / "body.svg").read_text()
    ET.fromstring(svg)
    assert "recurrent substrate" in svg
    pdf = plot_substrate(body, tmp_path / "body.pdf", axes=(0, 1))
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_errors(tmp_path, layered):
    with pytest.raises(ValueError, match="svg"):
        plot_substrate(layered, tmp_path / "sub.txt")
    with pytest.raises(ValueError, match="plot_network"):
        plot_substrate(GENOME, tmp_path / "genome.svg")
    with pytest.raises(ValueError, match="substrate_to_dict"):
        plot_substrate([1, 2], tmp_path / "list.svg")
    broken = {**layered, "positions": {"0": [0.0, 1.0]}}
    with pytest.raises(ValueError, match="position"):
        plot_substrate(broken, tmp_path / "broken.svg")
    for axes in [(0, 0), (0, 2), (0,), (0, 1, 1), "xy", (0.0, 1.0), (-1, 0)]:
        with pytest.raises(ValueError, match="axes"):
            plot_substrate(layered, tmp_path / "axes.svg", axes=axes)
    with pytest.raises(ValueError, match="max_lines"):
        plot_substrate(layered, tmp_path / "lines.svg", max_lines=-1)
    assert not list(tmp_path.iterdir())  # nothing written for a refused call
