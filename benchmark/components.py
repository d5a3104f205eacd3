"""Each component of the DAMCS agent against its control in the same result set: the component on
beside the same cell with it off, same decision-maker, same team size, on the maps both ran.

A component earns credit only against its control. The ablation ladder reads every rung against
one Baseline (a single plain agent); this table reads each switch on its own:

- **S-CS**: communication on against off, same family and options (the scripted team: its roles
  and shared board against none);
- **A-KGMS**: the DAMCS agent with its knowledge-graph memory against the same agent with memory
  off (the option `memory: false`);
- **DAMCS vs plain agent**: the DAMCS agent (A-KGMS, and S-CS in a team) against the paper's plain
  LLM agent, the decision-maker the same.

Cells are found from what their records say about themselves (`record_views`: family,
decision-maker, S-CS on or off, deviations from the paper's form), never from labels. The number
is 1 - with / without of the mean steps to the goal (a failure counted at the cap: the restricted
mean under censoring at the cap) over the maps both cells ran, each map's runs averaged first,
with a paired bootstrap over those maps: the maps are the independent units, and two cells that
played the same episodes read 0% [0%, 0%].
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmark import statistics as stats
from benchmark import summary as summary_lib
from benchmark.record_views import NO_MEMORY


def _same_but_comm(on: summary_lib.GroupSummary, off: summary_lib.GroupSummary) -> bool:
    return (
        on.n_agents > 1
        and on.family == off.family
        and on.deviations == off.deviations
        and on.communicates
        and not off.communicates
    )


def _same_but_memory(on: summary_lib.GroupSummary, off: summary_lib.GroupSummary) -> bool:
    return (
        on.family == off.family == "damcs"
        and on.communicates == off.communicates
        and NO_MEMORY not in on.deviations
        and set(off.deviations) == {*on.deviations, NO_MEMORY}
    )


def _damcs_against_plain(on: summary_lib.GroupSummary, off: summary_lib.GroupSummary) -> bool:
    return (
        on.family == "damcs"
        and off.family == "plain-llm"
        and on.deviations == off.deviations
        and (on.communicates or on.n_agents == 1)
    )


@dataclass(frozen=True)
class Switch:
    """One component: its name in the table and how a pair of cells differs only by it."""

    name: str
    pairs: Callable[[summary_lib.GroupSummary, summary_lib.GroupSummary], bool]


SWITCHES = (
    Switch("S-CS", _same_but_comm),
    Switch("A-KGMS", _same_but_memory),
    Switch("DAMCS vs plain agent", _damcs_against_plain),
)


@dataclass(frozen=True)
class ComponentRow:
    """A component's cell against its control: `comparison.method` has it, `baseline_method` not."""

    component: str
    decision_maker: str
    comparison: summary_lib.Reduction

    def to_dict(self) -> dict[str, Any]:
        found = self.comparison.to_dict()
        return {
            "component": self.component,
            "decision_maker": self.decision_maker,
            "n_agents": found["n_agents"],
            "with_method": found["method"],
            "without_method": found["baseline_method"],
            "shared_maps": found["shared_maps"],
            "with_steps": found["team_steps"],
            "without_steps": found["baseline_steps"],
            "with_success_rate": found["team_success_rate"],
            "without_success_rate": found["baseline_success_rate"],
            "reduction": found["reduction"],
            "reduction_ci_low": found["reduction_ci_low"],
            "reduction_ci_high": found["reduction_ci_high"],
        }


def compare(
    on: summary_lib.GroupSummary,
    off: summary_lib.GroupSummary,
    *,
    reps: int = stats.DEFAULT_REPS,
    seed: int = 0,
) -> summary_lib.Reduction:
    """1 - on / off of mean capped steps to the goal over the maps both ran (each map's units
    averaged first), with a paired bootstrap over those maps; no estimate where neither side
    ever reached the goal."""
    shared = sorted(set(on.goal_units) & set(off.goal_units))

    def per_map(group: summary_lib.GroupSummary) -> list[float]:
        return [
            statistics.mean(min(t, group.max_steps) for t, _ in group.goal_units[m]) for m in shared
        ]

    def success(group: summary_lib.GroupSummary) -> float:
        reached = [r for m in shared for _, r in group.goal_units[m]]
        return sum(reached) / len(reached)

    with_steps, without_steps = per_map(on), per_map(off)
    if success(on) == success(off) == 0:
        estimate = stats.Estimate(None, None, None, len(shared))
    else:
        estimate = stats.paired_hierarchical_bootstrap(
            [np.array([[s]]) for s in with_steps],
            [np.array([[s]]) for s in without_steps],
            lambda a, b: 1.0 - float(a.mean()) / float(b.mean()),
            reps=reps,
            seed=seed,
        )
    return summary_lib.Reduction(
        method=on.method,
        n_agents=on.n_agents,
        baseline_method=off.method,
        team_steps=statistics.mean(with_steps),
        baseline_steps=statistics.mean(without_steps),
        team_success_rate=success(on),
        baseline_success_rate=success(off),
        estimate=estimate,
        baseline_n_agents=off.n_agents,
    )


def component_rows(summary: summary_lib.Summary) -> tuple[ComponentRow, ...]:
    """Every pair of cells of one decision-maker and team size that differ by one component and
    share maps, by component, then decision-maker and team size."""
    rows = []
    groups = [g for g in summary.groups if g.decision_maker is not None]
    for switch in SWITCHES:
        for on in groups:
            for off in groups:
                if (
                    on is off
                    or on.decision_maker != off.decision_maker
                    or on.n_agents != off.n_agents
                    or not set(on.goal_units) & set(off.goal_units)
                    or not switch.pairs(on, off)
                ):
                    continue
                comparison = compare(on, off, reps=summary.bootstrap_reps, seed=summary.seed)
                rows.append(ComponentRow(switch.name, on.decision_maker or "", comparison))
    order = {s.name: i for i, s in enumerate(SWITCHES)}
    return tuple(
        sorted(
            rows,
            key=lambda r: (
                order[r.component],
                r.decision_maker,
                r.comparison.n_agents,
                r.comparison.method,
            ),
        )
    )
