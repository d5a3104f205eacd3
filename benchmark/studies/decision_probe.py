"""Decision-quality probe: how often does a model pick the right Crafter subgoal, and how fast?

Situations are generated from the rule data (`envs.mac.rules`): for every achievement on the
milestone chain toward the diamond, an inventory and surroundings in which that achievement is the
obvious next step (its requirements held, its material or station nearby), plus the three vital
needs (thirst + water, hunger + cow, tiredness). Like the agents' real menu (`agents.options.menu`),
every menu also offers "explore" and a vital subgoal ("drink water", "sleep"), the short options
that summed log-probs favour. Each situation is asked once per menu position of the correct option,
so a model that answers by position scores exactly chance.

    python -m benchmark.studies.decision_probe --presets smollm2-135m gemma3-270m qwen2.5-0.5b
    python -m benchmark.studies.decision_probe --presets gemma3-270m --score mean --threads 2
    python -m benchmark.studies.decision_probe --presets fake --json runs/probe.json
"""

from __future__ import annotations

import dataclasses
import pathlib
import statistics
import time
from collections.abc import Sequence

import tyro

from agents import options as options_lib
from agents import prompting
from agents.llm import factory, model
from benchmark.studies import output
from envs.mac import rules as rules_lib

VITAL_SUBGOALS = {"drink": "drink water", "food": "eat cow", "energy": "sleep"}
EXPLORE = options_lib.Option("explore").text  # always on the agents' menu


@dataclasses.dataclass(frozen=True)
class Situation:
    """A game state described in text, and the subgoal a sensible player takes next."""

    name: str
    inventory: dict[str, int]
    nearby: tuple[str, ...]
    correct: str
    distractors: tuple[str, ...]


@dataclasses.dataclass
class Args:
    """Decision-quality probe over model presets (or any `--model` spec: path, hub id, URL, fake)."""

    presets: tuple[str, ...] = ("smollm2-135m",)
    """models to probe, each a preset, a local directory, a .gguf file, an http URL or `fake`"""
    rules: str = "damcs"
    """rule set the situations are generated from"""
    device: str = "auto"
    """auto (CUDA when present, else CPU), cpu or cuda"""
    dtype: str = "auto"
    """auto (bf16 on CUDA, fp32 on CPU), fp32 or bf16"""
    threads: int | None = None
    """torch CPU threads (None: torch's default); 1 is steadier on a shared machine"""
    batch: int = 6
    """requests per `choose` call for the batched timing (e.g. one decision per agent of a team);
    0 skips the batched pass"""
    score: str = "sum"
    """option score of HF models: sum (total log-prob of the option's tokens) or mean (per token)"""
    chat: bool = False
    """score options as the assistant's reply inside the chat template (models that have one)"""
    list_menu: bool = False
    """also list the options in the prompt (models then tend to copy the first one listed)"""
    json: pathlib.Path | None = None
    """also write the table (and every answer) as JSON here"""


def subgoal(achievement: str) -> str:
    """Menu text of an achievement: `make_wood_pickaxe` -> `make wood pickaxe`."""
    return achievement.replace("_", " ")


def situations(rules: rules_lib.Rules) -> list[Situation]:
    """One situation per milestone toward the diamond plus one per vital need, from the rules."""
    chain = [a for a in rules.milestones() if a.partition("_")[0] in ("collect", "place", "make")]
    out = []
    for position, achievement in enumerate(chain):
        kind, _, what = achievement.partition("_")
        if kind == "collect":
            material = next(m for m, c in rules.collect.items() if what in c.receive)
            inventory, nearby = dict(rules.collect[material].require), (material, "grass")
        elif kind == "place":
            inventory, nearby = dict(rules.place[what].uses), ("grass", "tree")
        else:
            inventory, nearby = dict(rules.make[what].uses), (*rules.make[what].nearby, "grass")
        # The two neighbours on the chain are the tempting mistakes: one step too far (its
        # requirements are missing) and one already behind.
        others = [chain[i] for i in (position + 1, position - 1) if 0 <= i < len(chain)]
        if len(others) < 2:
            others.append(chain[position + 2] if position + 2 < len(chain) else chain[-3])
        distractors = tuple(subgoal(o) for o in others[:2])
        out.append(
            Situation(
                achievement,
                inventory,
                nearby,
                subgoal(achievement),
                _with_menu_staples(distractors),
            )
        )
    water = next(m for m, c in rules.collect.items() if "drink" in c.receive)
    needs = {"drink": (water, "grass"), "food": ("cow", "grass"), "energy": ("grass", "tree")}
    for vital, near in needs.items():
        if vital in rules.vitals:
            wrong = tuple(v for k, v in VITAL_SUBGOALS.items() if k != vital)[:1]
            out.append(
                Situation(
                    f"low_{vital}",
                    {vital: 1},
                    near,
                    VITAL_SUBGOALS[vital],
                    _with_menu_staples((*wrong, subgoal(chain[0])), VITAL_SUBGOALS[vital]),
                )
            )
    return out


def _with_menu_staples(distractors: tuple[str, ...], correct: str = "") -> tuple[str, ...]:
    """`distractors` plus "explore" and the first vital subgoal not yet on the menu."""
    taken = {correct, *distractors}
    vital = next(v for v in VITAL_SUBGOALS.values() if v not in taken)
    return (*distractors, EXPLORE, vital)


def prompt(
    rules: rules_lib.Rules, situation: Situation, menu: Sequence[str], list_menu: bool = False
) -> str:
    """The situation in words; the options are scored as its continuation."""
    vitals = {v: situation.inventory.get(v, rules.item_max(v)) for v in rules.vitals}
    held = {k: v for k, v in situation.inventory.items() if k not in vitals and v > 0}
    inventory = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in held.items()) or "nothing"
    status = ", ".join(f"{k} {v}/{rules.item_max(k)}" for k, v in vitals.items())
    listed = f"Possible subgoals: {'; '.join(menu)}.\n" if list_menu else ""
    return (
        "You are playing Crafter, a 2D survival game. Your goal is to collect a diamond.\n"
        f"Rules:\n{prompting.recipe_table(rules)}\n"
        "If drink, food or energy gets low, drink water, eat a cow or sleep.\n\n"
        f"Status: {status}.\nInventory: {inventory}.\n"
        f"Next to you: {', '.join(situation.nearby)}.\n"
        f"{listed}"
        "The best next subgoal is to"
    )


def requests(
    rules: rules_lib.Rules, list_menu: bool = False
) -> list[tuple[Situation, int, model.ChoiceRequest]]:
    """Every situation with its correct option rotated through every menu position."""
    out = []
    for situation in situations(rules):
        options = (situation.correct, *situation.distractors)
        for shift in range(len(options)):
            menu = options[-shift:] + options[:-shift] if shift else options
            out.append(
                (
                    situation,
                    shift,
                    model.ChoiceRequest(prompt(rules, situation, menu, list_menu), menu),
                )
            )
    return out


def probe(
    lm: model.LanguageModel, rules: rules_lib.Rules, batch: int, list_menu: bool = False
) -> dict:
    """Accuracy and timings of `lm` on every probe request (one by one, then batched)."""
    asked = requests(rules, list_menu)
    answers, seconds = [], []
    for situation, position, request in asked:
        start = time.perf_counter()
        choice = lm.choose([request])[0]
        seconds.append(time.perf_counter() - start)
        answers.append(
            {
                "situation": situation.name,
                "position": position,
                "answer": choice.option,
                "correct": choice.option == situation.correct,
                "valid": choice.valid,
            }
        )
    batched = float("nan")
    if batch > 0:
        start = time.perf_counter()
        for first in range(0, len(asked), batch):
            lm.choose([r for _, _, r in asked[first : first + batch]])
        batched = (time.perf_counter() - start) / len(asked)
    positions = sorted({a["position"] for a in answers})
    by_position = [
        statistics.mean(a["correct"] for a in answers if a["position"] == p) for p in positions
    ]
    return {
        "model": lm.model_id,
        "decisions": len(answers),
        "accuracy": statistics.mean(a["correct"] for a in answers),
        "chance": statistics.mean(1 / len(r.options) for _, _, r in asked),
        "explore_rate": statistics.mean(a["answer"] == EXPLORE for a in answers),
        "accuracy_by_position": by_position,
        "s_per_decision": statistics.mean(seconds),
        "s_per_decision_batched": batched,
        "batch": batch,
        "answers": answers,
    }


def table(rows: Sequence[dict]) -> str:
    header = (
        "| model | score | decisions | accuracy | explore picked | chance | acc. by position"
        " | s/decision | batched |"
    )
    lines = [header, "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        positions = " / ".join(f"{a:.2f}" for a in row["accuracy_by_position"])
        score = row.get("settings", {}).get("option_score", "-")
        lines.append(
            f"| {row['model']} | {score} | {row['decisions']} | **{row['accuracy']:.2f}** |"
            f" {row['explore_rate']:.2f} |"
            f" {row['chance']:.2f} | {positions} | {row['s_per_decision']:.3f} |"
            f" {row['s_per_decision_batched']:.3f} (x{row['batch']}) |"
        )
    return "\n".join(lines)


def main(args: Args) -> list[dict]:
    rules = rules_lib.load(args.rules)
    rows = []
    for spec in args.presets:
        # Timings must be real model calls, never cache hits.
        kwargs: dict = {} if factory.is_control(spec) else {"cache": None}
        if factory.is_local(spec):
            kwargs.update(
                device=args.device,
                dtype=args.dtype,
                threads=args.threads,
                chat_choose=args.chat,
                option_score=args.score,
            )
        try:
            lm = factory.make_model(spec, **kwargs)
        except model.ModelError as error:
            print(f"skipping {spec}: {error}", flush=True)
            continue
        row = probe(lm, rules, args.batch, args.list_menu)
        row["settings"] = {k: v for k, v in kwargs.items() if k != "cache"}
        rows.append(row)
        print(table([row]).splitlines()[-1], flush=True)
    print(table(rows))
    config = {k: str(v) if isinstance(v, pathlib.Path) else v for k, v in vars(args).items()}
    output.write_json(args.json, config, rows)
    return rows


if __name__ == "__main__":
    main(tyro.cli(Args))
