"""The semantic memory's relevance filter: which options on the menu serve the goal at all.

The A-KGMS semantic memory knows the recipes (from the rule data) and, through the team's statuses,
what teammates still need. The paper hands that knowledge to GPT-4o as a prerequisite check in the
prompt; a small local model reads such text poorly and keeps repeating an option it has just done
("collect wood" long after the tool chain has its wood). `relevant` applies the same knowledge to
the menu instead: it drops collect/place/make options that neither the agent's own plan to the goal
nor a teammate's stated need calls for. The model still chooses among what is left (which always
includes exploring and the vital needs). It is part of the memory: off with `--no-memory`, and on
its own variant: the method `damcs-assisted` (plain `damcs` runs without it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from agents import options as options_lib
from agents import prerequisites
from envs.mac import rules as rules_lib


def relevant(
    menu: Sequence[options_lib.Option],
    rules: rules_lib.Rules,
    goal: str,
    inventory: Mapping[str, int],
    stations_known: Collection[str] = (),
    teammate_needs: Mapping[str, Mapping[str, int]] | None = None,
    tool_receivers: Collection[str] = (),
    supplier: bool = False,
    tool_requests: Mapping[str, str] | None = None,
) -> list[options_lib.Option]:
    """The options of `menu` that serve `goal` (an achievement) or a teammate's need, in menu order.

    Kept: a collect whose item the plan's bill or a teammate needs; a place or make that is a step
    of the plan; a share of an item the receiving teammate needs, or of the tool the goal needs to
    one of `tool_receivers` (in the paper, the goal seeker receives the iron pickaxe), and, with
    team dispatch, the making and sharing of a gathering tool a teammate asks for in
    `tool_requests` (teammate -> tool: the crafter hands out pickaxe copies); every other
    option (the vitals, explore, go to, wait). A `supplier` (an S-CS role that feeds others) plans
    for what its teammates need, not for the whole goal chain of its own, as long as it has heard a
    need; the goal's own material stays collectable for everyone. With no plan left (the goal needs
    nothing more), or when nothing would be left, the menu is returned unchanged.
    """
    needs = teammate_needs or {}
    requests = tool_requests or {}
    wanted_counts = merge_needs(needs.values())
    tool = prerequisites.goal_tool(rules, goal)
    if supplier and wanted_counts:
        steps = prerequisites.plan_items(rules, wanted_counts, inventory, stations_known)
    else:
        steps = prerequisites.plan(rules, goal, inventory, stations_known)
    if not steps:
        return list(menu)
    wanted = set(prerequisites.bill(steps)) | set(wanted_counts) | {goal.partition("_")[2]}
    planned = {(step.kind, step.target) for step in steps}
    kept = []
    for option in menu:
        if option.kind == "collect":
            keep = option.target in wanted
        elif option.kind in ("place", "make"):
            copy = option.kind == "make" and option.target in requests.values()
            keep = (option.kind, option.target) in planned or copy
        elif option.kind == "share":
            needed = option.target in needs.get(option.teammate, {})
            handover = option.target == tool and option.teammate in tool_receivers
            keep = needed or handover or requests.get(option.teammate) == option.target
        else:  # the vitals, exploring and waiting never compete with the plan
            keep = True
        if keep:
            kept.append(option)
    return kept or list(menu)


def merge_needs(needs: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The largest count of each item any of `needs` asks for (needs overlap: one crafter's bill)."""
    merged: dict[str, int] = {}
    for need in needs:
        for item, count in need.items():
            merged[item] = max(merged.get(item, 0), count)
    return merged
