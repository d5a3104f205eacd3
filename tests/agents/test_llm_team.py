"""The batched decision loop: one model call per step for all agents that need a decision, the
same choices as asking one by one, and counted fallbacks for anything the model gets wrong."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from agents import base, llm_team, plain_llm, registry, runner
from agents.llm import FakeModel, model, testing


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
    team = plain_llm.build_team(n_agents, model=lm, batch=batch)
    spec = runner.EpisodeSpec(n_agents=n_agents, seed=seed, max_steps=steps)
    return runner.play_episode(team, spec, method="plain-llm")


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    import torch

    from agents.llm import hf

    torch.set_num_threads(1)
    directory = testing.build_tiny_model(tmp_path_factory.mktemp("tiny"))
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
    team = plain_llm.build_team(3, model=tiny_lm)
    spec = runner.EpisodeSpec(n_agents=3, seed=1, max_steps=1)
    env = spec.make_env()
    _, infos = env.reset(seed=1)
    team.reset(
        [
            base.AgentSpec(
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
        Broken(),
    ],
    ids=["garbage", "off-menu", "model-error"],
)
def test_bad_replies_become_counted_fallbacks_and_the_episode_goes_on(lm):
    result = _play(lm, 2, steps=40)
    record = result.record
    entries = [e for trace in result.trace.values() for e in trace]
    fallbacks = [e for e in entries if e["fallback"]]
    assert record.length == 40 and record.llm_fallbacks == len(fallbacks) > 0
    assert all(e["decision"] == "explore" and e["reason"].startswith("fallback") for e in fallbacks)
    assert record.decisions == len(entries)


def test_tokens_are_shared_out_exactly():
    assert sorted(llm_team.split(10, [1, 1, 1])) == [3, 3, 4]
    assert sum(llm_team.split(997, [13, 400, 2])) == 997
    assert llm_team.split(0, [5, 5]) == [0, 0]


def test_models_are_loaded_once_per_process(tiny_lm, tmp_path):
    directory = testing.build_tiny_model(tmp_path / "m")
    try:
        first = llm_team.load_model(str(directory), device="cpu", call_cache=False)
        again = llm_team.load_model(str(directory), device="cpu", call_cache=False)
        fresh = llm_team.load_model(str(directory), device="cpu", call_cache=False, cache=False)
        assert first is again and fresh is not first
        team = registry.build("plain-llm", 2, model=str(directory), device="cpu", call_cache=False)
        assert team.lm is first
        team.close()
        assert llm_team.load_model(str(directory), device="cpu", call_cache=False) is first
    finally:
        llm_team.forget_models()


def test_a_missing_model_is_one_clear_error():
    with pytest.raises(model.ModelError, match="no model at"):
        registry.build("plain-llm", 1, model="/no/such/model/dir", cache=False)
