"""The search over the greedy plan family (`team_plans.Plan`) for the optimal-team bound's best
plan: who makes the tools, who waits at the goal, how many copies of each gathering tool, and in
which order the maker's steps come. Every plan is replayed (`team_replay`) before it counts."""

from __future__ import annotations

import itertools

from agents import prerequisites
from benchmark.studies.team_map import INF, Layout
from benchmark.studies.team_plans import Plan, PlanContext
from benchmark.studies.team_replay import PlanError, replay
from envs.mac import rules as rules_lib

Order = tuple[prerequisites.Step, ...]
LOCAL = 12  # plans of the first pass whose choices are tried again with the other orders


def _raw(rules: rules_lib.Rules, item: str) -> str | None:
    """The material that yields `item` (None: a made item)."""
    return next((m for m, r in rules.collect.items() if item in r.receive), None)


def orders(rules: rules_lib.Rules, target: str) -> list[Order]:
    """Orders of the maker's steps toward `target` (an achievement): the prerequisite plan's
    (each raw item gathered in one go, as early as it can be); just in time (each place or make
    right after the units it uses, so the stone pickaxe waits for one stone, not five); and just
    in time but with each unit of the last make that needs a tool (coal, iron for the iron
    pickaxe) fetched as soon as that tool is made, so its long walk starts early."""
    base = prerequisites.plan(rules, target, {}, set())
    last = next((s for s in reversed(base) if s.kind == "make"), None)
    late = set()
    if last is not None:
        late = {
            item
            for item in rules.make[last.target].uses
            if _raw(rules, item) and rules.collect[_raw(rules, item)].require
        }

    def just_in_time(early: set[str]) -> Order:
        out: list[prerequisites.Step] = []
        for step in base:
            if step.kind == "collect":
                continue
            uses = (rules.place if step.kind == "place" else rules.make)[step.target].uses
            for item, amount in uses.items():
                if _raw(rules, item) and item not in early:
                    out.append(prerequisites.Step("collect", item, amount * step.amount))
            out.append(step)
            for item in sorted(early):
                if step.kind == "make" and step.target in rules.collect[_raw(rules, item)].require:
                    amount = rules.make[last.target].uses[item]
                    out.append(prerequisites.Step("collect", item, amount))
        return tuple(out)

    found = [tuple(base), just_in_time(set()), just_in_time(late)]
    bill = prerequisites.bill(base)
    return [o for i, o in enumerate(found) if o not in found[:i] and prerequisites.bill(o) == bill]


class PlanSearch(PlanContext):
    """The greedy family (`team_plans.Plan`), searched over."""

    def seekers(self, maker: int) -> list[int]:
        """Who may wait at the goal: the maker, and the three players nearest the goal's
        material (walking and tunnelling with every tool)."""
        if self.goal_material is None:
            return [maker]
        tools = frozenset(self.tools)

        def near(i: int) -> float:
            found = self.approaches(
                self.goal_material, self.ways.from_tile(self.layout.starts[i], tools)[0]
            )
            return float(found[0][0]) if found[0].size else INF

        nearest = sorted(range(self.n), key=near)[:3]
        return list(dict.fromkeys([maker, *nearest]))

    def plans(self, prune: bool = True) -> list[Plan]:
        """The plans of the family that reach the goal: each maker, seeker (`seekers`), and
        number of extra copies (0 to 2, at most one per teammate) of each gathering tool but the
        goal's, with or without fetchers taking the tools to tunnel (`arm`), and for one or two
        players both ways of choosing station tiles, in the prerequisite plan's order; then the
        choices of those that reach the goal in each other order (`orders`), for more than two
        players only of the `LOCAL` best (every choice in every order triples the time there),
        and the choices of the `LOCAL` best in every order with a seeker that fetches nothing
        (`spare`), that sets out with the first tool that shortens its way to the goal
        (`ahead`), with a fetcher posted at the dearest unit from step 0 (`posted`), and the
        combinations of these.
        With `prune`, a plan stops once it cannot beat the best so far."""
        tool = prerequisites.goal_tool(self.rules, self.goal)
        extra = [t for t in sorted(self.tools) if t != tool and t in self.rules.make]
        copies = list(itertools.product(range(min(2, self.n - 1) + 1), repeat=len(extra)))
        tights = (True, False) if self.n <= 2 else (True,)  # few plans otherwise: try both
        first, *others = orders(self.rules, f"make_{tool}" if tool else self.goal)
        found: list[Plan] = []

        def run(plan: Plan) -> None:
            best = min((p.steps for p in found), default=INF)
            try:
                plan.steps = plan.run(best if prune else INF)
            except PlanError:
                return
            if plan.steps < INF:
                found.append(plan)

        for maker in range(self.n):
            for seeker, counts, tight, arm in itertools.product(
                self.seekers(maker), copies, tights, (False, True)
            ):
                run(Plan(self, maker, seeker, dict(zip(extra, counts, strict=True)), tight, arm))
        ranked = sorted(found, key=lambda p: p.steps)
        for order, spare, ahead, posted in itertools.product(
            [first, *others], (False, True), (False, True), (False, True)
        ):
            if (order, spare, ahead, posted) == (first, False, False, False):
                continue
            for p in ranked[: LOCAL if self.n > 2 or spare or ahead or posted else None]:
                counts = {t: p.copies_asked[t] for t in extra}
                choices = {"spare": spare, "ahead": ahead, "posted": posted}
                run(Plan(self, p.maker, p.seeker, counts, p.tight, p.arm, order, **choices))
        return found

    def best(self) -> Plan | None:
        """The plan with the fewest joint steps that replays as booked (None: none)."""
        for prune in (True, False):
            for plan in sorted(self.plans(prune), key=lambda p: p.steps):
                try:
                    if replay(self.layout, self.rules, self.goal, plan.acts) == plan.steps:
                        return plan
                except PlanError:
                    pass
        return None


def best_plan(layout: Layout, rules: rules_lib.Rules, goal: str, n_agents: int) -> float:
    """Joint steps of the best plan found in the greedy family (INF when none was found); the
    plan is replayed action by action (`replay`) before it counts."""
    plan = PlanSearch(layout, rules, goal, n_agents).best()
    return INF if plan is None else plan.steps
