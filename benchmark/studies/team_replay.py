"""Playing a plan's booked actions in the relaxed game (stated in `benchmark.studies.team_bound`),
so a plan counts only once every action does what it was booked for."""

from __future__ import annotations

from collections.abc import Sequence

from benchmark.studies.team_map import INF, Layout, goal_item
from envs.mac import rules as rules_lib


class PlanError(RuntimeError):
    """A plan books an action the relaxed game does not allow."""


def replay(
    layout: Layout, rules: rules_lib.Rules, goal: str, acts: Sequence[dict[int, tuple]]
) -> float:
    """Play per-player actions (by step: ("move", tile), ("do", tile), ("place", name, tile),
    ("make", name), ("share", item, player); flat tiles; no action: noop) in the relaxed game and
    return the step the goal is first achieved (INF: never); raise PlanError on an action the
    game would not carry out as booked."""
    grid = layout.grid.ravel().copy()
    w, h = layout.grid.shape
    where = [x * h + y for x, y in layout.starts[: len(acts)]]
    held = [{name: rule.initial for name, rule in rules.items.items()} for _ in acts]
    kind, target = goal_item(goal)

    def near(a: int, b: int) -> bool:
        (ax, ay), (bx, by) = divmod(a, h), divmod(b, h)
        return abs(ax - bx) + abs(ay - by) == 1

    def need(i: int, items) -> None:
        for item, amount in items.items():
            if held[i][item] < amount:
                raise PlanError(f"player {i} lacks {item}")

    for step in range(1, max((max(a, default=0) for a in acts), default=0) + 1):
        for i, booked in enumerate(acts):
            action = booked.get(step)
            if action is None:
                continue
            what = action[0]
            if what == "move":
                if not near(where[i], action[1]) or grid[action[1]] not in rules.walkable:
                    raise PlanError(f"player {i} cannot enter {action[1]} at step {step}")
                where[i] = action[1]
            elif what == "do":
                tile = action[1]
                if not near(where[i], tile):
                    raise PlanError(f"player {i} is not next to {tile} at step {step}")
                rule = rules.collect.get(grid[tile])
                if rule is None:
                    continue  # already collected by a teammate: a step spent for nothing
                need(i, rule.require)
                grid[tile] = rule.leaves
                for item, amount in rule.receive.items():
                    held[i][item] += amount
                    if (kind, target) == ("collect", item):
                        return float(step)
            elif what == "place":
                rule = rules.place[action[1]]
                if not near(where[i], action[2]) or grid[action[2]] not in rule.where:
                    raise PlanError(f"player {i} cannot place on {action[2]} at step {step}")
                need(i, rule.uses)
                for item, amount in rule.uses.items():
                    held[i][item] -= amount
                grid[action[2]] = action[1]
                if (kind, target) == ("place", action[1]):
                    return float(step)
            elif what == "make":
                recipe = rules.make[action[1]]
                x, y = divmod(where[i], h)
                around = {
                    grid[ax * h + ay]
                    for ax in range(max(x - 1, 0), min(x + 2, w))
                    for ay in range(max(y - 1, 0), min(y + 2, h))
                }
                if not set(recipe.nearby) <= around:
                    raise PlanError(f"player {i} is not near {recipe.nearby} at step {step}")
                need(i, recipe.uses)
                for item, amount in recipe.uses.items():
                    held[i][item] -= amount
                held[i][action[1]] += recipe.gives
                if (kind, target) == ("make", action[1]):
                    return float(step)
            else:
                need(i, {action[1]: 1})
                held[i][action[1]] -= 1
                held[action[2]][action[1]] += 1
    return INF
