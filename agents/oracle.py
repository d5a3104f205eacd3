"""The scripted planner's choice on an LLM agent's menu: the ruler a model's decisions are read by.

`reference_index` says which option of a menu the scripted reference agent would take in the
agent's state: a low vital first, then a share a teammate asked for (or the goal's tool handed to
the goal seeker), then the prerequisite planner's next step toward the goal (or, for an S-CS
supplier that heard a need and does not hold the goal's tool, toward its teammates' needs), else
"explore". The `oracle` and
`noisy-oracle:P` controls (`agents.llm.controls`) play by it, and the decision probe labels its
situations with it, so "accuracy" always means agreement with this one rule.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from agents import options as options_lib
from agents import prerequisites, scripted
from agents.memory import focus
from agents.skills import library


def _index(menu: Sequence[options_lib.Option], kind: str, target: str = "", mate: str = "") -> int:
    for i, option in enumerate(menu):
        if option.kind == kind and (not target or option.target == target):
            if not mate or option.teammate == mate:
                return i
    return -1


def reference_index(
    menu: Sequence[options_lib.Option],
    state: library.AgentState,
    goal: str,
    teammate_needs: Mapping[str, Mapping[str, int]] | None = None,
    tool_receivers: Collection[str] = (),
    supplier: bool = False,
    feeder: tuple[int, int] = (0, 1),
) -> int:
    """The index in `menu` of the option the scripted planner would take now. `feeder` is this
    agent's place among the teammates who feed the crafter (index, count): like the scripted
    suppliers, each fetches its own share of the items the crafter needs."""
    if not menu:
        raise ValueError("the oracle needs a non-empty menu")
    vital = scripted.vital_need(state)
    if vital is not None:
        found = _index(menu, vital.kind)
        if found >= 0:
            return found
    needs = teammate_needs or {}
    tool = prerequisites.goal_tool(state.rules, goal)
    if tool and state.inventory.get(tool, 0) > 0:
        for mate in tool_receivers:
            found = _index(menu, "share", tool, mate)
            if found >= 0:
                return found
    for mate, wanted in needs.items():
        for item, count in wanted.items():
            if count > 0 and state.inventory.get(item, 0) > 0:
                found = _index(menu, "share", item, mate)
                if found >= 0:
                    return found
    stations = state.stations_known
    wanted_counts = focus.merge_needs(needs.values())
    if supplier and wanted_counts:
        items = sorted(wanted_counts)
        index, count = feeder
        mine = items[index % len(items)] if count > 1 else None
        share = {mine: wanted_counts[mine]} if mine else wanted_counts
        steps = prerequisites.plan_items(state.rules, share, state.inventory, stations)
    else:
        steps = prerequisites.plan(state.rules, goal, state.inventory, stations)
    if steps:
        step = scripted.choose_step(state, steps)
        found = _index(menu, step.kind, step.target)
        if found >= 0:
            return found
    found = _index(menu, "explore")
    return found if found >= 0 else 0
