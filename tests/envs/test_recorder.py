"""Episodes recorded to GIF and MP4 hold every frame."""

from __future__ import annotations

import importlib.util

import imageio.v3 as imageio
import numpy as np
import pytest

from envs import mac
from envs.mac import recorder


def _frames(n: int = 5):
    env = mac.parallel_env(n_agents=2, render_mode="rgb_array")
    env.reset(seed=0)
    frames = [env.render()]
    for _ in range(n - 1):
        env.step(dict.fromkeys(env.agents, 2))
        frames.append(env.render())
    return frames


def test_gif_holds_every_frame(tmp_path):
    frames = _frames()
    path = recorder.write(frames, tmp_path / "episode.gif", scale=2)
    video = imageio.imread(path, index=None)
    assert video.shape[0] == len(frames)
    assert video.shape[1:3] == (frames[0].shape[0] * 2, frames[0].shape[1] * 2)


@pytest.mark.skipif(importlib.util.find_spec("imageio_ffmpeg") is None, reason="no video extra")
def test_mp4_holds_every_frame(tmp_path):
    frames = _frames(12)
    path = recorder.write(frames, tmp_path / "episode.mp4", scale=2)
    video = imageio.imread(path, index=None)
    assert video.shape[0] == len(frames)


def test_bad_paths_and_empty_episodes(tmp_path):
    with pytest.raises(ValueError, match="allowed suffixes"):
        recorder.write([np.zeros((8, 8, 3), np.uint8)], tmp_path / "x.avi")
    with pytest.raises(ValueError, match="no frames"):
        recorder.write([], tmp_path / "x.gif")
