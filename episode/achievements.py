"""Per-achievement success rates and the Crafter score, the metric every Crafter paper reports.

The score (Hafner 2021) is the geometric mean of the achievements' success rates, in percent, with
a 1% offset: ``exp(mean(ln(1 + s_i))) - 1``. It lives with the episode contract because both the
harness (over episode records) and the MARL trainer (over its evaluation episodes) report it, and
neither may import the other. The achievement list comes from the rule data, never typed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from envs.mac import rules as rules_lib


def names(rules: str) -> tuple[str, ...]:
    """The achievements of rule set `rules` (22 for crafter's), in the rule data's order."""
    return tuple(rules_lib.load(rules).achievements)


def success_rates(unlocked: Sequence[Iterable[str]], rules: str) -> dict[str, float]:
    """Percent of episodes in which each achievement was unlocked (by any player), given the set
    of achievements each episode unlocked."""
    episodes = [set(u) for u in unlocked]
    if not episodes:
        raise ValueError("success rates need at least one episode")
    return {name: 100.0 * sum(name in e for e in episodes) / len(episodes) for name in names(rules)}


def crafter_score(rates: Mapping[str, float]) -> float:
    """The Crafter score (percent) of per-achievement success rates given in percent."""
    if not rates:
        raise ValueError("the Crafter score needs at least one achievement")
    if any(not 0.0 <= r <= 100.0 for r in rates.values()):
        raise ValueError(f"success rates must be percentages in [0, 100], got {dict(rates)}")
    return math.exp(sum(math.log(1.0 + r) for r in rates.values()) / len(rates)) - 1.0
