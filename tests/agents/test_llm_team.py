"""The batched decision loop: one model call per step for all agents that need a decision, the
same choices as asking one by one, and counted fallbacks for anything the model gets wrong."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from agents import llm_decision, plain_llm
from agents.llm import FakeModel, loader, model, model_config
from benchmark.studies import tiny_model as tiny_model_lib
from envs import mac
from episode import loop
from episode import team as team_lib


class Recorder(FakeModel):
    """A fake model that remembers how many requests each `choose` call carried."""

    def __init__(self, script=None) -> None:
        super().__init__(script)
        self.batches: list[int] = []

    def choose(self, requests: Sequence[model.ChoiceRequest]) -> list[model.Choice]:
        self.batches.append(len(requests))
        return super().choose(requests)


class OffMenu(FakeModel):
    """Claims a valid choice of an option that is not on the menu."""

    def choose(self, requests):
        return [model.Choice(0, "fly to the moon", (0.0,) * len(r.options)) for r in requests]


class Broken(FakeModel):
    def choose(self, requests):
        raise RuntimeError("CUDA fell over")


def _play(lm, n_agents: int, steps: int, batch: bool = True, seed: int = 0):
    env = mac.EnvConfig(n_agents=n_agents, max_steps=steps)
    team = plain_llm.build_team(env, model=lm, batch=batch)
    return loop.play_episode(team, env, seed, method="plain-llm")


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    import torch

    from agents.llm import hf

    torch.set_num_threads(1)
    directory = tiny_model_lib.build_tiny_model(tmp_path_factory.mktemp("tiny"))
    return hf.HFModel(directory, device="cpu", cache=None)


def test_three_agents_deciding_in_one_step_share_one_call():
    lm = Recorder()
    _play(lm, 3, steps=1)
    assert lm.batches == [3]
    assert lm.usage.batches == 1 and lm.usage.calls == 3


def test_batching_off_asks_once_per_agent_with_the_same_decisions():
    on, off = Recorder(), Recorder()
    batched, single = _play(on, 3, steps=30), _play(off, 3, steps=30, batch=False)
    assert on.batches[0] == 3 and set(off.batches) == {1}
    assert len(on.batches) < len(off.batches) == single.record.llm_calls
    decisions = [(e["agent"], e["step"], e["decision"]) for t in batched.trace.values() for e in t]
    assert decisions == [
        (e["agent"], e["step"], e["decision"]) for t in single.trace.values() for e in t
    ]
    assert batched.record.llm_calls == single.record.llm_calls


def test_batched_choices_equal_one_by_one_on_a_real_transformers_model(tiny_lm):
    config = mac.EnvConfig(n_agents=3, max_steps=1)
    team = plain_llm.build_team(config, model=tiny_lm)
    env = config.make_env()
    _, infos = env.reset(seed=1)
    team.reset(
        [
            team_lib.AgentSpec(
                a,
                tuple(env.possible_agents),
                i,
                tuple(env.action_names(a)),
                "damcs",
                "collect_diamond",
            )
            for i, a in enumerate(env.possible_agents)
        ]
    )
    requests = []
    for aid, agent in team.by_id.items():
        assert agent.observe(infos[aid])
        requests.append(agent.pending().request)
    batched = tiny_lm.choose(requests)
    alone = [tiny_lm.choose([r])[0] for r in requests]
    assert [c.index for c in batched] == [c.index for c in alone]
    for b, a in zip(batched, alone, strict=True):
        assert b.scores == pytest.approx(a.scores, abs=1e-3)


@pytest.mark.parametrize(
    "lm",
    [
        FakeModel(["???", "collect unicorns", "", "%%%% 17", "explore"]),
        OffMenu(),
    ],
    ids=["garbage", "off-menu"],
)
def test_bad_replies_become_counted_fallbacks_and_the_episode_goes_on(lm):
    result = _play(lm, 2, steps=40)
    record = result.record
    entries = [e for trace in result.trace.values() for e in trace]
    fallbacks = [e for e in entries if e["fallback"]]
    assert record.length == 40 and record.llm_fallbacks == len(fallbacks) > 0
    assert all(e["decision"] == "explore" and e["reason"].startswith("fallback") for e in fallbacks)
    assert record.decisions == len(entries)


def test_a_failing_model_ends_the_episode_with_its_error():
    with pytest.raises(RuntimeError, match="CUDA fell over"):
        _play(Broken(), 2, steps=40)


def test_tokens_are_shared_out_exactly():
    assert sorted(llm_decision.split(10, [1, 1, 1])) == [3, 3, 4]
    assert sum(llm_decision.split(997, [13, 400, 2])) == 997
    assert llm_decision.split(0, [5, 5]) == [0, 0]


def test_models_are_loaded_once_per_process(tiny_lm, tmp_path):
    directory = tiny_model_lib.build_tiny_model(tmp_path / "m")
    try:
        config = model_config.ModelConfig(str(directory), device="cpu", call_cache=False)
        first = loader.load_model(config)
        again = loader.load_model(model_config.ModelConfig(**config.to_dict()))
        fresh = loader.load_model(config.replace(keep_loaded=False))
        assert first is again and fresh is not first
        team = plain_llm.build_team(mac.EnvConfig(n_agents=2), model=config.to_dict())
        assert team.lm is first
        assert team.config["model"] == config.to_dict()
        team.close()
        assert loader.load_model(config) is first
    finally:
        loader.forget_models()


def test_a_missing_model_is_one_clear_error():
    with pytest.raises(model.ModelError, match="no model at"):
        plain_llm.build_team(
            mac.EnvConfig(), model={"spec": "/no/such/model/dir", "keep_loaded": False}
        )
