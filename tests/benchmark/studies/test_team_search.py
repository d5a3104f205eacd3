"""The greedy family's search: the maker's step orders gather what the prerequisite plan does,
in the order each variant promises; the best plan replays as booked."""

from __future__ import annotations

from agents import prerequisites
from benchmark.studies import team_map, team_plans, team_replay, team_search
from envs.mac import rules as rules_lib


def _steps(order: team_search.Order) -> list[tuple[str, str, int]]:
    return [(s.kind, s.target, s.amount) for s in order]


def test_orders_gather_the_same_units_in_their_own_order():
    rules = rules_lib.load("damcs")
    base, just_in_time, early = team_search.orders(rules, "make_iron_pickaxe")
    assert base == prerequisites.plan(rules, "make_iron_pickaxe", {}, set())
    for order in (just_in_time, early):
        assert prerequisites.bill(order) == prerequisites.bill(base)
    # Just in time: the stone pickaxe right after the one stone it uses, the furnace's four after.
    steps = _steps(just_in_time)
    pickaxe = steps.index(("make", "stone_pickaxe", 1))
    assert steps[pickaxe - 1] == ("collect", "stone", 1)
    assert steps[pickaxe + 1] == ("collect", "stone", 4)
    # Early: the iron fetched as soon as the stone pickaxe is made, the coal after the wood one.
    steps = _steps(early)
    assert steps[steps.index(("make", "stone_pickaxe", 1)) + 1] == ("collect", "iron", 1)
    assert steps[steps.index(("make", "wood_pickaxe", 1)) + 1] == ("collect", "coal", 1)


def test_a_goal_with_one_step_order_has_one_order():
    assert len(team_search.orders(rules_lib.load("damcs"), "collect_wood")) == 1


def test_the_best_plan_replays_on_a_real_map():
    layout = team_map.layout_for(0, 2, None)
    rules = rules_lib.load("damcs")
    plan = team_search.PlanSearch(layout, rules, "collect_diamond", 2).best()
    assert plan is not None
    assert team_replay.replay(layout, rules, "collect_diamond", plan.acts) == plan.steps


def test_a_spare_seeker_fetches_nothing():
    # Player 1 stands by the stone in front of the coal; spared, it only waits for the pickaxe
    # and mines its way to the coal, while player 0 fells every tree.
    layout = team_map.Layout.from_rows(["TAT....ASC", "TT......SS"])
    rules = rules_lib.load("damcs")
    search = team_search.PlanSearch(layout, rules, "collect_coal", 2)
    plan = team_plans.Plan(search, maker=0, seeker=1, copies={}, spare=True)
    plan.steps = plan.run()
    assert team_replay.replay(layout, rules, "collect_coal", plan.acts) == plan.steps
    felled = [a for a in plan.acts[1].values() if a[0] == "do"]
    assert all(layout.grid.ravel()[a[1]] != "tree" for a in felled)
    assert not any(a[0] == "share" for a in plan.acts[1].values())


def test_a_seeker_ahead_tunnels_to_the_goal_with_the_first_pickaxe():
    # The iron lies at the end of nine stones east of player 1. Ahead, player 1 takes the wood
    # pickaxe as soon as it is made and tunnels while player 0 makes the stone pickaxe (a stone
    # of the tunnel shared to it); otherwise it sets out only after player 0's last step.
    layout = team_map.Layout.from_rows(["TATT.ASSSSSSSSSI", "TTTS.SSSSSSSSSSS"])
    rules = rules_lib.load("damcs")
    search = team_search.PlanSearch(layout, rules, "collect_iron", 2)
    found = search.plans(prune=False)
    ahead = min(p.steps for p in found if p.departed is not None)
    behind = min(p.steps for p in found if p.departed is None)
    assert ahead < behind
    best = search.best()
    assert best.departed is not None and best.steps == ahead
    assert team_replay.replay(layout, rules, "collect_iron", best.acts) == best.steps
    grid = layout.grid.ravel()
    tunnel = [
        t for t, a in best.acts[best.seeker].items() if a[0] == "do" and grid[a[1]] == "stone"
    ]
    pickaxe = min(t for t, a in best.acts[best.maker].items() if a == ("make", "wood_pickaxe"))
    assert min(tunnel) <= pickaxe + 3  # it digs right after the pickaxe is handed over


def test_a_posted_fetcher_walks_to_the_far_iron_from_the_first_step():
    # Six players among trees, the iron 21 tiles east. Posted, the player nearest it (5) sets
    # out at step 1 (felling the tree in its way) and waits there for the stone pickaxe;
    # otherwise the iron's fetcher leaves only once the maker's steps reach the iron.
    layout = team_map.Layout.from_rows(
        [
            "TATATAT.D.................I",
            "TATATAT.S..................",
            "TSSCSST....................",
        ]
    )
    rules = rules_lib.load("damcs")
    search = team_search.PlanSearch(layout, rules, "collect_diamond", 6)
    steps = {}
    for posted in (False, True):
        plan = team_plans.Plan(search, 1, 2, {"wood_pickaxe": 1}, posted=posted)
        steps[posted] = plan.run()
        assert team_replay.replay(layout, rules, "collect_diamond", plan.acts) == steps[posted]
    assert steps[True] < steps[False]
    grid = layout.grid.ravel()
    iron = [t for t, a in plan.acts[5].items() if a[0] == "do" and grid[a[1]] == "iron"]
    assert min(plan.acts[5]) == 1 and iron
