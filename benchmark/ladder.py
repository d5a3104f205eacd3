"""The paper's ablation ladder and the decision-quality chart, read off a `metrics.Summary`.

Rungs are identified from what each cell's records say about themselves (`method_config`), never
from a method label: the family (`plain-llm`, `damcs`, `scripted`), S-CS on or off, the team size,
and the decision-maker (the model spec, or `scripted`). One ladder per decision-maker present, so a
model is compared only with itself; a rung the result set did not run is reported as not run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmark import metrics, record_views, reference

LADDER_FAMILIES = {"plain-llm": ("plain-llm",), "damcs": ("damcs", "scripted")}
"""Our families that can play a paper rung: the scripted team has DAMCS's structure (roles,
sharing) with a scripted decision-maker, so it stands on the DAMCS rungs of its own ladder."""

QUALITY_FAMILIES = ("plain-llm", "damcs")
QUALITY_TEAM_SIZES = (1, 2, 6)


class LadderError(ValueError):
    """A model-accuracy file cannot be read, or a rung or point does not fit its cell."""


def _pick(candidates: Sequence[metrics.GroupSummary]) -> metrics.GroupSummary | None:
    """The full form of the method first (fewest deviations), then by label, so a choice is stable
    and any stand-in (privileged map, focus off) is named in the table."""
    if not candidates:
        return None
    return min(candidates, key=lambda g: (len(g.deviations), g.method))


def _rung_group(
    summary: metrics.Summary, maker: str, rung: reference.PaperResult
) -> metrics.GroupSummary | None:
    families = LADDER_FAMILIES[rung.family]
    return _pick(
        [
            g
            for g in summary.groups
            if g.decision_maker == maker
            and g.n_agents == rung.n_agents
            and g.family in families
            and (rung.n_agents == 1 or g.communicates == rung.communicates)
        ]
    )


@dataclass(frozen=True)
class LadderRow:
    """One rung for one decision-maker: our cell (None = not run) beside the paper's number."""

    decision_maker: str
    paper: reference.PaperResult
    group: metrics.GroupSummary | None
    vs_baseline: metrics.Reduction | None

    def __post_init__(self) -> None:
        if self.group is not None and self.group.n_agents != self.paper.n_agents:
            raise LadderError(
                f"{self.group.method} has {self.group.n_agents} agents, the rung "
                f"{self.paper.condition!r} {self.paper.n_agents}"
            )

    @property
    def paper_reduction(self) -> float:
        return reference.paper_reduction(self.paper)

    def to_dict(self) -> dict[str, Any]:
        g = self.group
        return {
            "decision_maker": self.decision_maker,
            "rung": self.paper.condition,
            "n_agents": self.paper.n_agents,
            "communication": self.paper.communicates if self.paper.n_agents > 1 else None,
            "our_method": g.method if g else None,
            "run": g is not None,
            "deviations": list(g.deviations) if g else [],
            "steps": g.steps_to_goal.to_dict() if g else None,
            "success": g.success.to_dict() if g else None,
            "reduction_vs_baseline": self.vs_baseline.to_dict() if self.vs_baseline else None,
            "paper_steps": self.paper.steps_to_goal,
            "paper_approximate": self.paper.approximate,
            "paper_reduction_vs_baseline": self.paper_reduction,
        }


def decision_makers(summary: metrics.Summary) -> tuple[str, ...]:
    """Decision-makers with at least one cell on the ladder, sorted."""
    found = {
        maker
        for maker in {g.decision_maker for g in summary.groups if g.decision_maker}
        for rung in reference.RESULTS
        if _rung_group(summary, maker, rung) is not None
    }
    return tuple(sorted(found))


def ladder(summary: metrics.Summary, maker: str) -> tuple[LadderRow, ...]:
    """The paper's six rungs for one decision-maker, with reductions against its own Baseline
    (plain LLM, 1 agent) on the maps both ran."""
    baseline_rung = reference.RESULTS[0]
    baseline = _rung_group(summary, maker, baseline_rung)
    rows = []
    for rung in reference.RESULTS:
        g = _rung_group(summary, maker, rung)
        vs = None
        if g is not None and baseline is not None and g is not baseline:
            vs = metrics.paired_reduction(
                g, baseline, reps=summary.bootstrap_reps, seed=summary.seed
            )
        rows.append(LadderRow(maker, rung, g, vs))
    return tuple(rows)


def ladders(summary: metrics.Summary) -> dict[str, tuple[LadderRow, ...]]:
    """One ladder per decision-maker present."""
    return {maker: ladder(summary, maker) for maker in decision_makers(summary)}


# ---------------------------------------------------------------------------------------------
# Decision quality
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityPoint:
    """One cell placed at the accuracy of its decision-maker."""

    family: str
    n_agents: int
    accuracy: float
    decision_maker: str
    group: metrics.GroupSummary
    measured: bool
    """True for a real model placed by its probe accuracy, False for a synthetic decision-maker."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.accuracy <= 1.0:
            raise LadderError(
                f"decision accuracy {self.accuracy} of {self.decision_maker} not in [0, 1]"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "n_agents": self.n_agents,
            "accuracy": self.accuracy,
            "decision_maker": self.decision_maker,
            "method": self.group.method,
            "real_model": self.measured,
            "steps": self.group.steps_to_goal.to_dict(),
            "success": self.group.success.to_dict(),
        }


def load_model_accuracy(path: str | Path) -> dict[str, float]:
    """Model spec -> probe accuracy in [0, 1], from a JSON or YAML mapping."""
    path = Path(path)
    try:
        text = path.read_text()
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise LadderError(f"{path}: cannot read model accuracies ({error})") from None
    if not isinstance(data, Mapping):
        raise LadderError(f"{path}: expected a mapping of model spec -> accuracy")
    out = {}
    for spec, value in data.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
            raise LadderError(f"{path}: accuracy of {spec!r} must be a number in [0, 1]")
        out[str(spec)] = float(value)
    return out


def decision_quality(
    summary: metrics.Summary, model_accuracy: Mapping[str, float] | None = None
) -> tuple[QualityPoint, ...]:
    """Plain LLM and DAMCS cells at 1, 2 and 6 agents whose decision-maker has a known accuracy:
    `noisy-oracle:P`, `uniform` (0), `oracle` (1), or a real model listed in `model_accuracy`.
    Teams with S-CS off and stand-ins with deviations are left out, to keep one line per cell."""
    model_accuracy = dict(model_accuracy or {})
    chosen: dict[tuple[str, int, str], list[metrics.GroupSummary]] = {}
    for g in summary.groups:
        if g.family not in QUALITY_FAMILIES or g.n_agents not in QUALITY_TEAM_SIZES:
            continue
        if g.decision_maker is None or (g.n_agents > 1 and not g.communicates):
            continue
        chosen.setdefault((g.family, g.n_agents, g.decision_maker), []).append(g)
    points = []
    for (family, n, maker), groups in sorted(chosen.items()):
        synthetic = record_views.decision_accuracy(maker)
        accuracy = synthetic if synthetic is not None else model_accuracy.get(maker)
        g = _pick(groups)
        if accuracy is None or g is None:
            continue
        points.append(QualityPoint(family, n, accuracy, maker, g, synthetic is None))
    return tuple(points)
