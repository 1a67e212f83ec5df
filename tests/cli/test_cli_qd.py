"""Quality-diversity from the command line: a run records its archive filling in, the zoo
card shows the heatmap, the animation and a few elites' rollouts, ``evotrain archive``
draws a saved archive and ``evotrain animate`` its filling in."""

import json

import numpy as np
import pytest
from PIL import Image

from evotrain import zoo
from evotrain.callbacks import RecordArchive, read_archive_records
from evotrain.cli import main

ENV = "gymnax:MountainCar-v0"
TINY = """
gymnax:MountainCar-v0:
  policy: MlpPolicy
  generations: 4
  pop_size: 16
  bins: [6, 5]
  policy_kwargs: {net_arch: [4]}
  max_episode_steps: 40
  qd_offset: -200.0
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One tiny MAP-Elites run through `evotrain train --zoo`, shared by the tests."""
    root = tmp_path_factory.mktemp("qd")
    (root / "mapelites.yaml").write_text(TINY)
    argv = ["train", "--algo", "mapelites", "--env", ENV, "-c", str(root / "mapelites.yaml")]
    argv += ["-f", str(root / "runs"), "--no-progress", "--zoo", "--zoo-dir", str(root / "zoo")]
    assert main(argv) == 0
    return root


def test_the_run_records_its_archive_and_the_card_shows_it(built):
    run = built / "runs" / "mapelites" / "gymnax-MountainCar-v0_1"
    layout, records = read_archive_records(run)
    assert layout["kind"] == "grid" and layout["bins"] == [6, 5]
    assert [r["generation"] for r in records] == [1, 2, 3, 4]
    agent = zoo.get("mapelites-gymnax-MountainCar-v0", built / "zoo")
    m = agent.manifest
    archive = m["archive"]
    assert archive["descriptor"] == "final_obs" and archive["cells"] == 30
    assert archive["filled"] == len(records[-1]["cells"]) and archive["coverage"] > 0
    expected = sum(f + 200.0 for f in records[-1]["fitness"])
    assert archive["qd_score"] == pytest.approx(expected, rel=1e-6)
    assert 1 <= len(archive["elites"]) <= 3
    # The fittest elite is the one the agent acts with: its rollout is the card's own.
    assert archive["elites"][0]["video"] == m["video"]
    assert archive["elites"][0]["evaluation"]["mean"] == m["evaluation"]["mean"]
    files = set(m["files"])
    assert {"archive.png", "archive.gif"} <= files
    assert {e["video"]["file"] for e in archive["elites"]} <= files
    card = (agent.path / "README.md").read_text()
    assert "## Archive" in card and "![archive](archive.png)" in card
    assert "![archive filling](archive.gif)" in card
    with Image.open(agent.path / "archive.gif") as gif:
        assert gif.n_frames == 4
    # The loaded agent acts with its fittest elite, and with the one select() picks.
    model = zoo.load(agent.id, built / "zoo")
    best = archive["elites"][0]
    assert model.acting_fitness == pytest.approx(best["fitness"])
    for elite in archive["elites"]:
        model.select(elite["descriptor"])
        assert model.acting_fitness == pytest.approx(elite["fitness"])
        np.testing.assert_array_equal(
            np.asarray(model.policy_params), model.elite(elite["cell"])["params"]
        )
    assert model.predict(np.zeros((2,), np.float32))[0].shape == ()


def test_archive_and_animate_commands(built, capsys):
    model_dir = zoo.get("mapelites-gymnax-MountainCar-v0", built / "zoo").path / "model"
    out, table = built / "look" / "archive.png", built / "look" / "elites.csv"
    out.parent.mkdir()
    assert main(["archive", str(model_dir), "-o", str(out), "--csv", str(table)]) == 0
    assert out.stat().st_size > 1000 and table.read_text().startswith("cell,fitness,")
    assert main(["archive", str(model_dir), "-o", str(out)]) == 2  # never overwritten
    assert "exists; pass overwrite=True (CLI: --force)" in capsys.readouterr().err
    run = built / "runs" / "mapelites" / "gymnax-MountainCar-v0_1"
    gif = built / "look" / "filling.gif"
    assert main(["animate", str(run), "-o", str(gif), "--fps", "2"]) == 0
    with Image.open(gif) as frames:
        assert frames.n_frames == 4
    assert main(["animate", str(run), "-o", str(gif)]) == 2
    assert main(["animate", str(run), "-o", str(built / "t.gif"), "--what", "topology"]) == 2
    assert "RecordTopology" in capsys.readouterr().err


def test_record_archive_appends_on_resume_and_refuses_another_archive(tmp_path):
    from evotrain import MAPElites

    small = {"pop_size": 8, "bins": (4, 4), "policy_kwargs": {"net_arch": [2]}}
    small["max_episode_steps"] = 20
    model = MAPElites("MlpPolicy", ENV, **small)
    model.learn(5, callback=RecordArchive(tmp_path, every=2), generations_per_dispatch=5)
    model.learn(2, callback=RecordArchive(tmp_path, every=2), reset_num_generations=False)
    _, records = read_archive_records(tmp_path)
    # Every second generation (no dispatch runs past one), and the last of each run.
    assert [r["generation"] for r in records] == [2, 4, 5, 6, 7]
    assert records[-1]["cells"] == np.flatnonzero(np.asarray(model.archive.filled)).tolist()
    other = MAPElites("MlpPolicy", ENV, **{**small, "bins": (3, 3)})
    with pytest.raises(FileExistsError, match="another archive's cells"):
        other.learn(1, callback=RecordArchive(tmp_path))
    fresh = MAPElites("MlpPolicy", ENV, **small)
    with pytest.raises(FileExistsError, match="generations up to 7"):
        fresh.learn(1, callback=RecordArchive(tmp_path))
    with pytest.raises(TypeError, match="RecordArchive records quality-diversity archives"):
        from evotrain import OpenES

        OpenES("MlpPolicy", ENV, pop_size=4).learn(1, callback=RecordArchive(tmp_path))
    assert json.loads((tmp_path / "archive.jsonl").read_text().splitlines()[0])["layout"]
