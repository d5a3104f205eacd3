"""Role policies: who does what in a team, and whose status each agent receives.

The DAMCS paper fixes roles by id: agent 0 crafts the tools, agent 1 supplies the crafter, middle
agents help the previous agent and agent 0, the last agent seeks the goal material and receives the
finished tool by `share`; a lone agent does everything. That is `PaperRoles`, the default. A policy
is a small interface (`role`, `helps`) so a study can swap it (`NoRoles` is the no-division
ablation); the router reads `helps` to decide which statuses reach whom.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

SOLO, CRAFTER, SUPPLIER, HELPER, SEEKER = "solo", "crafter", "supplier", "helper", "seeker"
ROLES = (SOLO, CRAFTER, SUPPLIER, HELPER, SEEKER)
# Roles whose work is feeding the crafter (the scripted planner treats them alike).
SUPPORT_ROLES = (SUPPLIER, HELPER)

_DUTIES = {
    SOLO: "do everything yourself: gather, place stations, make the tools and reach the goal",
    CRAFTER: "make the tools in order; when the goal's tool is ready, give it to the goal seeker",
    SUPPLIER: "fetch the part of the crafter's needs no teammate claims, and share it with the crafter",
    HELPER: "help the agent before you and the crafter: fetch what they miss that nobody claims",
    SEEKER: "go to the goal and wait there to receive the tool (with no other helper: help the "
    "crafter until its last tool is near)",
}


class RolePolicy(abc.ABC):
    """Assigns each team member a role and the teammates it helps (whose status it receives)."""

    name = "policy"

    @abc.abstractmethod
    def role(self, index: int, n_agents: int) -> str:
        """The role of the agent at `index` in a team of `n_agents`."""

    @abc.abstractmethod
    def helps(self, index: int, n_agents: int) -> tuple[int, ...]:
        """Indices of the teammates this agent helps, in priority order."""

    def duty(self, index: int, n_agents: int) -> str:
        """One sentence for the prompt: what this role is for."""
        return _DUTIES.get(self.role(index, n_agents), "")

    def helpers_of(self, index: int, n_agents: int) -> tuple[int, ...]:
        """Indices of the teammates that help the agent at `index` (its status goes to them)."""
        return tuple(i for i in range(n_agents) if index in self.helps(i, n_agents))

    def assign(self, team: Sequence[str]) -> dict[str, str]:
        """Role by agent id."""
        return {aid: self.role(i, len(team)) for i, aid in enumerate(team)}


def _check(index: int, n_agents: int) -> None:
    if n_agents < 1 or not 0 <= index < n_agents:
        raise ValueError(f"invalid agent index {index} in a team of {n_agents}")


class PaperRoles(RolePolicy):
    """The DAMCS paper's roles by id (the default)."""

    name = "paper"

    def role(self, index: int, n_agents: int) -> str:
        _check(index, n_agents)
        if n_agents == 1:
            return SOLO
        if index == 0:
            return CRAFTER
        if index == n_agents - 1:
            return SEEKER
        return SUPPLIER if index == 1 else HELPER

    def helps(self, index: int, n_agents: int) -> tuple[int, ...]:
        role = self.role(index, n_agents)
        if role == SOLO:
            return ()
        if role == CRAFTER:
            return (n_agents - 1,)  # it hands the finished tool to the seeker
        if role == HELPER:
            return (index - 1, 0)
        return (0,)


class NoRoles(RolePolicy):
    """Everyone plays solo and follows no teammate (the no-division-of-labour ablation)."""

    name = "none"

    def role(self, index: int, n_agents: int) -> str:
        _check(index, n_agents)
        return SOLO

    def helps(self, index: int, n_agents: int) -> tuple[int, ...]:
        _check(index, n_agents)
        return ()


POLICIES: dict[str, type[RolePolicy]] = {"paper": PaperRoles, "none": NoRoles}


def policy(name: str = "paper") -> RolePolicy:
    """A role policy by name."""
    if name not in POLICIES:
        raise ValueError(f"unknown role policy {name!r}; allowed: {', '.join(POLICIES)}")
    return POLICIES[name]()
