"""The DAMCS agent (A-KGMS memory + S-CS communication) and its ablation flags, on fake models."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agents import comms, damcs, plain_llm
from agents.llm import FakeModel, model_config, presets
from agents.skills import mapping
from envs import mac
from episode import loop
from episode import record as records
from episode import team as team_lib

ROOT = Path(__file__).resolve().parents[2]


def _episode(lm, n_agents: int = 2, steps: int = 50, privileged_map: bool = False, **options):
    env = mac.EnvConfig(n_agents=n_agents, max_steps=steps, privileged_map=privileged_map)
    team = damcs.build_team(env, model=lm, **options)
    return team, loop.play_episode(team, env, 0, method="damcs", method_config=team.config)


def _check(result, n_agents: int, steps: int) -> None:
    record = result.record
    assert records.EpisodeRecord.from_json(record.to_json()) == record
    assert record.length == steps and record.method == "damcs"
    assert record.llm_calls > 0 and 0 < record.decisions < steps * n_agents
    entries = [e for trace in result.trace.values() for e in trace]
    assert record.decisions == len(entries)
    assert all(e["decision"] in e["options"] or e["fallback"] for e in entries)


class Stepper:
    """Drives a DAMCS team step by step outside the runner, so tests can post messages between."""

    def __init__(self, team: damcs.DamcsTeam, n_agents: int = 2) -> None:
        self.team = team
        self.env = mac.EnvConfig(n_agents=n_agents, max_steps=100).make_env()
        self.obs, self.infos = self.env.reset(seed=0)
        team.reset(
            [
                team_lib.AgentSpec(
                    agent_id=a,
                    team=tuple(self.env.possible_agents),
                    seed=i,
                    action_names=tuple(self.env.action_names(a)),
                    rules="damcs",
                    goal="collect_diamond",
                )
                for i, a in enumerate(self.env.possible_agents)
            ]
        )

    def step(self, n: int = 1) -> None:
        for _ in range(n):
            live = self.env.agents
            actions = self.team.act(
                {a: self.obs[a] for a in live}, {a: self.infos[a] for a in live}
            )
            self.obs, _, _, _, self.infos = self.env.step(actions)


@pytest.mark.parametrize("n_agents", [1, 2, 3])
def test_an_episode_gives_a_valid_record_with_messages_for_teams(n_agents):
    team, result = _episode(FakeModel(), n_agents, 50)
    _check(result, n_agents, 50)
    record = result.record
    assert record.method_config["label"] == damcs.LABEL
    assert record.method_config["memory"] is True and record.method_config["comm"] is True
    if n_agents > 1:
        assert record.messages_sent > 0 and record.message_bytes > 0
        assert team.router.traffic().messages_sent == record.messages_sent
        roles = {e["role"] for trace in result.trace.values() for e in trace}
        assert {"crafter", "seeker"} <= roles
    else:
        assert record.messages_sent == 0  # a lone agent has nobody to tell


def test_memory_on_puts_the_working_memory_in_the_prompt_and_off_leaves_it_out():
    on, _ = _episode(FakeModel(), 2, 40)
    off, result = _episode(FakeModel(), 2, 40, memory=False)
    late_on = on.lm.prompts[-1]
    assert "Memory:\nNow: step" in late_on
    # The prerequisite check of the current goal, in the checker's words.
    assert re.search(r"Current goal [a-z ]+: (ready|missing \d|navigate to|place a)", late_on)
    assert "Efforts so far:" in late_on and "Recent actions:" in late_on
    assert "collect diamond: face diamond, needs 1 iron pickaxe" in late_on  # rule-data recipes
    assert all("Memory:" not in p and "Efforts so far" not in p for p in off.lm.prompts)
    assert result.record.method_config["memory"] is False
    assert all(not m.enabled for m in off.memories().values())


def test_comm_off_sends_nothing_and_prompts_have_no_roles_or_messages():
    team, result = _episode(FakeModel(), 3, 40, comm=False)
    _check(result, 3, 40)
    assert result.record.messages_sent == 0 and result.record.message_bytes == 0
    assert all("Team messages:" not in p and "Your role:" not in p for p in team.lm.prompts)
    on, _ = _episode(FakeModel(), 3, 40)
    assert any("Team messages:" in p for p in on.lm.prompts)
    assert any("Your role:\ncrafter:" in p for p in on.lm.prompts)


def test_a_teammates_sighting_reaches_the_other_agents_known_map():
    team = damcs.build_team(mac.EnvConfig(n_agents=2), model=FakeModel())
    run = Stepper(team)
    run.step()
    far = (2, 2)  # a corner neither player has seen
    receiver = team.by_id["player_1"]
    assert receiver.driver.known.material_at(far) != "diamond"
    # player_0 learns of a diamond; its next status carries the sighting to its helper player_1.
    team.by_id["player_0"].driver.known.merge([mapping.Sighting("diamond", far)])
    run.step()
    assert receiver.driver.known.material_at(far) == "diamond"
    status = team.router.inbox("player_1").statuses[0]
    assert status.sender == "player_0" and mapping.Sighting("diamond", far) in status.sightings


def test_a_teammates_position_and_frontier_reach_the_other_agents_known_map():
    team = damcs.build_team(mac.EnvConfig(n_agents=2), model=FakeModel())
    run = Stepper(team)
    run.step()
    sender, receiver = team.by_id["player_0"].driver.known, team.by_id["player_1"].driver.known
    frontier = (5, 6)
    sender.claim = (frontier, sender.clock)
    run.step()
    status = team.router.inbox("player_1").statuses[0]
    assert status.sender == "player_0" and status.exploring == frontier
    assert receiver.teammate_claims() == [frontier]
    assert receiver.covered[status.position]


def _exploring_pair() -> tuple[damcs.DamcsTeam, Stepper, damcs.DamcsAgent, int]:
    """Two DAMCS agents that always explore, three steps in: the team, its stepper, player_1
    (busy exploring) and how many decisions player_1 has made."""

    def explore(prompt: str, options) -> str:
        return "explore"

    team = damcs.build_team(mac.EnvConfig(n_agents=2), model=FakeModel(explore))
    run = Stepper(team)
    run.step(3)
    receiver = team.by_id["player_1"]
    assert receiver.driver.busy and receiver.driver.option.kind == "explore"
    return team, run, receiver, len(receiver.trace())


def test_a_received_share_interrupts_the_running_skill_and_makes_the_agent_decide():
    team, run, receiver, decisions = _exploring_pair()
    team.router.post(
        comms.Message(comms.SHARE, "player_0", 3, recipient="player_1", gave={"wood": 1})
    )
    run.step()
    assert receiver.driver.history[-1].status == "interrupted"
    assert "share" in receiver.driver.history[-1].reason
    assert len(receiver.trace()) == decisions + 1
    assert "player_0 gave player_1 1 wood" in team.lm.prompts[-1]
    assert not team.router.should_replan("player_1")
    # The interrupted option is an interrupted experience in the knowledge graph.
    results = [e.result for e in receiver.memory.recent.items]
    assert "interrupted" in results


def test_a_teammates_first_sighting_of_the_goal_interrupts_the_running_skill_once():
    team, run, receiver, decisions = _exploring_pair()
    # A far diamond player_0 learns of reaches player_1 in player_0's next status.
    team.by_id["player_0"].driver.known.merge([mapping.Sighting("diamond", (2, 2))])
    run.step()
    assert receiver.driver.known.material_at((2, 2)) == "diamond"
    assert receiver.driver.history[-1].status == "interrupted"
    assert "saw the goal" in receiver.driver.history[-1].reason
    assert len(receiver.trace()) == decisions + 1
    # The same news, and a second diamond once one is known, interrupt nothing.
    interrupted = len(receiver.driver.history)
    team.by_id["player_0"].driver.known.merge([mapping.Sighting("diamond", (3, 2))])
    run.step(2)
    assert [o.status for o in receiver.driver.history[interrupted:]].count("interrupted") == 0


def test_garbage_replies_become_counted_fallbacks_and_the_episode_completes():
    team, result = _episode(FakeModel(["%% no idea %%"]), 2, 40)
    _check(result, 2, 40)
    assert result.record.llm_fallbacks == result.record.decisions > 0
    entries = [e for trace in result.trace.values() for e in trace]
    assert all(e["fallback"] and e["decision"] == "explore" for e in entries)


def test_privileged_map_navigates_on_the_full_map():
    own, _ = _episode(FakeModel(), 1, 20)
    full, result = _episode(FakeModel(), 1, 20, privileged_map=True)
    own_known = own.by_id["player_0"].driver.known.known_fraction()
    assert full.by_id["player_0"].driver.known.known_fraction() > max(0.9, own_known)


def test_knowledge_graphs_export_per_agent(tmp_path):
    team, _ = _episode(FakeModel(), 2, 30)
    written = team.export_memory(str(tmp_path))
    assert sorted(Path(p).name for p in written) == [
        "player_0.graphml",
        "player_0.json",
        "player_1.graphml",
        "player_1.json",
    ]
    graph = json.loads((tmp_path / "player_0.json").read_text())
    assert len(graph["nodes"]) > 3
    off, _ = _episode(FakeModel(), 2, 10, memory=False)
    assert off.export_memory(str(tmp_path / "off")) == []


def test_play_cli_runs_damcs_with_the_ablation_flags(tmp_path):
    def play(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "play.py"), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )

    out = tmp_path / "ep.json"
    common = ("--method", "damcs", "--model", "fake", "--n-agents", "2", "--max-steps", "20")
    done = play(*common, "--no-comm", "--no-memory", "--json", str(out))
    assert done.returncode == 0, done.stderr
    record = records.EpisodeRecord.from_json(out.read_text())
    assert record.llm_calls > 0 and record.messages_sent == 0
    assert record.method_config["memory"] is False and record.method_config["comm"] is False
    faithful, assisted = tmp_path / "faithful.json", tmp_path / "assisted.json"
    assert play(*common, "--json", str(faithful)).returncode == 0
    config = records.EpisodeRecord.from_json(faithful.read_text()).method_config
    assert config["focus"] is False and config["memory"] is True
    assert config["label"] == damcs.LABEL and config["decide"] == "score"
    common = ("--method", "damcs-assisted", *common[2:])
    assert play(*common, "--json", str(assisted)).returncode == 0
    config = records.EpisodeRecord.from_json(assisted.read_text()).method_config
    assert config["focus"] is True and config["label"] == damcs.ASSISTED_LABEL
    wrong = play("--method", "random", "--no-comm")
    assert (
        wrong.returncode == 2 and "apply to --method damcs and damcs-assisted only" in wrong.stderr
    )


@pytest.mark.slow
def test_an_episode_on_the_default_real_preset():
    if not presets.is_installed(model_config.DEFAULT_SPEC):
        pytest.skip(f"preset {model_config.DEFAULT_SPEC} is not installed")
    import torch

    torch.set_num_threads(1)
    team, result = _episode({"spec": model_config.DEFAULT_SPEC, "call_cache": False}, 2, 30)
    _check(result, 2, 30)
    assert result.record.llm_fallbacks == 0
    assert result.record.messages_sent > 0


def _prefer(*wanted: str):
    """A fake model's script: the first wanted option on the menu, else the menu's first."""

    def choose(prompt: str, options) -> str:
        return next((o for w in wanted for o in options if o.startswith(w)), options[0])

    return choose


def test_a_placed_table_is_announced_and_lands_in_the_teammates_map():
    team, result = _episode(FakeModel(_prefer("place table", "collect wood")), 2, 40)
    assert result.record.milestones["place_table"] is not None
    stations = team.router.inbox("player_1").stations
    assert stations and stations[0].sender == "player_0"
    where = stations[0].station.position
    assert team.by_id["player_1"].driver.known.material_at(where) == "table"


def test_a_finished_share_is_sent_and_makes_the_receiver_replan():
    def script(prompt: str, options) -> str:
        if "You are player_0" in prompt:
            return _prefer("share wood with player_1", "collect wood")(prompt, options)
        return "explore"

    team, result = _episode(FakeModel(script), 2, 40)
    receiver = team.by_id["player_1"]
    interrupted = [o for o in receiver.driver.history if "share" in o.reason]
    assert interrupted and interrupted[0].status == "interrupted"
    assert any("player_0 gave player_1 1 wood" in p for p in team.lm.prompts)
    assert result.record.messages_sent > 0


def test_focus_drops_detours_from_the_menu_and_each_flag_turns_it_off():
    def menus(**options) -> list[list[str]]:
        team, result = _episode(FakeModel(), 1, 60, **options)
        _check(result, 1, 60)
        return [e["options"] for trace in result.trace.values() for e in trace]

    detours = {"collect sapling", "place plant"}  # on the menu, but no step toward a diamond
    focused = menus(focus=True)
    assert not any(detours & set(menu) for menu in focused)
    for flag in ({"focus": False}, {"memory": False, "focus": True}):
        full = menus(**flag)
        assert any(detours & set(menu) for menu in full), flag
        # The first decision sees the same state either way: the same menu, less the detours.
        assert set(focused[0]) == {o for o in full[0] if o not in detours} != set(full[0])


def test_sent_messages_are_logged_on_the_senders_decisions():
    _, result = _episode(FakeModel(), 2, 60)
    sent = [m for trace in result.trace.values() for e in trace for m in e.get("messages", [])]
    assert sent and all({"to", "text"} <= set(m) for m in sent)
    assert len(sent) <= result.record.messages_sent


def test_alone_the_damcs_menu_is_the_plain_agents_and_a_team_adds_the_seekers_walk():
    def first_in_order(prompt: str, options) -> str:
        return sorted(options)[0]

    def menus(build, n_agents: int) -> list[list[str]]:
        env = mac.EnvConfig(n_agents=n_agents, max_steps=80)
        team = build(env, model=FakeModel(first_in_order))
        result = loop.play_episode(team, env, 0, method="x", method_config=team.config)
        return [sorted(e["options"]) for trace in result.trace.values() for e in trace]

    lone = menus(damcs.build_team, 1)
    assert len(lone) > 3 and lone == menus(plain_llm.build_team, 1)
    assert not any("go to diamond" in menu for menu in lone)
    assert all("go to diamond" in menu for menu in menus(damcs.build_team, 2))
