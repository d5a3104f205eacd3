"""Memory cost over an episode: A-KGMS prompt length and per-decision time, 30 vs 300 decisions.

    python -m benchmark.studies.memory_cost --decisions 300 --early 30 --trials 20

Feeds synthetic decisions into one agent's `GraphMemory`: the planner's plan toward the goal, replayed
in a loop with the inventory it produces, one message read per decision and a mix of done / failed
results. Per decision it times the update (observe, record, resolve, commit) and the prompt summary,
and measures the prompt section (characters, whitespace tokens). The issue's target: the values
after `decisions` stay within 1.5x of those after `early`.
"""

from __future__ import annotations

import dataclasses
import statistics
import time

import tyro

from agents import memory, prerequisites
from agents.skills import library
from benchmark.studies import output
from envs.mac import rules as rules_lib


@dataclasses.dataclass(frozen=True)
class Args:
    decisions: int = 300
    """Decisions fed into the memory (the late checkpoint)."""
    early: int = 30
    """The early checkpoint."""
    window: int = 10
    """Decisions averaged around each checkpoint (the last `window` up to it)."""
    trials: int = 20
    """Fresh memories timed; the median over trials is reported."""
    rules: str = "damcs"
    """Rule set whose recipes and plan drive the synthetic decisions."""
    goal: str = rules_lib.DEFAULT_GOAL
    """The agent's ultimate goal."""


@dataclasses.dataclass(frozen=True)
class Sample:
    """One decision's measurements."""

    update_us: float
    summary_us: float
    chars: int
    tokens: int


def _script(rules: rules_lib.Rules, goal: str) -> list[prerequisites.Step]:
    return list(prerequisites.plan(rules, goal, {}, ()))


def run_once(args: Args) -> list[Sample]:
    """Feed `args.decisions` synthetic decisions into a fresh memory; one sample per decision."""
    rules = rules_lib.load(args.rules)
    mem = memory.GraphMemory(rules, args.goal)
    script = _script(rules, args.goal)
    inventory: dict[str, int] = {}
    achievements: dict[str, int] = {}
    samples = []
    for i in range(args.decisions):
        step = script[i % len(script)]
        if i % len(script) == 0:
            inventory, achievements = {}, {}
        info = {
            "inventory": {
                "health": 9,
                "food": 9 - i % 5,
                "drink": 9 - i % 7,
                "energy": 9,
                **inventory,
            },
            "achievements": achievements,
            "position": (32 + i % 11, 30 + i % 7),
            "facing": (0, 1),
            "step": 3 * i,
        }
        failed = i % 9 == 4
        start = time.perf_counter()
        mem.observe_info(
            info, view="grass, a tree to the north", messages=(f"player_1 needs {i % 3} stone",)
        )
        mem.record(
            step.text,
            goal=step.text,
            long_term_goal=library.readable(args.goal),
            reply={"choice": step.text, "summary": f"decision {i}"},
            summary=f"I chose to {step.text}.",
        )
        mem.resolve("failed" if failed else "done", "no path" if failed else step.text)
        mem.commit()
        middle = time.perf_counter()
        text = mem.summary().text
        end = time.perf_counter()
        samples.append(
            Sample((middle - start) * 1e6, (end - middle) * 1e6, len(text), len(text.split()))
        )
        if not failed:
            _apply(rules, step, inventory, achievements)
    return samples


def _apply(
    rules: rules_lib.Rules, step: prerequisites.Step, inventory: dict, achievements: dict
) -> None:
    """What a successful step does to the inventory (enough for realistic summaries)."""
    if step.kind == "collect":
        inventory[step.target] = inventory.get(step.target, 0) + step.amount
    else:
        uses = (rules.place if step.kind == "place" else rules.make)[step.target].uses
        for item, n in uses.items():
            inventory[item] = max(inventory.get(item, 0) - n, 0)
        if step.kind == "make":
            inventory[step.target] = inventory.get(step.target, 0) + 1
    achievements[f"{step.kind}_{step.target}"] = 1


def _at(trials: list[list[Sample]], upto: int, window: int, field: str) -> float:
    """Median over trials of the mean of `field` over the `window` decisions up to `upto`."""
    return statistics.median(
        statistics.fmean(getattr(s, field) for s in samples[upto - window : upto])
        for samples in trials
    )


def main(args: Args) -> dict[str, dict[str, float]]:
    trials = [run_once(args) for _ in range(args.trials)]
    fields = ("chars", "tokens", "update_us", "summary_us")
    table = {
        n: {f: _at(trials, n, args.window, f) for f in fields} for n in (args.early, args.decisions)
    }
    print(
        f"A-KGMS memory cost ({args.rules} rules, median of {args.trials} trials, "
        f"mean of the {args.window} decisions up to each checkpoint)"
    )
    early, late = table[args.early], table[args.decisions]
    ratios = {f: late[f] / early[f] for f in fields}
    ratios["total_us"] = (late["update_us"] + late["summary_us"]) / (
        early["update_us"] + early["summary_us"]
    )
    rows = [
        (
            n,
            f"{row['chars']:.0f}",
            f"{row['tokens']:.0f}",
            f"{row['update_us']:.1f}",
            f"{row['summary_us']:.1f}",
            f"{row['update_us'] + row['summary_us']:.1f}",
        )
        for n, row in table.items()
    ]
    rows.append(
        (
            f"ratio {args.decisions}/{args.early}",
            *(f"{ratios[f]:.2f}" for f in (*fields, "total_us")),
        )
    )
    header = ("after", "prompt chars", "prompt tokens", "update us", "summary us", "total us")
    print(output.markdown_table(header, rows))
    verdict = "within" if max(ratios["chars"], ratios["total_us"]) <= 1.5 else "NOT within"
    print(f"prompt length and per-decision time are {verdict} 1.5x")
    return table


if __name__ == "__main__":
    main(tyro.cli(Args))
