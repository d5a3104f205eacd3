"""What keeps an agent alive to the episode's end, and no further: which vital (drink, food, sleep)
to tend and when, from crafter's life stats (in its code, not in the rule data).

A 350-step episode needs about one drink and no sleep; tending every vital at a threshold costs a
lone agent tens of steps. The scripted planner and the oracle control decide by the same rule.
"""

from __future__ import annotations

from agents import options, teamwork
from agents.skills import library, navigation

# Vitals at or below these levels interrupt the plan (max 9; each drops about every 20-30 steps).
# Sleep waits for energy 0: a sleep takes ~80 of the 350 steps, and health falls only slowly then.
VITAL_THRESHOLDS = {"drink": 3, "food": 3, "energy": 0}
# Crafter's life stats (in its code, not in the rule data): a vital drops by one every this many
# steps while awake, and health drops by one every `HEALTH_PERIOD` steps while any vital is at 0.
VITAL_PERIODS = {"drink": 21, "food": 26, "energy": 31}
HEALTH_PERIOD = 16
# A projected death this many steps or fewer after the episode's end still counts as dying in it.
SURVIVAL_MARGIN = 15
# Water or a cow this close (steps) is worth a stop while the vital is this far below its max.
ON_THE_WAY = {"distance": 3, "below_max": 3}


def _vital_option(state: library.AgentState, vital: str) -> options.Option | None:
    if vital == "drink":
        return options.Option("drink")
    if vital == "food":
        edible = options.edible(state.rules)
        return options.Option("eat", edible[0]) if edible else None
    return options.Option("sleep")


def projected_death(state: library.AgentState) -> int:
    """The step at which the agent dies if it tends no vital from now on: the first vital to reach
    0, then one health every `HEALTH_PERIOD` steps (crafter's life stats)."""
    inventory = state.inventory
    present = [v for v in VITAL_PERIODS if v in inventory]
    if not present:
        return 10**9
    empty = min(state.step + inventory[v] * VITAL_PERIODS[v] for v in present)
    return empty + inventory.get("health", 9) * HEALTH_PERIOD


def goal_unseen(state: library.AgentState, goal: str) -> bool:
    """Whether the goal's material is still unseen: the episode will run long, and water or a cow
    passed on the way is worth a stop."""
    kind, _, item = goal.partition("_")
    material = library.material_yielding(state.rules, item) if kind == "collect" else None
    return material is not None and not state.known.knows(material)


def episode_end(state: library.AgentState, goal: str, last_step: int) -> int:
    """The step by which the agent's episode ends: `last_step`, or sooner when it can collect
    the goal now (it holds what the collect requires and the goal's material is in reach; the
    goal ends the episode). A vital it would need only after that is not tended first (six
    oracle agents, map 825430161: the receiver of the iron pickaxe, beside the diamond, went
    for water at drink 3 and handed the pickaxe on from there)."""
    material = library.goal_material(state.rules, goal)
    if material is None or not state.known.knows(material):
        return last_step
    if teamwork.lacking(state.rules, goal.partition("_")[2], state.inventory):
        return last_step
    tools = library.gathering_tools(state.rules)
    held = frozenset(t for t in tools if state.inventory.get(t, 0) > 0)
    steps = teamwork.Reach(state.known).steps(state.position, material, held)
    if steps == float("inf"):
        return last_step
    return min(last_step, state.step + int(steps) + 1)


def vital_need(
    state: library.AgentState, end: int | None = None, on_the_way: bool = False
) -> options.Option | None:
    """The vital the scripted agent tends first (drink, eat, sleep), or None when all are fine.

    Without `end`, any vital at its threshold. With `end` (the episode's last step), only one the
    agent would not live to the end without: the first to run out, once at its threshold (so a
    350-step episode needs one drink and no sleep), or, with `on_the_way` (while the agent still
    searches, so the end is far), a cheap one: water or a cow a few steps off."""
    inventory = state.inventory
    if end is None:
        for vital in ("drink", "food", "energy"):
            if inventory.get(vital, 9) <= VITAL_THRESHOLDS[vital]:
                option = _vital_option(state, vital)
                if option is not None:
                    return option
        return None
    if projected_death(state) > end + SURVIVAL_MARGIN:
        return None
    present = [v for v in VITAL_PERIODS if v in inventory]
    first = min(present, key=lambda v: (inventory[v] * VITAL_PERIODS[v], v))
    if inventory[first] <= VITAL_THRESHOLDS[first]:
        return _vital_option(state, first)
    return _vital_on_the_way(state) if on_the_way else None


def _vital_on_the_way(state: library.AgentState) -> options.Option | None:
    """Drink or eat when water or a cow is a few steps away and the vital is well below its max."""
    known = state.known
    dist = None
    sources = {"drink": library.material_yielding(state.rules, "drink")}
    edible = options.edible(state.rules)
    if edible:
        sources["food"] = edible[0]
    for vital, source in sources.items():
        level = state.inventory.get(vital)
        if source is None or level is None:
            continue
        if level > state.rules.item_max(vital) - ON_THE_WAY["below_max"]:
            continue
        near = navigation.adjacent_cells(known.mask(source))
        if not near.any():
            continue
        if dist is None:
            dist = navigation.distances(known, state.position)
        reach = near & (dist >= 0) & (dist <= ON_THE_WAY["distance"])
        if reach.any():
            return _vital_option(state, vital)
    return None
