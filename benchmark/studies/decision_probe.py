"""Decision-quality probe: how often does a model take the scripted planner's option, and how fast?

The probe is grown from real play, not written by hand. `collect` plays episodes through the real
agents (`agents.plain_llm` and `agents.damcs`, 1, 2 and 6 agents, several maps including the
paper's) with the `oracle` control and some `uniform` episodes (so off-plan states appear too),
and records at every decision the exact `ChoiceRequest` the agent built: its prompt, its shuffled
menu, the neutral prompt the `pmi` score calibrates against, the generate-mode prompt, and the
`reference`, the oracle's option on that same shuffled menu (`agents.oracle`), which is the label.
The states are stored in `probe_states.json` beside this module (`--collect` rebuilds it, the same
from the same seeds).

Probing a model asks it to choose on every item (batched) and reports its accuracy (agreement with
the oracle) with a 95% Wilson interval, the chance rate, how often it picked "explore", accuracy by
team size, and seconds per decision. The controls are rows of the same table: `uniform` and `fake`
(the first option of a shuffled menu) sit at chance, `oracle` at 1 by construction,
`noisy-oracle:P` near P + (1 - P) x chance.

    python -m benchmark.studies.decision_probe --models uniform fake oracle noisy-oracle:0.5
    python -m benchmark.studies.decision_probe --models smollm2-135m --score pmi --limit 150
    python -m benchmark.studies.decision_probe --models qwen2.5-0.5b --decide generate --limit 40
    python -m benchmark.studies.decision_probe --collect   # rebuild probe_states.json

Cost: the agents' prompts are long (~3,000 characters for DAMCS) and 6-agent menus hold up to 24
options (chance 0.11 over the stored states); on a loaded 2-core CPU smollm2-135m took 13 s per
decision, so CPU runs use `--limit`; the full probe is a GPU job.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import tyro
from scipy import stats

from agents import damcs, decision_reply, llm_agent, llm_decision, plain_llm, prompting
from agents import options as options_lib
from agents.llm import controls, factory, model, model_config
from benchmark.studies import output
from envs import mac
from episode import loop

STATES_PATH = pathlib.Path(__file__).with_name("probe_states.json")
EXPLORE = options_lib.Option("explore").text  # always on the agents' menu
WORLD_SEEDS = (mac.PAPER_WORLD_SEED, 1, 2)
"""The maps the probe's states come from: the DAMCS release's map and two more."""
TEAM_SIZES = (1, 2, 6)
SCHEMA = 1  # version of the stored states' format


@dataclasses.dataclass(frozen=True)
class ProbeItem:
    """One decision state visited in a real episode, labelled with the oracle's option."""

    request: model.ChoiceRequest  # the exact request the agent built (reference = the label)
    reply_goals: bool  # whether that reply asks for the paper's goals (DAMCS) or not (plain)
    method: str  # plain-llm or damcs
    n_agents: int
    world_seed: int
    control: str  # the control that played the episode (oracle or uniform)
    step: int

    def __post_init__(self) -> None:
        if self.request.reference is None:
            raise ValueError("a probe item needs the oracle's reference option")

    @property
    def label(self) -> str:
        """The oracle's option: what a model must pick to count as right."""
        return self.request.options[self.request.reference]  # type: ignore[index]

    @property
    def reply_prompt(self) -> str:
        """The generate-mode prompt of the same decision: the agents build it from the same
        sections as the scoring prompt, with the reply instructions in place of the lead-in."""
        body = self.request.prompt.removesuffix(prompting.LEAD_IN)
        return body + decision_reply.instructions(self.reply_goals)

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "request": self.request.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeItem:
        return cls(**{**data, "request": model.ChoiceRequest.from_dict(data["request"])})


# -------------------------------------------------------------------------------------------------
# Collecting states from real episodes
# -------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Episode:
    """One collection episode: which agents, how many, on which map, played by which control."""

    method: str
    n_agents: int
    world_seed: int
    control: str
    seed: int = 0


def plan(max_steps: int = 150) -> list[Episode]:
    """The collection episodes: both agents x team sizes x maps with the oracle, plus uniform
    play on every map for off-plan states."""
    out = [
        Episode(method, n, world, "oracle")
        for method in ("plain-llm", "damcs")
        for n in TEAM_SIZES
        for world in WORLD_SEEDS
    ]
    out += [Episode("plain-llm", n, world, "uniform", 1) for n in (1, 2) for world in WORLD_SEEDS]
    return out


class _Referenced(model.LanguageModel):
    """A control that asks the agents for the oracle's reference (the `uniform` one does not)."""

    wants_reference = True

    def __init__(self, inner: model.LanguageModel) -> None:
        super().__init__()
        self.inner = inner

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def generate(self, prompts, *, max_new_tokens, stop=(), json_schema=None):  # noqa: ANN001
        raise NotImplementedError("collection plays in score mode")

    def choose(self, requests: Sequence[model.ChoiceRequest]) -> list[model.Choice]:
        return self.inner.choose(requests)


def _capture(agent: llm_agent.LLMAgent, sink: list[llm_decision.Pending]) -> None:
    """Record every `Pending` the agent builds, with its generate-mode prompt too (the agent is
    switched to generate mode only while it builds the request; it still decides by scoring)."""
    build = agent.pending

    def pending() -> llm_decision.Pending:
        mode, agent.mode = agent.mode, "generate"
        try:
            made = build()
        finally:
            agent.mode = mode
        sink.append(made)
        return made

    agent.pending = pending  # type: ignore[method-assign]


def play(episode: Episode, max_steps: int) -> list[ProbeItem]:
    """Every decision of one episode as probe items (in order, duplicates kept)."""
    lm = _Referenced(controls.build(episode.control))
    env = mac.EnvConfig(
        n_agents=episode.n_agents, world_seed=episode.world_seed, max_steps=max_steps
    )
    builder = plain_llm.build_team if episode.method == "plain-llm" else damcs.build_team
    team = builder(env, model=lm)
    sink: list[llm_decision.Pending] = []
    for agent in team.agents:
        _capture(agent, sink)
    loop.play_episode(team, env, episode.seed, method=episode.method)
    items = [
        ProbeItem(
            p.request,
            p.reply_goals,
            episode.method,
            episode.n_agents,
            episode.world_seed,
            episode.control,
            p.step,
        )
        for p in sink
    ]
    for item, made in zip(items, sink, strict=True):
        if item.reply_prompt != made.reply_prompt:  # the stored states rebuild it; check they can
            raise RuntimeError("the generate-mode prompt no longer follows the scoring prompt")
    return items


def collect(
    episodes: Iterable[Episode], max_steps: int = 150, keep: int = 480, seed: int = 0
) -> list[ProbeItem]:
    """States of `episodes`, deduplicated by (prompt, menu), then `keep` of them drawn with `seed`,
    an equal share per team size where the episodes allow."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    by_size: dict[int, list[ProbeItem]] = {}
    for episode in episodes:
        for item in play(episode, max_steps):
            key = (item.request.prompt, item.request.options)
            if key not in seen:
                seen.add(key)
                by_size.setdefault(item.n_agents, []).append(item)
    rng = random.Random(seed)
    out: list[ProbeItem] = []
    sizes = sorted(by_size)
    for i, size in enumerate(sizes):
        share = (keep - len(out)) // (len(sizes) - i)
        pool = by_size[size]
        out += rng.sample(pool, min(share, len(pool)))
    rng.shuffle(out)
    return out


def save(items: Sequence[ProbeItem], path: pathlib.Path = STATES_PATH) -> None:
    """Write `items` as JSON; the few distinct neutral prompts are stored once and referenced."""
    neutral: dict[str, int] = {}
    rows = []
    for item in items:
        row = item.to_dict()
        text = row["request"].pop("neutral_prompt")
        row["request"]["neutral_prompt"] = neutral.setdefault(text, len(neutral))
        rows.append(row)
    data = {"schema": SCHEMA, "neutral_prompts": list(neutral), "items": rows}
    path.write_text(json.dumps(data, indent=0, separators=(",", ":")) + "\n")


def load(path: pathlib.Path = STATES_PATH) -> list[ProbeItem]:
    """The stored probe states (`--collect` rebuilds them)."""
    data = json.loads(path.read_text())
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{path}: probe states of schema {data.get('schema')}; run --collect")
    neutral = data["neutral_prompts"]
    items = []
    for row in data["items"]:
        request = {**row["request"], "neutral_prompt": neutral[row["request"]["neutral_prompt"]]}
        items.append(ProbeItem.from_dict({**row, "request": request}))
    return items


# -------------------------------------------------------------------------------------------------
# Probing a model
# -------------------------------------------------------------------------------------------------


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion."""
    if n == 0:
        return (float("nan"), float("nan"))
    ci = stats.binomtest(successes, n).proportion_ci(0.95, method="wilson")
    return (float(ci.low), float(ci.high))


def answer_by_score(lm: model.LanguageModel, items: Sequence[ProbeItem]) -> list[str | None]:
    """The option `lm` picks on each item's request (the reference hidden unless it is a control
    that reads it)."""
    reads_reference = getattr(lm, "wants_reference", False)
    requests = [
        i.request if reads_reference else dataclasses.replace(i.request, reference=None)
        for i in items
    ]
    return [c.option if c.valid else None for c in lm.choose(requests)]


def answer_by_reply(lm: model.LanguageModel, items: Sequence[ProbeItem]) -> list[str | None]:
    """The operation of the structured reply `lm` writes to each item's generate-mode prompt, in
    one batch as the agents ask (None when `decision_reply.parse` cannot read it)."""
    goals = any(i.reply_goals for i in items)
    if len(items) == 1:
        schema = decision_reply.schema(items[0].request.options, items[0].reply_goals)
    else:  # one schema for the batch, as `llm_decision.ask` does; each reply is held to its menu
        schema = decision_reply.schema(None, goals)
    completions = lm.generate(
        [i.reply_prompt for i in items],
        max_new_tokens=llm_decision.MAX_REPLY_TOKENS,
        json_schema=schema,
    )
    out: list[str | None] = []
    for item, completion in zip(items, completions, strict=True):
        try:
            reply = decision_reply.parse(completion.text, item.request.options, item.reply_goals)
        except decision_reply.ReplyError:
            out.append(None)
        else:
            out.append(reply.operation)
    return out


def probe(
    lm: model.LanguageModel,
    items: Sequence[ProbeItem],
    decide: str = "score",
    batch: int = 6,
    progress: bool = False,
) -> dict[str, Any]:
    """Agreement of `lm` with the oracle on `items`, with its interval, and the cost per decision."""
    answers: list[str | None] = []
    start = time.perf_counter()
    for first in range(0, len(items), max(batch, 1)):
        chunk = items[first : first + max(batch, 1)]
        if decide == "generate":
            answers += answer_by_reply(lm, chunk)
        else:
            answers += answer_by_score(lm, chunk)
        if progress:
            right = sum(a == i.label for a, i in zip(answers, items, strict=False))
            took = time.perf_counter() - start
            print(f"  {lm.model_id}: {right}/{len(answers)} right, {took:.0f} s", flush=True)
    seconds = (time.perf_counter() - start) / max(len(items), 1)
    right = [a == i.label for a, i in zip(answers, items, strict=True)]
    low, high = wilson(sum(right), len(right))
    by_size = {}
    for size in sorted({i.n_agents for i in items}):
        mine = [r for r, i in zip(right, items, strict=True) if i.n_agents == size]
        by_size[str(size)] = statistics.mean(mine)
    return {
        "model": lm.model_id,
        "decide": decide,
        "decisions": len(items),
        "correct": sum(right),
        "accuracy": statistics.mean(right),
        "ci95": [low, high],
        "chance": statistics.mean(1 / len(i.request.options) for i in items),
        "explore_rate": statistics.mean(a == EXPLORE for a in answers),
        "explore_label_rate": statistics.mean(i.label == EXPLORE for i in items),
        "unreadable": sum(a is None for a in answers),
        "accuracy_by_team_size": by_size,
        "s_per_decision": seconds,
        "answers": answers,
    }


def table(rows: Sequence[dict[str, Any]]) -> str:
    header = (
        "model", "score", "decide", "decisions", "accuracy [95% CI]", "chance",
        "explore picked", "unreadable", "by team size (1/2/6)", "s/decision",
    )  # fmt: skip
    body = [
        (
            r["model"],
            r.get("settings", {}).get("option_score", "-"),
            r["decide"],
            r["decisions"],
            f"**{r['accuracy']:.2f}** [{r['ci95'][0]:.2f}, {r['ci95'][1]:.2f}]",
            f"{r['chance']:.2f}",
            f"{r['explore_rate']:.2f}",
            r["unreadable"],
            " / ".join(f"{v:.2f}" for v in r["accuracy_by_team_size"].values()),
            f"{r['s_per_decision']:.3f}",
        )
        for r in rows
    ]
    return output.markdown_table(header, body)


@dataclasses.dataclass
class Args:
    """Decision-quality probe: agreement with the oracle on decision states from real episodes."""

    models: tuple[str, ...] = ("uniform", "fake", "oracle", "noisy-oracle:0.5")
    """models to probe: presets, local directories, .gguf files, server URLs or controls
    (fake, uniform, oracle, noisy-oracle:P)"""
    score: str = model_config.DEFAULT_OPTION_SCORE
    """option score of real models: mean, sum or pmi (calibrated by the neutral prompt)"""
    decide: str = "score"
    """score (the model scores the menu) or generate (it writes the agents' JSON reply, read by
    `agents.decision_reply.parse`; unreadable replies count as wrong)"""
    limit: int | None = None
    """probe only the first N stored states (they are stored in random order)"""
    batch: int = 6
    """requests per `choose` call (one decision per agent of a 6-agent team)"""
    device: str = "auto"
    """auto (CUDA when present, else CPU), cpu or cuda"""
    dtype: str = "auto"
    """auto, fp32 or bf16 (see `agents.llm.model_config.ModelConfig.dtype`)"""
    threads: int | None = None
    """torch CPU threads (None: torch's default)"""
    states: pathlib.Path = STATES_PATH
    """the stored probe states"""
    collect: bool = False
    """rebuild the stored states from episodes first (deterministic from the seeds)"""
    json: pathlib.Path | None = None
    """also write the table (and every answer) as JSON here"""


def make(spec: str, args: Args) -> model.LanguageModel:
    """The model `spec` names, with no call cache (timings must be real calls)."""
    if factory.is_control(spec):
        return factory.make_model(spec)
    config = model_config.ModelConfig(
        spec=spec,
        device=args.device,
        dtype=args.dtype,
        threads=args.threads,
        option_score=args.score,
        call_cache=False,
    )
    return factory.make_model(spec, **factory.backend_kwargs(config))


def main(args: Args, build: Callable[[str, Args], model.LanguageModel] = make) -> list[dict]:
    """Probe each model of `args.models` in turn; raises `output.StudyError` naming the first
    that fails to load (the rows of the models before it were printed)."""
    if args.collect:
        save(collect(plan()), args.states)
    items = load(args.states)[: args.limit]
    rows = []
    for spec in args.models:
        try:
            lm = build(spec, args)
        except model.ModelError as error:
            raise output.StudyError(f"--models {spec}: {error}") from None
        decide = "score" if factory.is_control(spec) else args.decide
        row = probe(lm, items, decide, args.batch, progress=not factory.is_control(spec))
        row["settings"] = {"option_score": "-" if factory.is_control(spec) else args.score}
        rows.append(row)
        print(table([row]).splitlines()[-1], flush=True)
    print(table(rows))
    output.write_json(args.json, vars(args), rows)
    return rows


def cli() -> int:
    return output.exit_status("decision_probe", lambda: main(tyro.cli(Args)))


if __name__ == "__main__":
    sys.exit(cli())
