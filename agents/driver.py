"""Driving skills from options: the part of an agent between "the decision-maker chose X" and the
primitive action of this step.

A `SkillDriver` keeps one agent's known map, turns its info into a `library.AgentState`, runs the
skill of the chosen option step by step, and remembers how every option ended (the history a
prompt shows, and the failures that keep a just-failed option off the menu for a while). It knows
nothing about who decides: the LLM agents (`agents.llm_agent`) use it, and so could any other
option-level decision-maker.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents import options
from agents.skills import library, mapping, navigation
from envs.mac import rules as rules_lib

# A failed option stays off the menu for this many steps, so a decision-maker that keeps picking
# an impossible subgoal explores instead of spending one model call per step on it.
RETRY_AFTER = 15
# Vitals falling to these levels (max 9) interrupt the running skill so the agent decides again.
VITAL_ALERTS = {"drink": 3, "food": 3, "energy": 2}
# Walking back and forth between two tiles for this many steps is a livelock: two players (or a
# player and a creature) each stepping out of the other's way into it again, in step, for as long
# as their options run (six DAMCS agents with perfect decisions: 150 steps at one water tile).
# The agent then stands still for 1 + its place in the team's order steps, so players caught
# together set off at different times; caught again more than `LIVELOCK_BACKOFFS` times in one
# option, the option fails and the decision-maker chooses again.
LIVELOCK_STEPS = 8
LIVELOCK_BACKOFFS = 2


@dataclass(frozen=True)
class Outcome:
    """How one option ended: the history entry a prompt shows ("collect wood: done (...)")."""

    step: int  # joint step at which the option was chosen
    option: str  # option text
    status: str  # library.DONE, library.FAILED, or "interrupted"
    reason: str
    ended: int  # joint step at which it ended

    def __post_init__(self) -> None:
        if self.status not in (library.DONE, library.FAILED, "interrupted"):
            raise ValueError(f"invalid outcome status {self.status!r}")

    @property
    def text(self) -> str:
        return f"{self.option}: {self.status}" + (f" ({self.reason})" if self.reason else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "option": self.option,
            "status": self.status,
            "reason": self.reason,
            "ended": self.ended,
        }


class SkillDriver:
    """One agent's map, current option and skill, and the outcomes of its past options."""

    def __init__(self, privileged_map: bool = False, alerts: bool = True) -> None:
        """`alerts=False` leaves interrupting a running skill to the decision-maker
        (`advance(state, interrupt=...)`), for one that watches its vitals itself."""
        self.privileged_map = privileged_map
        self.alerts = alerts

    def reset(
        self,
        agent_id: str,
        team: tuple[str, ...],
        rules: rules_lib.Rules,
        action_names: tuple[str, ...],
        seed: int,
    ) -> None:
        """Forget the previous episode; the seed spreads the agents' exploration headings."""
        self.agent_id = agent_id
        self.teammates = tuple(a for a in team if a != agent_id)
        self.rules = rules
        self.action_names = action_names
        self.known = mapping.KnownMap(rules)
        rng = np.random.default_rng(seed)
        angle = 2 * math.pi * (team.index(agent_id) / len(team) + rng.uniform())
        self.heading = (math.cos(angle), math.sin(angle))
        self.home: tuple[int, int] | None = None
        self.option: options.Option | None = None
        self.skill: library.Skill | None = None
        self.started = 0
        self.failed: dict[options.Option, int] = {}
        self.history: list[Outcome] = []
        self._alerted: set[str] = set()
        self.rank = team.index(agent_id)
        self._forget_walk()

    # --- observing --------------------------------------------------------------------------

    def observe(
        self, info: Mapping[str, Any], shared: tuple[mapping.KnownMap, ...] = ()
    ) -> library.AgentState:
        """Update the known map from this step's info (and teammates' `shared` maps, merged in)
        and return the agent's state."""
        if self.home is None:
            self.home = tuple(int(v) for v in info["position"])
        if self.privileged_map and "semantic" in info:
            self.known.observe(info)
        else:
            self.known.observe({k: v for k, v in info.items() if k != "semantic"})
        for other in shared:
            if other is not self.known:
                self.known.merge_known(other)
        return library.AgentState.from_info(
            self.agent_id,
            info,
            self.known,
            self.rules,
            self.action_names,
            teammates=self.teammates,
            heading=self.heading,
            home=self.home,
        )

    # --- running skills ---------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.skill is not None and not self.skill.finished

    def advance(self, state: library.AgentState, interrupt: str = "") -> str | None:
        """The running skill's next action ("noop" while the agent stands by after pacing, see
        `LIVELOCK_STEPS`), or None when a decision is needed (no skill, or it finished, failed
        or was interrupted now; its outcome is then in `history`). A non-empty `interrupt` (the
        decision-maker's reason) ends the running skill now."""
        if self.skill is None:
            return None
        if interrupt:
            self.finish(state, "interrupted", interrupt)
            return None
        alert = self.alert(state) if self.alerts else ""
        if alert:
            self.finish(state, "interrupted", alert)
            return None
        if self._standing_by:
            self._standing_by -= 1
            return "noop"
        action = self.skill.step(state)
        if action is None:
            self.finish(state)
            return None
        return self._unless_livelocked(state, action)

    def start(
        self, option: options.Option, state: library.AgentState, toward: tuple[str, ...] = ()
    ) -> str | None:
        """Begin `option` and return its first action (None if it ended at once; see `history`);
        `toward` as in `options.Option.skill`.

        Raises `options.OptionError` when no skill can execute the option.
        """
        skill = option.skill(state, toward)
        self.option, self.skill, self.started = option, skill, state.step
        # The decision saw the current vitals: only a later fall interrupts this option.
        self._alerted = self._low(state)
        self._forget_walk()
        action = skill.step(state)
        if action is None:
            self.finish(state)
            return None
        return self._unless_livelocked(state, action)

    def _forget_walk(self) -> None:
        self._walk: deque[mapping.Position] = deque(maxlen=LIVELOCK_STEPS)
        self._backoffs = 0
        self._standing_by = 0

    def _unless_livelocked(self, state: library.AgentState, action: str) -> str | None:
        """`action`, or "noop" when the last `LIVELOCK_STEPS` moves kept the agent on two tiles
        (it stands by for `rank` more steps), or None when that happened too often in this option
        (the option failed; see `history`)."""
        if action not in navigation.MOVES:
            self._walk.clear()
            return action
        self._walk.append(state.position)
        if len(self._walk) < LIVELOCK_STEPS or len(set(self._walk)) > 2:
            return action
        self._walk.clear()
        assert self.skill is not None
        if self._backoffs >= LIVELOCK_BACKOFFS:
            self.skill.fail(f"walked back and forth for {LIVELOCK_STEPS} steps")
            self.finish(state)
            return None
        self._backoffs += 1
        self._standing_by = self.rank
        return "noop"

    def finish(self, state: library.AgentState, status: str = "", reason: str = "") -> Outcome:
        """Close the current option and record its outcome."""
        assert self.option is not None and self.skill is not None
        status = status or self.skill.status
        if status == library.FAILED:
            self.failed[self.option] = state.step
        outcome = Outcome(
            self.started, self.option.text, status, reason or self.skill.reason, state.step
        )
        self.history.append(outcome)
        self.skill = None
        return outcome

    def alert(self, state: library.AgentState) -> str:
        """A vital that just fell to its alert level (once per fall), unless the running option
        already looks after vitals."""
        low = self._low(state)
        new = low - self._alerted
        self._alerted = low
        if not new or (self.option is not None and self.option.kind in ("drink", "eat", "sleep")):
            return ""
        return f"{' and '.join(sorted(new))} low"

    @staticmethod
    def _low(state: library.AgentState) -> set[str]:
        return {v for v, level in VITAL_ALERTS.items() if state.inventory.get(v, math.inf) <= level}

    # --- the menu ---------------------------------------------------------------------------

    def failed_recently(self, option: options.Option, step: int) -> bool:
        return self.failed.get(option, -RETRY_AFTER) > step - RETRY_AFTER

    def menu(self, state: library.AgentState) -> list[options.Option]:
        """The option menu without options that failed in the last `RETRY_AFTER` steps; "wait"
        when nothing else is left, so a menu is never empty."""
        menu = [o for o in options.menu(state) if not self.failed_recently(o, state.step)]
        return menu or [options.Option("wait", amount=5)]

    def action_id(self, name: str | None) -> int:
        """The action index of `name` (noop when None)."""
        return self.action_names.index(name or "noop")
