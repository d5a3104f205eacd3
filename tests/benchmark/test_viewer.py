"""The episode viewer: one self-contained HTML file with every agent's decisions."""

from __future__ import annotations

import base64

import pytest

from benchmark import viewer
from tests.benchmark.conftest import make_record

TRACE = [
    {"agent": "player_0", "step": 3, "decision": "navigate(tree)", "reason": "need wood",
     "llm_tokens": 120, "llm_calls": 1},
    {"agent": "player_0", "step": 9, "option": "place_table", "reason": "have 2 wood",
     "llm_prompt_tokens": 100, "llm_completion_tokens": 20,
     "messages": [{"to": "player_1", "text": "table up"}]},
    {"agent": "player_1", "step": 4, "action": "do", "reason": "<script>alert(1)</script>",
     "fallback": True, "goal_status": {"current": "wood"}},
]  # fmt: skip


def test_html_holds_each_agents_decisions(tmp_path):
    gif = tmp_path / "episode.gif"
    gif.write_bytes(b"GIF89a fake")
    record = make_record("damcs", 2, None)
    graphs = {"player_0": {"nodes": [{"id": "goal:wood"}], "links": []}}
    path = viewer.write_episode_html(
        tmp_path / "ep" / "episode.html", record, TRACE, knowledge_graphs=graphs, gif=gif
    )
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    for needle in (
        "navigate(tree)",
        "place_table",
        "need wood",
        "player_0",
        "player_1",
        "table up",
    ):
        assert needle in text, needle
    assert "player_0: 2 decisions, 240 tokens" in text
    assert "(fallback)" in text and "goal_status" in text and "goal:wood" in text
    assert "<script>alert" not in text and "&lt;script&gt;" in text  # reasons are escaped
    assert base64.b64encode(b"GIF89a fake").decode() in text
    assert "never reached" in text  # the failed goal


def test_html_without_trace(tmp_path):
    text = viewer.render_episode_html(make_record("scripted", 1, 100))
    assert "No decision trace" in text and "scripted, 1 agents" in text


def test_team_trace_by_agent_is_accepted(tmp_path):
    record = make_record("damcs", 2, None)
    by_agent = {"player_0": [{"step": 1, "decision": "collect_wood"}], "player_1": []}
    text = viewer.render_episode_html(record, by_agent)
    assert "player_0: 1 decisions" in text
    assert "collect_wood" in text


def test_knowledge_graph_is_drawn_as_svg_not_json():
    record = make_record("damcs", 1, None)
    graph = {
        "directed": True,
        "multigraph": False,
        "graph": {},
        "nodes": [{"id": "wood"}, {"id": "table"}],
        "edges": [{"source": "wood", "target": "table", "relation": "requires"}],
    }
    text = viewer.render_episode_html(record, [], knowledge_graphs={"player_0": graph})
    assert "<svg class='kg'" in text
    assert ">wood</text>" in text and ">table</text>" in text
    assert "<line " in text
    assert '"edges"' not in text


def test_run_suite_with_html_writes_one_page_per_episode(tmp_path):
    from benchmark import runner, suite

    tiny = suite.from_dict(
        {
            "name": "tinyhtml",
            "team_sizes": [2],
            "max_steps": 10,
            "maps": {"paper": True, "count": 1, "first_seed": 1},
            "methods": ["scripted"],
        }
    )
    ran, _ = runner.run_suite(tiny, tmp_path, html=True, progress=False)
    pages = sorted((tmp_path / "episodes").glob("*.html"))
    assert ran >= 1 and len(pages) == ran
    page = pages[0].read_text()
    assert "player_1" in page
    assert "The map at the end (from above)" in page and "data:image/png;base64," in page


def test_messages_show_as_sent_and_received():
    record = make_record("damcs", 2, None)
    trace = {
        "player_0": [{"step": 2, "decision": "a", "messages": [{"to": "player_1", "text": "hi"}]}],
        "player_1": [{"step": 1, "decision": "b"}, {"step": 5, "decision": "c"}],
    }
    text = viewer.render_episode_html(record, trace)
    assert "messages received" in text
    assert "player_0: {" in text  # the received cell names its sender


def test_the_top_down_map_shows_the_whole_world_with_its_players():
    import numpy as np

    from envs import mac

    env = mac.EnvConfig(n_agents=2).make_env()
    with pytest.raises(ValueError, match="before reset"):
        env.top_down_map()
    env.reset(seed=0)
    image = env.top_down_map()
    unit = image.shape[0] // env.game.world.area[1]
    assert image.shape == (64 * unit, 64 * unit, 3) and image.dtype == np.uint8
    x, y = env.game.players[0].pos
    tile = image[y * unit : (y + 1) * unit, x * unit : (x + 1) * unit]
    grass = image[0:unit, 0:unit]
    assert not np.array_equal(tile, grass)  # a player is drawn where it stands
