"""The episode viewer opened in headless chromium: the script runs and the page renders."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from benchmark import methods, viewer
from envs import mac
from episode import loop
from episode import team as team_lib

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_viewer_renders_in_headless_chromium(tmp_path):
    env = mac.EnvConfig(n_agents=2, max_steps=12)
    team = methods.build("scripted", env)
    assert isinstance(team, team_lib.Team)
    result = loop.play_episode(team, env, 0, method="scripted", record_frames=True)
    gif = loop.save_frames(result.frames, tmp_path / "ep.gif")
    graph = {
        "directed": True,
        "multigraph": False,
        "graph": {},
        "nodes": [{"id": "wood"}, {"id": "table"}],
        "edges": [{"source": "wood", "target": "table", "relation": "requires"}],
    }
    page = viewer.write_episode_html(
        tmp_path / "ep.html", result.record, result.trace, gif=gif,
        knowledge_graphs={"player_0": graph},
    )  # fmt: skip
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=2000"]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    # The step counter is written by the page's script: present only if the script ran.
    assert "step 0 / 12" in dom
    assert "data:image/png;base64," in dom
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file() and shot.stat().st_size > 10_000
    if os.environ.get("VIEWER_SCREENSHOT"):  # to look at the page: VIEWER_SCREENSHOT=shot.png
        shutil.copyfile(shot, os.environ["VIEWER_SCREENSHOT"])
