"""The `evotrain` command and the zoo, end to end on tiny configs (a temporary zoo root)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evotrain import zoo
from evotrain.cli import main
from evotrain.viz.render import expected_frames
from evotrain.zoo.hyperparams import load_hyperparams, parse_override

TINY = """
default:
  generations: 2
  pop_size: 8
gymnax:CartPole-v1:
  policy: FeedForward
  generations: 2
  pop_size: 16
  max_nodes: 12
  max_conns: 24
  max_episode_steps: 50
"""


def _train_argv(root, *extra, runs=None):
    """`evotrain train` of NEAT on CartPole with the TINY settings in ``root/neat.yaml``,
    runs under ``runs`` (default ``root/runs``)."""
    return [
        "train",
        "--algo",
        "neat",
        "--env",
        "gymnax:CartPole-v1",
        "-c",
        str(root / "neat.yaml"),
        "-f",
        str(runs if runs is not None else root / "runs"),
        "--no-progress",
        *extra,
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny NEAT CartPole run through `evotrain train --zoo`, shared by the tests."""
    root = tmp_path_factory.mktemp("cli")
    config = root / "neat.yaml"
    config.write_text(TINY)
    argv = _train_argv(
        root,
        "--seed",
        "3",
        "--checkpoint-every",
        "1",
        "--zoo",
        "--zoo-dir",
        str(root / "zoo"),
    )
    assert main(argv) == 0
    return root


def test_train_writes_run_model_checkpoints_and_agent(trained, capsys):
    run = trained / "runs" / "neat" / "gymnax-CartPole-v1_1"
    assert (run / "model" / "evotrain.json").is_file()
    checkpoints = sorted(p.name for p in (run / "checkpoints").iterdir())
    assert checkpoints[:2] == [".evotrain-run.json", ".evotrain-run.lock"]  # the run's own
    assert checkpoints[2:4] == [
        "evotrain_model_1_generations",
        "evotrain_model_2_generations",
    ]
    config = json.loads((run / "config.json").read_text())
    assert config["hyperparams"]["pop_size"] == 16 and config["generations"] == 2
    assert config["command"].startswith("evotrain train --algo neat")
    agent = zoo.get("neat-gymnax-CartPole-v1", trained / "zoo")
    files = set(agent.manifest["files"])
    assert {"README.md", "learning_curve.png", "network.svg", "network.py", "rollout.gif"} <= files
    assert any(f.startswith("model/state/") for f in files)
    m = agent.manifest
    assert m["generations"] == 2 and m["seed"] == 3 and m["episode_length"] == 500
    assert m["train_episode_length"] == 50
    assert m["evaluation"]["n_episodes"] == 20 and len(m["evaluation"]["episode_returns"]) == 20
    assert "neat-gymnax-CartPole-v1" in (trained / "zoo" / "README.md").read_text()
    card = (agent.path / "README.md").read_text()
    assert 'zoo.load("neat-gymnax-CartPole-v1")' in card and m["command"] in card
    assert "![rollout](rollout.gif)" in card
    assert m["video"]["speed"] == 1.0 and m["video"]["fps"] == pytest.approx(50 / 3)
    with Image.open(agent.path / "rollout.gif") as gif:
        assert gif.size[0] == 256 and gif.n_frames > 1


def test_render_commands_write_videos_and_never_overwrite(trained, capsys):
    model = trained / "runs" / "neat" / "gymnax-CartPole-v1_1" / "model"
    out = trained / "videos" / "cartpole.gif"
    argv = ["render", str(model), "--out", str(out), "--steps", "8", "--every", "2"]
    assert main([*argv, "--width", "120"]) == 0
    printed = capsys.readouterr().out
    with Image.open(out) as gif:
        frames = gif.n_frames
        assert gif.size == (120, 80)
    length = int(printed.split(" over ")[1].split()[0])
    assert frames == expected_frames(length, 2) and f"wrote {out}: {frames} frames" in printed
    before = out.read_bytes()
    assert main(argv) == 2 and "--force" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main([*argv, "--force"]) == 0 and out.read_bytes() != before
    assert main(["render", str(model), "--out", str(trained / "x.avi")]) == 2
    assert ".gif or .mp4" in capsys.readouterr().err
    root = str(trained / "zoo")
    zoo_out = trained / "videos" / "agent.gif"
    argv = ["zoo", "--zoo-dir", root, "render", "neat-gymnax-CartPole-v1", "-o", str(zoo_out)]
    assert main([*argv, "--steps", "3", "--seed", "1000"]) == 0
    with Image.open(zoo_out) as gif:
        assert gif.n_frames == expected_frames(3, 2)


def test_zoo_agent_loads_verifies_and_reproduces_its_score(trained, capsys):
    root = trained / "zoo"
    model = zoo.load("neat-gymnax-CartPole-v1", root)
    assert model.num_generations == 2
    result = zoo.evaluate_agent("neat-gymnax-CartPole-v1", root)
    agent = zoo.get("neat-gymnax-CartPole-v1", root)
    np.testing.assert_allclose(result["mean"], agent.score[0], rtol=1e-4)
    assert agent.manifest["hardware"]["cpu"] == zoo.host_cpu() and zoo.same_platform(agent.manifest)
    assert zoo.compare_to_manifest(agent.manifest, result).verdict == "reproduced"
    assert zoo.host_cpu() in (agent.path / "README.md").read_text()
    assert main(["zoo", "--zoo-dir", str(root), "eval", "neat-gymnax-CartPole-v1"]) == 0
    assert "reproduced" in capsys.readouterr().out
    assert main(["zoo", "--zoo-dir", str(root), "list"]) == 0
    assert "neat-gymnax-CartPole-v1" in capsys.readouterr().out
    assert main(["zoo", "--zoo-dir", str(root), "show", "neat-gymnax-CartPole-v1"]) == 0
    assert "reproduce: evotrain train" in capsys.readouterr().out


def _manifest(returns, cpu):
    import jax

    return {
        "hardware": {"cpu": cpu, "jax_backend": jax.default_backend()},
        "versions": {"jax": jax.__version__},
        "evaluation": {"episode_returns": list(returns)},
    }


def test_compare_to_manifest_is_exact_on_the_recording_platform_else_within_noise():
    recorded = np.array([100.0, 110.0, 90.0, 105.0])  # std 7.4, 3 standard errors 11.1
    here, elsewhere = _manifest(recorded, zoo.host_cpu()), _manifest(recorded, "another cpu")
    assert zoo.same_platform(here) and not zoo.same_platform(elsewhere)
    assert not zoo.same_platform({"hardware": {}, "versions": {}, "evaluation": {}})
    exact = {"episode_returns": recorded.copy()}
    drift = {"episode_returns": recorded + np.array([5.0, -3.0, 8.0, 1.0])}  # mean +2.75
    far = {"episode_returns": recorded - 20.0}
    assert zoo.compare_to_manifest(here, exact).verdict == "reproduced"
    assert zoo.compare_to_manifest(elsewhere, exact).verdict == "reproduced"
    check = zoo.compare_to_manifest(here, drift)
    assert check.verdict == "differs" and not check.ok and check.same_platform
    check = zoo.compare_to_manifest(elsewhere, drift)
    assert check.verdict == "within noise" and check.ok
    np.testing.assert_allclose(check.mean_diff, 2.75)
    np.testing.assert_allclose(check.tolerance, 3 * recorded.std() / 2 + 1e-4 * 101.25)
    assert zoo.compare_to_manifest(elsewhere, far).verdict == "differs"
    short = {"episode_returns": recorded[:3]}
    assert zoo.compare_to_manifest(elsewhere, short).verdict == "differs"


def test_video_replays_are_exact_on_the_recording_platform_else_within_the_agents_spread():
    # cmaes-brax-hopper's figures: std 325.4 over its 20 evaluation episodes; the video
    # episode recorded on an Intel Xeon fell at step 417, replayed on an AMD EPYC at 429.
    m = {**_manifest([1651.0], zoo.host_cpu()), "video": {"episode_return": 1158.7, "length": 417}}
    m["evaluation"]["std"] = 325.4
    elsewhere = {**m, "hardware": {**m["hardware"], "cpu": "another cpu"}}
    assert zoo.compare_video_replay(m, 1158.7, 417)[0]
    ok, tol = zoo.compare_video_replay(m, 1190.2, 429)
    assert not ok and tol.same_platform and tol.length == 0
    ok, tol = zoo.compare_video_replay(elsewhere, 1190.2, 429)
    np.testing.assert_allclose(tol.episode_return, 4 * 325.4 + 1e-4 * 1158.7)
    assert ok and tol.length == int((4 * 325.4 + 1e-4 * 1158.7) / (1158.7 / 417))
    assert not zoo.compare_video_replay(elsewhere, 1158.7, 417 + tol.length + 1)[0]
    # An agent without spread (CartPole: 500 +/- 0 every episode) replays exactly anywhere.
    still = {
        **elsewhere,
        "evaluation": {"std": 0.0},
        "video": {"episode_return": 500.0, "length": 500},
    }
    assert zoo.replay_tolerance(still).length == 0
    assert not zoo.compare_video_replay(still, 499.0, 499)[0]


def test_zoo_eval_on_another_platform_accepts_drift_within_noise(trained, tmp_path, capsys):
    import shutil

    root = tmp_path / "zoo"
    shutil.copytree(trained / "zoo", root)
    path = root / "neat-gymnax-CartPole-v1" / zoo.MANIFEST
    m = json.loads(path.read_text())
    returns = np.asarray(m["evaluation"]["episode_returns"])
    m["evaluation"]["episode_returns"] = list(returns + 0.5 * 1e-4 * max(1.0, returns.mean()))
    m["hardware"]["cpu"] = "a CPU model this machine is not"
    path.write_text(json.dumps(m))
    argv = ["zoo", "--zoo-dir", str(root), "eval", "neat-gymnax-CartPole-v1"]
    assert main(argv) == 0 and "reproduced" in capsys.readouterr().out
    m["evaluation"]["episode_returns"] = list(returns + 3.0 + 3.0 * returns.std())
    path.write_text(json.dumps(m))
    assert main(argv) == 1 and "DIFFERS" in capsys.readouterr().out
    m["evaluation"]["episode_returns"] = list(
        returns + np.where(np.arange(returns.size) % 2, 1, -1) * 2.0
    )
    path.write_text(json.dumps(m))
    assert main(argv) == 0
    assert "within noise (another CPU model" in capsys.readouterr().out


def test_eval_command_on_a_saved_model(trained, capsys):
    path = trained / "runs" / "neat" / "gymnax-CartPole-v1_1" / "model"
    assert main(["eval", str(path), "--episodes", "3"]) == 0
    assert "over 3 deterministic episodes" in capsys.readouterr().out


def test_corrupted_agent_is_refused(trained, tmp_path):
    import shutil

    root = tmp_path / "zoo"
    shutil.copytree(trained / "zoo", root)
    card = root / "neat-gymnax-CartPole-v1" / "network.py"
    card.write_text(card.read_text() + "\n# tampered\n")
    with pytest.raises(zoo.ZooIntegrityError, match="changed: network.py"):
        zoo.load("neat-gymnax-CartPole-v1", root)
    (root / "neat-gymnax-CartPole-v1" / "extra.bin").write_bytes(b"x")
    with pytest.raises(zoo.ZooIntegrityError, match="not in the manifest: extra.bin"):
        zoo.verify("neat-gymnax-CartPole-v1", root)


def test_resume_continues_to_the_requested_generations(trained, capsys):
    run = trained / "runs" / "neat" / "gymnax-CartPole-v1_1"
    argv = _train_argv(
        trained,
        "--resume",
        str(run / "checkpoints" / "evotrain_model_1_generations"),
        "-n",
        "3",
    )
    assert main(argv) == 0
    from evotrain import NEAT

    resumed = NEAT.load(trained / "runs" / "neat" / "gymnax-CartPole-v1_2" / "model")
    assert resumed.num_generations == 3


def test_zoo_agent_is_the_best_held_out_generation(tmp_path, capsys):
    """eval_freq/eval_episodes in the YAML: the agent is the generation EvalCallback kept."""
    (tmp_path / "neat.yaml").write_text(
        TINY.replace("generations: 2\n  pop_size: 16", "generations: 4\n  pop_size: 16")
        + "  eval_freq: 1\n  eval_episodes: 3\n"
    )
    argv = _train_argv(tmp_path, "--seed", "1", "--zoo", "--zoo-dir", str(tmp_path / "zoo"))
    assert main(argv) == 0
    run = tmp_path / "runs" / "neat" / "gymnax-CartPole-v1_1"
    history = np.load(run / "evaluations.npz")
    assert history["results"].shape == (4, 3)
    means = history["results"].mean(axis=1)
    best = int(np.argmax(means))
    m = zoo.get("neat-gymnax-CartPole-v1", tmp_path / "zoo").manifest
    assert m["trained_generations"] == 4
    assert m["generations"] == history["generations"][best]
    assert m["selection"] == {
        "eval_freq": 1,
        "eval_episodes": 3,
        "eval_seed": 0,
        "generation": int(history["generations"][best]),
        "mean_return": pytest.approx(float(means[best])),
    }
    assert "eval_freq" not in m["hyperparams"]
    model = zoo.load("neat-gymnax-CartPole-v1", tmp_path / "zoo")
    from evotrain import evaluate_policy

    again, _ = evaluate_policy(model, model.get_env(), n_eval_episodes=3, seed=0)
    assert again == pytest.approx(float(means[best]), rel=1e-6)
    card = (tmp_path / "zoo" / "neat-gymnax-CartPole-v1" / "README.md").read_text()
    assert f"Selected: the model of generation {m['generations']} of 4" in card
    settings = json.loads(card.split("## Hyperparameters")[1].split("```json")[1].split("```")[0])
    assert settings["generations"] == 4  # what the YAML asked for, not the kept generation


def test_eval_flags_override_the_yaml_selection_keys(tmp_path, capsys):
    (tmp_path / "neat.yaml").write_text(TINY + "  eval_freq: 1\n  eval_episodes: 3\n")
    assert main(_train_argv(tmp_path, "--eval-freq", "2", "--eval-episodes", "2")) == 0
    run = tmp_path / "runs" / "neat" / "gymnax-CartPole-v1_1"
    assert np.load(run / "evaluations.npz")["results"].shape == (1, 2)  # generation 2 only
    config = json.loads((run / "config.json").read_text())
    assert config["selection"] == {"eval_freq": 2, "eval_episodes": 2, "eval_seed": 0}
    assert "eval_freq" not in config["hyperparams"]
    assert (run / "best_model" / "evotrain.json").is_file()


def test_unknown_zoo_id_suggests_close_names(trained, capsys):
    with pytest.raises(zoo.ZooError, match="Did you mean: neat-gymnax-CartPole-v1"):
        zoo.load("neat-gymnax-cartpole", trained / "zoo")
    assert main(["zoo", "--zoo-dir", str(trained / "zoo"), "show", "neat-gymnax-CartPol-v1"]) == 2
    assert "Did you mean" in capsys.readouterr().err


def test_bad_arguments_exit_2_with_a_message(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--algo", "nope", "--env", "xor"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["train", "--algo", "neat", "--env", "xor", "-n", "0"])
    assert exc.value.code == 2
    code = main(
        ["train", "--algo", "neat", "--env", "gymnax:CartPol-v1", "-n", "1", "-f", str(tmp_path)]
    )
    assert code == 2 and "CartPole-v1" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # a run that never started leaves no folder
    assert main(["eval", str(tmp_path / "missing")]) == 2
    assert "No saved model" in capsys.readouterr().err


def test_every_command_has_help():
    for argv in (
        ["--help"],
        ["train", "--help"],
        ["eval", "--help"],
        ["zoo", "--help"],
        ["zoo", "eval", "--help"],
        ["render", "--help"],
        ["zoo", "render", "--help"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
    out = subprocess.run(
        [sys.executable, "-m", "evotrain", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "train" in out.stdout


def test_hyperparams_file_and_overrides(tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text(TINY)
    settings, key = load_hyperparams(path, "gymnax:CartPole-v1")
    assert key == "gymnax:CartPole-v1" and settings["pop_size"] == 16
    assert load_hyperparams(path, "brax:hopper") == ({"generations": 2, "pop_size": 8}, "default")
    assert parse_override("net_arch=[16, 16]") == ("net_arch", [16, 16])
    with pytest.raises(ValueError, match="key=value"):
        parse_override("pop_size")
    path.write_text("a: [1, 2]\n")
    with pytest.raises(ValueError, match="map env ids"):
        load_hyperparams(path, "x")


def test_hyperneat_agent_card_draws_its_substrate_and_compares_with_neat(trained, tmp_path):
    from evotrain.networks.numpy_network import NumpyNetwork

    (tmp_path / "hyperneat.yaml").write_text(TINY)
    argv = _train_argv(tmp_path, "--zoo", "--zoo-dir", str(trained / "zoo"))
    argv[argv.index("neat")] = "hyperneat"
    argv[argv.index(str(tmp_path / "neat.yaml"))] = str(tmp_path / "hyperneat.yaml")
    assert main(argv) == 0
    agent = zoo.get("hyperneat-gymnax-CartPole-v1", trained / "zoo")
    try:
        files = set(agent.manifest["files"])
        assert {"network.svg", "substrate.svg", "substrate.json"} <= files
        assert "network.py" not in files  # the genome is a CPPN, not the policy
        net = NumpyNetwork.from_json(agent.path / "substrate.json")
        assert (net.num_inputs, net.num_outputs) == (4, 2)
        card = (agent.path / "README.md").read_text()
        assert "![substrate](substrate.svg)" in card
        neat = zoo.get("neat-gymnax-CartPole-v1", trained / "zoo")
        row = next(line for line in card.splitlines() if line.startswith("| [neat-gymnax"))
        assert f"{neat.manifest['env_steps']:,}" in row
        ratio = agent.manifest["env_steps"] / neat.manifest["env_steps"]
        assert row.endswith(f"/ {ratio:.2f}x |")
    finally:
        import shutil

        shutil.rmtree(agent.path)  # the module's other tests expect the NEAT agent alone


def test_train_takes_the_seed_chain_ga_and_an_evosax_strategy_by_name(tmp_path, capsys):
    from evotrain import GA
    from evotrain.algorithms.evosax_any import EvoSax

    runs = tmp_path / "runs"
    common = ["--env", "xor", "-n", "2", "-f", str(runs), "--no-progress"]
    assert main(["train", "--algo", "ga", *common, "-p", "encoding=seeds", "pop_size=8"]) == 0
    assert (
        main(["train", "--algo", "evosax", *common, "-p", "strategy_name=PSO", "pop_size=8"]) == 0
    )
    seeds = GA.load(next((runs / "ga").iterdir()) / "model")
    assert seeds.encoding == "seeds" and seeds.num_generations == 2
    pso = EvoSax.load(next((runs / "evosax").iterdir()) / "model")
    assert pso.evosax_name == "PSO" and pso.num_generations == 2


def platform_table():
    """The docs' per-agent table of off-platform tolerances, from the repository's zoo."""
    rows = [
        "| agent | recorded on | elsewhere: mean within | video return within "
        "| video length within |",
        "|---|---|---|---|---|",
    ]
    for agent in zoo.list_agents():
        m, ev = agent.manifest, agent.manifest["evaluation"]
        n = len(ev["episode_returns"])
        mean_tol = 3.0 * float(ev["std"]) / np.sqrt(n) + 1e-4 * max(1.0, abs(float(ev["mean"])))
        tol = zoo.replay_tolerance({**m, "hardware": {**m.get("hardware", {}), "cpu": "other"}})
        cpu = m.get("hardware", {}).get("cpu") or "not recorded"
        rows.append(
            f"| {agent.id} | {cpu} | {mean_tol:.3g} | {tol.episode_return:.3g} "
            f"| {tol.length} steps |"
        )
    return "\n".join(rows)


def test_the_zoo_docs_say_per_agent_what_another_cpu_must_meet():
    docs = (Path(__file__).parents[2] / "docs" / "cli_and_zoo.md").read_text()
    block = docs.split("<!-- platform-table -->\n")[1].split("\n<!-- /platform-table -->")[0]
    assert block == platform_table(), "regenerate the table with tests/cli/test_cli_zoo.py"
