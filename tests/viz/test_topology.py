"""Demo 1: a NEAT run's topology recorded per generation, animated as a GIF (one frame per
generation) and as an HTML page that loads nothing from the network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from evotrain import NEAT, OpenES
from evotrain.callbacks import RecordTopology, read_topology
from evotrain.cli import main
from evotrain.viz import animate_topology


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xor")
    model = NEAT("FeedForward", "xor", preset="xor", seed=0, pop_size=30)
    model.learn(6, callback=RecordTopology(folder))
    return folder, model


def test_every_generation_is_recorded_with_its_best_genome(run):
    folder, model = run
    records = read_topology(folder)
    assert [r["generation"] for r in records] == list(range(1, 7))
    assert records[-1]["genome"] == model.best_ever_genome
    assert records[-1]["best_fitness"] == pytest.approx(float(model.train_state.best_fitness))
    first = records[0]["genome"]  # it starts from every input wired to the output
    n_in = first["num_inputs"]
    assert {(i, n_in) for i in range(n_in)} <= {(c["in"], c["out"]) for c in first["connections"]}


def test_the_gif_has_one_frame_per_generation(run, tmp_path):
    folder, _ = run
    out = animate_topology(folder, tmp_path / "xor.gif")
    with Image.open(out) as gif:
        assert gif.n_frames == 6
    with pytest.raises(FileExistsError, match="overwrite=True"):
        animate_topology(folder, out)


def test_the_html_page_is_self_contained(run, tmp_path):
    folder, _ = run
    assert main(["animate", str(folder), "--out", str(tmp_path / "xor.html")]) == 0
    text = (tmp_path / "xor.html").read_text()
    assert not re.search(r"https?://|//cdn|<script[^>]+src=|<link[^>]+href=|@import", text)
    data = json.loads(re.search(r"const DATA = (\[.*?\]);\n", text, re.S).group(1))
    assert [d["g"] for d in data] == list(range(1, 7))
    assert 'type="range"' in text and "drawNet" in text


def test_the_command_animates_a_run_without_importing_jax(run, tmp_path):
    folder, _ = run
    child = (
        "import sys; from evotrain.cli import main; "
        f"code = main(['animate', {str(folder)!r}, '--out', {str(tmp_path / 'xor.gif')!r}]); "
        "print('JAX', 'jax' in sys.modules, 'CODE', code)"
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "JAX False CODE 0", out.stderr[-2000:]
    with Image.open(tmp_path / "xor.gif") as gif:
        assert gif.n_frames == 6


BROWSER = next(
    (
        path
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (path := shutil.which(name))
    ),
    None,
)


@pytest.mark.skipif(BROWSER is None, reason="no Chromium here (Debian: apt-get install chromium)")
def test_a_headless_browser_draws_the_page_with_the_network_cut_off(run, tmp_path):
    folder, _ = run
    page = animate_topology(folder, tmp_path / "xor.html")
    shot = tmp_path / "shot.png"
    offline = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9"]
    subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", *offline,
         "--window-size=1100,700", "--virtual-time-budget=3000", f"--screenshot={shot}",
         page.as_uri()],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    rgb = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    blue = (b - r > 60) & (b - g > 30)  # positive connections
    red = (r - b > 60) & (r - g > 60)  # negative connections
    dark = rgb.sum(axis=-1) < 200  # text and node outlines
    assert rgb.std() > 10, "the page rendered blank"
    # The script drew the network: connections exist only once it has run.
    assert blue.sum() + red.sum() > 500 and dark.sum() > 200, (blue.sum(), red.sum(), dark.sum())


def test_bad_uses_are_refused(run, tmp_path):
    folder, _ = run
    with pytest.raises(ValueError, match=".gif or .html"):
        animate_topology(folder, tmp_path / "xor.mp4")
    with pytest.raises(FileNotFoundError, match="RecordTopology"):
        animate_topology(tmp_path, tmp_path / "x.gif")
    with pytest.raises(TypeError, match="records NEAT genomes"):
        OpenES("MlpPolicy", "xor", pop_size=4).learn(1, callback=RecordTopology(tmp_path))
    model = NEAT("FeedForward", "xor", preset="xor", seed=1, pop_size=30)
    with pytest.raises(FileExistsError, match="already records generations up to 6"):
        model.learn(1, callback=RecordTopology(folder))
