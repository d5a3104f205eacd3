"""The seeker of two finishes the goal's tool by the goal.

The seeker of a team of two feeds the crafter, leaves for the seen goal near the end of the bill
and waits there for the tool; the crafter fetches the last units alone, and these often lie by
the goal (two agents with the privileged map, seed 11 of the cooperation study: the crafter walked
31 steps to the iron by the diamond while the seeker waited there from step 72; 91 steps, one
agent alone 80). The optimal-team plans hand the end of the chain to the seeker instead. So when
the seeker, bound for the goal and handed what the crafter holds, would make the tool by the goal
`FINISH_MARGIN` steps sooner than the crafter alone, it does: it takes the last units on its way
there (`planner.best_route`), places the station by the last one and makes the tool, and the
crafter hands it every item its plan takes (`prerequisites.handed_in`). Measured with the
privileged map on two sets of 300 maps: -1.3 +- 0.6 and -1.2 +- 0.8 steps; on the agents' own maps,
where the diamond is mostly seen late, -0.1 +- 0.5 and -0.2 +- 0.2 (results/changes/README.md).
Only on the scripted team's own board: a board heard from messages (the oracle control) keeps the
crafter making the tool.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from agents import options, planner, prerequisites, scripted_board, scripted_dispatch, teamwork
from agents.skills import library

if TYPE_CHECKING:
    from agents.scripted import ScriptedAgent

# The seeker finishes the tool when it would hold it this many steps before the crafter alone.
FINISH_MARGIN = 3


def pooled(state: library.AgentState, crafter: scripted_board.AgentStatus) -> library.AgentState:
    """`state` holding also what the crafter may hand over (the rules' shareable items)."""
    inventory = dict(state.inventory)
    for item, amount in crafter.inventory.items():
        if item in state.rules.share and amount > 0:
            inventory[item] = inventory.get(item, 0) + amount
    return dataclasses.replace(state, inventory=inventory)


def finish_plan(
    state: library.AgentState, crafter: scripted_board.AgentStatus, tool: str
) -> tuple[prerequisites.Step, ...]:
    """The seeker's plan to the tool from its holdings and the crafter's."""
    return planner.plan_steps(pooled(state, crafter), goal=f"make_{tool}")


def work_steps(steps: tuple[prerequisites.Step, ...], walk: float) -> float:
    """A guess of the steps to carry out `steps` after a walk of `walk` through their
    materials: `planner.UNIT_STEPS` a unit collected and a step a place or make."""
    units = sum(step.amount for step in steps if step.kind == "collect")
    others = sum(1 for step in steps if step.kind != "collect")
    return walk + planner.UNIT_STEPS * units + others


def finish_steps(
    state: library.AgentState, steps: tuple[prerequisites.Step, ...], goal: str
) -> float | None:
    """A guess of the seeker's steps to the tool by the goal: its walk through the plan's
    materials to the goal (`planner.best_route`) and the work (`work_steps`). None when the plan
    gathers nothing or takes no such walk."""
    route = planner.best_route(state, steps, goal)
    return None if route is None else work_steps(steps, route.walk)


def crafter_steps(
    state: library.AgentState,
    reach: teamwork.Reach,
    crafter: scripted_board.AgentStatus,
    tool: str,
) -> float:
    """A guess of the crafter's steps to the tool alone: its walk through its plan's materials
    (`planner.gathering_walk`) and the work, on `state`'s map; where no such walk is known, the
    fit of a lone agent's steps (`scripted_dispatch.alone_steps`)."""
    own = dataclasses.replace(state, position=crafter.position, inventory=dict(crafter.inventory))
    steps = planner.plan_steps(own, goal=f"make_{tool}")
    walk = planner.gathering_walk(own, steps)
    if walk is None:
        return scripted_dispatch.alone_steps(reach, crafter, state.rules)
    return work_steps(steps, walk)


def finishes(
    agent: ScriptedAgent,
    state: library.AgentState,
    reach: teamwork.Reach,
    crafter: scripted_board.AgentStatus,
    tool: str,
) -> bool:
    """Whether the seeker of two, bound for the seen goal, makes the tool there `FINISH_MARGIN`
    steps sooner than the crafter alone (`crafter_steps`) or its own walk to the goal, whichever
    ends later."""
    rules, goal = state.rules, agent.spec.goal
    target = library.goal_material(rules, goal)
    if target is None or not state.known.knows(target) or not crafter.missing:
        return False
    pool = pooled(state, crafter)
    mine = finish_steps(pool, planner.plan_steps(pool, goal=f"make_{tool}"), goal)
    if mine is None:
        return False
    walk = scripted_dispatch.seeker_walk(reach, state.position, state.inventory, target)
    theirs = max(crafter_steps(state, reach, crafter, tool), walk)
    return mine + FINISH_MARGIN <= theirs


def finish(
    agent: ScriptedAgent,
    state: library.AgentState,
    crafter: scripted_board.AgentStatus,
    tool: str,
) -> scripted_board.Decision:
    """The finishing seeker's next step. It posts what its plan needs to hold
    (`AgentStatus.needs`, from the holdings of both: a share the crafter spent meanwhile drops
    out at the next decision); once it holds all the crafter hands over, its own plan to the
    goal, gathering on the way (`ScriptedAgent.toward`); before, a unit on that way or a place
    its holdings allow, else the walk to the goal."""
    rules, goal = state.rules, agent.spec.goal
    target = library.goal_material(rules, goal)
    steps = finish_plan(state, crafter, tool)
    handed = prerequisites.handed_in(rules, steps, state.inventory)
    agent.status.needs = {item: state.inventory.get(item, 0) + n for item, n in handed.items()}
    agent.status.wants, agent.status.fetching = "", ""
    why = "seeker: finish the tool by the goal"
    if not handed:
        return agent.toward(state, goal, why, gathers=True)
    route = planner.route_on_the_way(state, steps, goal)
    if route is not None:
        step, toward = route
        return scripted_board.Decision(
            options.Option.from_step(step), f"{why}, on the way to the {toward[-1]}", toward
        )
    if (
        steps
        and steps[0].kind == "place"
        and prerequisites.executable(rules, steps[0], state.inventory)
    ):
        return scripted_board.Decision(options.Option.from_step(steps[0]), why)
    if target is None or state.known.material_at(state.facing_tile) == target:
        return scripted_board.Decision(options.Option("wait", amount=2), f"{why}: shares coming")
    return scripted_board.Decision(options.Option("navigate", target), f"{why}: shares coming")


def feed(
    agent: ScriptedAgent,
    state: library.AgentState,
    seeker: str,
    status: scripted_board.AgentStatus,
) -> scripted_board.Decision:
    """The crafter hands the finishing seeker what its plan needs (tools first); a unit shared
    last step may not show in the seeker's posted holdings yet."""
    rules = state.rules
    for item in sorted(status.needs, key=lambda name: (name not in rules.make, name)):
        short = status.needs[item] - status.inventory.get(item, 0)
        if agent.status.handed.get((item, seeker)) == state.step - 1:
            short -= 1
        if short > 0 and state.inventory.get(item, 0) > 0:
            return scripted_board.Decision(
                options.Option("share", item, seeker), f"crafter: the seeker finishes; {item}"
            )
    return scripted_board.Decision(
        options.Option("wait", amount=5), "crafter: the seeker finishes the tool"
    )
