"""The one agent interface every benchmarked method implements, and the team that drives agents.

This is the contract between the harness and the methods: random, scripted, the LLM agents and
the MARL checkpoints all implement it, and the episode loop (`episode.loop`) knows nothing else
about them.

An `Agent` controls one player: it is reset with its id, its team and a seed, acts on its own
observation and info, and may receive messages. A `Team` drives the agents of one episode; the
default acts agent by agent, and methods that batch decisions across agents (LLM agents sharing one
model, a MARL policy) override `Team.act`. Counters are per episode and end up in the episode record.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Counters:
    """Per-episode costs of a method, summed over its agents. The one definition of the counters:
    the episode record inherits these fields, the viewer and the exports read them from here."""

    decisions: int = 0
    llm_calls: int = 0
    llm_prompt_tokens: int = 0
    llm_completion_tokens: int = 0
    llm_fallbacks: int = 0
    llm_repairs: int = 0  # replies read only after repair (fuzzy option, broken JSON)
    messages_sent: int = 0
    message_bytes: int = 0

    def add(self, other: Counters) -> Counters:
        return Counters(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in dataclasses.fields(self)
            }
        )

    def to_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in names()}


def names() -> tuple[str, ...]:
    """The counter fields, in order."""
    return tuple(f.name for f in dataclasses.fields(Counters))


@dataclass(frozen=True)
class AgentSpec:
    """What an agent is told about itself when an episode starts."""

    agent_id: str
    team: tuple[str, ...]
    seed: int
    action_names: tuple[str, ...]
    rules: str
    goal: str
    max_steps: int | None = None  # the episode's cap in joint steps (None: the rule set's)

    @property
    def index(self) -> int:
        return self.team.index(self.agent_id)


class Agent(abc.ABC):
    """Controls one player for one episode at a time."""

    def __init__(self) -> None:
        self.counters = Counters()
        self.spec: AgentSpec | None = None

    def reset(self, spec: AgentSpec) -> None:
        """Start a new episode as `spec.agent_id`; forget per-episode state."""
        self.spec = spec
        self.counters = Counters()

    def count(self, **increments: int) -> None:
        """Add `increments` to this episode's counters (e.g. ``count(decisions=1)``)."""
        self.counters = self.counters.add(Counters(**increments))

    @abc.abstractmethod
    def act(self, observation: Any, info: Mapping[str, Any]) -> int:
        """The action id for this step."""

    def receive(self, message: Any) -> None:  # noqa: B027 - optional hook, a no-op by default
        """A message from a teammate (ignored by agents that do not communicate)."""

    def trace(self) -> list[dict[str, Any]]:
        """Decisions of the episode so far, for the episode viewer (empty if not recorded)."""
        return []


class Team:
    """The agents of one method in one episode. Override `act` to decide for all agents at once.

    `obs_type` is the observation the team's agents read; the episode loop builds the env with it
    (a checkpoint trained on images states "image")."""

    method = "team"
    obs_type = "symbolic"

    def __init__(self, agents: Sequence[Agent], config: Mapping[str, Any] | None = None) -> None:
        self.agents = list(agents)
        self.config = dict(config or {})
        self.by_id: dict[str, Agent] = {}

    def reset(self, specs: Sequence[AgentSpec]) -> None:
        if len(specs) != len(self.agents):
            raise ValueError(f"team of {len(self.agents)} agents reset with {len(specs)} players")
        self.by_id = {}
        for agent, spec in zip(self.agents, specs, strict=True):
            agent.reset(spec)
            self.by_id[spec.agent_id] = agent

    def act(self, observations: Mapping[str, Any], infos: Mapping[str, Any]) -> dict[str, int]:
        return {aid: self.by_id[aid].act(observations[aid], infos[aid]) for aid in observations}

    def counters(self) -> Counters:
        total = Counters()
        for agent in self.agents:
            total = total.add(agent.counters)
        return total

    def trace(self) -> dict[str, list[dict[str, Any]]]:
        return {aid: agent.trace() for aid, agent in self.by_id.items()}

    def close(self) -> None:
        """Release what the team holds (models, processes)."""
