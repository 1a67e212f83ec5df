"""Rollout videos: frame counts, pixels, returns and files, for Brax, gymnax and Gymnasium."""

import numpy as np
import pytest
from PIL import Image

from evotrain import NEAT, OpenES, evaluate_policy
from evotrain.viz.render import (
    Rollout,
    expected_frames,
    record_rollout,
    render_rollout,
    save_video,
)


def _not_blank(frame: np.ndarray) -> bool:
    """More than a caption on a flat background: many distinct colours, real contrast."""
    body = frame[frame.shape[0] // 4 :]  # below the caption
    colours = np.unique(body.reshape(-1, 3), axis=0)
    return len(colours) > 8 and float(body.std()) > 5.0


def _gif_frames(path) -> list[np.ndarray]:
    with Image.open(path) as im:
        out = []
        for i in range(im.n_frames):
            im.seek(i)
            out.append(np.asarray(im.convert("RGB")))
        return out


@pytest.fixture(scope="module")
def brax_model():
    return NEAT(
        "FeedForward",
        "brax:inverted_pendulum",
        pop_size=8,
        output_activation="identity",
        env_kwargs={"backend": "spring", "episode_length": 30},
        seed=0,
    )


@pytest.fixture(scope="module")
def cartpole_model():
    return NEAT("FeedForward", "gymnax:CartPole-v1", pop_size=8, seed=1)


def test_expected_frames_counts_the_first_every_kth_and_last_state():
    assert expected_frames(10, 1) == 11
    assert expected_frames(10, 2) == 6  # 0 2 4 6 8 10
    assert expected_frames(10, 3) == 5  # 0 3 6 9 10
    assert expected_frames(0, 4) == 1


def test_brax_gif_has_the_expected_frames_and_is_not_blank(brax_model, tmp_path):
    path = tmp_path / "pendulum.gif"
    rollout = render_rollout(brax_model, path, seed=2, every=3, width=96, height=64)
    assert isinstance(rollout, Rollout) and rollout.every == 3
    assert len(rollout.frames) == expected_frames(rollout.length, 3)
    assert rollout.frames[0].shape == (64, 96, 3) and rollout.frames[0].dtype == np.uint8
    frames = _gif_frames(path)
    assert len(frames) == len(rollout.frames)  # the caption keeps frames distinct
    assert all(_not_blank(f) for f in frames)
    assert not np.array_equal(frames[1][16:], frames[-1][16:])  # something moved
    env_fps = 1.0 / brax_model.get_env().raw.dt
    assert rollout.fps == pytest.approx(env_fps / 3)
    returns, lengths = evaluate_policy(
        brax_model, brax_model.get_env(), n_eval_episodes=1, seed=2, return_episode_rewards=True
    )
    assert rollout.length == lengths[0]
    assert rollout.episode_return == pytest.approx(returns[0], rel=1e-5)


def test_brax_camera_choice_and_errors(brax_model, tmp_path):
    from brax import envs

    from evotrain.viz.painters import _mujoco_camera

    hopper = envs.get_environment("hopper", backend="spring").sys.mj_model
    assert _mujoco_camera(hopper, None) == 0  # hopper's own camera follows the torso
    assert _mujoco_camera(hopper, "track") == "track"
    pendulum = brax_model.get_env().raw.sys.mj_model
    assert _mujoco_camera(pendulum, None) == -1  # no camera of its own: the free camera
    side = _mujoco_camera(pendulum, None, "inverted_pendulum")  # a side view of the cart
    assert side.distance == 2.0 and side.elevation == -10.0
    with pytest.raises(ValueError, match="Unknown camera 'side'"):
        _mujoco_camera(hopper, "side")
    with pytest.raises(ValueError, match="out of range"):
        _mujoco_camera(pendulum, 3)
    free = record_rollout(brax_model, max_steps=2, every=1, camera="-1", width=64, height=48)
    assert len(free.frames) == 3


def test_gymnax_classic_control_frames_match_the_evaluation(cartpole_model, tmp_path):
    rollout = record_rollout(cartpole_model, seed=5, width=150, height=100)
    returns, lengths = evaluate_policy(
        cartpole_model, "gymnax:CartPole-v1", n_eval_episodes=1, seed=5, return_episode_rewards=True
    )
    assert (rollout.episode_return, rollout.length) == (returns[0], lengths[0])
    assert rollout.every == 2 and rollout.fps == 25.0  # CartPole runs at 50 steps/s
    assert len(rollout.frames) == expected_frames(rollout.length, 2)
    assert rollout.frames[0].shape == (100, 150, 3)
    assert all(_not_blank(f) for f in rollout.frames)
    # A frame cap thins the drawing further: 500 steps in at most ~10 frames.
    sparse = record_rollout(cartpole_model, seed=5, width=60, max_frames=10)
    assert sparse.every == 50 and sparse.fps == 1.0
    assert len(sparse.frames) == expected_frames(sparse.length, 50)
    assert sparse.episode_return == rollout.episode_return
    plain = record_rollout(cartpole_model, seed=5, max_steps=3, caption=False)
    assert plain.length == 3 and plain.frames[0].shape == (400, 600, 3)  # Gymnasium's size
    assert np.array_equal(plain.frames[0][:20, :100], np.full((20, 100, 3), 255, np.uint8))


def test_gymnasium_env_renders_its_rgb_array(tmp_path):
    model = OpenES("MlpPolicy", "gymnasium:Pendulum-v1", pop_size=4, seed=0)
    rollout = render_rollout(model, tmp_path / "pendulum.gif", seed=4, max_steps=6, every=2)
    assert rollout.length == 6 and len(rollout.frames) == 4
    assert all(_not_blank(f) for f in rollout.frames)
    assert np.isfinite(rollout.episode_return)
    assert len(_gif_frames(tmp_path / "pendulum.gif")) == 4
    cartpole = OpenES("MlpPolicy", "gymnasium:CartPole-v1", pop_size=4, seed=0)
    whole = record_rollout(cartpole, seed=4, width=120)  # the whole (short) episode
    returns, lengths = evaluate_policy(
        cartpole, cartpole.get_env(), n_eval_episodes=1, seed=4, return_episode_rewards=True
    )
    assert (whole.episode_return, whole.length) == (returns[0], lengths[0])
    assert len(whole.frames) == expected_frames(whole.length, whole.every)
    assert whole.frames[0].shape == (80, 120, 3)


def test_mp4_is_written_with_every_frame(brax_model, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = tmp_path / "pendulum.mp4"
    rollout = render_rollout(brax_model, path, max_steps=9, every=1, width=64, height=48)
    assert path.read_bytes()[4:8] == b"ftyp"
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == len(rollout.frames) == expected_frames(rollout.length, 1)


def test_files_are_never_overwritten_and_bad_input_is_refused(cartpole_model, tmp_path):
    frame = np.zeros((4, 4, 3), np.uint8)
    path = tmp_path / "a.gif"
    save_video([frame, frame + 9], path, fps=10)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="--force"):
        save_video([frame], path, fps=10)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        render_rollout(cartpole_model, path, max_steps=1)
    assert path.read_bytes() == before
    save_video([frame + 50], path, fps=10, overwrite=True)
    assert path.read_bytes() != before
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        save_video([frame], tmp_path / "a.avi", fps=10)
    with pytest.raises(ValueError, match="same size"):
        save_video([frame, np.zeros((5, 4, 3), np.uint8)], tmp_path / "b.gif", fps=10)
    with pytest.raises(ValueError, match="max_steps"):
        record_rollout(cartpole_model, max_steps=0)
    with pytest.raises(ValueError, match="max_frames must be a positive integer"):
        record_rollout(cartpole_model, max_frames=0)
    with pytest.raises(ValueError, match="Brax envs only"):
        record_rollout(cartpole_model, max_steps=1, camera="track")


def test_envs_without_a_renderer_are_refused():
    with pytest.raises(ValueError, match="Gymnasium twins"):
        catch = NEAT("FeedForward", "gymnax:Catch-bsuite", pop_size=4, max_nodes=60, max_conns=160)
        record_rollout(catch, max_steps=1)
    xor = NEAT("FeedForward", "xor", pop_size=4)
    with pytest.raises(ValueError, match="nothing to draw"):
        record_rollout(xor)
