"""Trained policies grouped across training seeds: same recipe, different seeds, one row."""

from __future__ import annotations

import dataclasses

from benchmark import metrics, seeds, tables
from tests.benchmark.conftest import make_record

HYPER = {"learning_rate": 3e-4, "n_minibatches": 2, "minibatch_size": None}


def _trained(label, seed, successes, *, hyper=HYPER, n_agents=2, every=50000):
    """Four episodes (maps 0-3) of a policy of one training seed; the first `successes` reach
    the diamond."""
    training = {"algo": "mappo", "seed": seed, "total_steps": 200000, "hyper": dict(hyper)}
    training["checkpoint_every"] = every
    return [
        dataclasses.replace(
            make_record(label, n_agents, 100 if m < successes else None, map_seed=m),
            method_config={"method": "mappo", "training": training},
        )
        for m in range(4)
    ]


def test_one_recipe_with_three_seeds_is_one_group_with_the_spread_over_seeds():
    records = _trained("mappo-s0", 0, 1) + _trained("mappo-s1", 1, 3)
    records += _trained("mappo-s2", 2, 2, every=25000)  # bookkeeping differs: same recipe
    summary = metrics.summarize(records, bootstrap_reps=50)
    [group] = seeds.seed_groups(summary)
    assert group.name == "mappo" and group.seeds == (0, 1, 2) and group.n_agents == 2
    diamond = group.milestones["collect_diamond"]
    assert (diamond.mean, diamond.low, diamond.high) == (0.5, 0.25, 0.75)


def test_other_hyperparameters_team_sizes_and_lone_seeds_are_not_grouped():
    records = _trained("mappo-s0", 0, 1) + _trained("mappo-s1", 1, 3)
    records += _trained("mappo-mb256-s0", 0, 4, hyper=HYPER | {"minibatch_size": 256})
    records += _trained("mappo-s0", 0, 0, n_agents=6) + _trained("mappo-s0b", 0, 2)
    summary = metrics.summarize(records, bootstrap_reps=50)
    # mb256 has one seed; at 6 agents one seed; `mappo-s0b` repeats seed 0 of the 2-agent recipe
    assert seeds.seed_groups(summary) == []
    records = [r for r in records if r.method != "mappo-s0b"]
    [group] = seeds.seed_groups(metrics.summarize(records, bootstrap_reps=50))
    assert group.methods == ("mappo-s0", "mappo-s1") and group.n_agents == 2


def test_a_config_written_before_an_option_existed_matches_one_with_it_unset():
    old = {k: v for k, v in HYPER.items() if k != "minibatch_size"}
    assert seeds.recipe({"algo": "mappo", "hyper": old, "seed": 0}) == seeds.recipe(
        {"algo": "mappo", "hyper": HYPER, "seed": 4}
    )


def test_summary_markdown_and_csv_show_the_group(tmp_path):
    records = _trained("ppo-s0", 0, 1) + _trained("ppo-s1", 1, 3)
    paths = tables.write_summary(tmp_path, metrics.summarize(records, bootstrap_reps=50))
    text = paths["summary.md"].read_text()
    assert "## Across training seeds" in text
    assert "| ppo | 2 | 0 1 | " in text and "50% [25%, 75%]" in text
    assert paths["seeds.csv"].read_text().splitlines()[1].startswith("ppo,2,0 1,ppo-s0 ppo-s1,")


def test_untrained_methods_make_no_seed_section(tmp_path):
    records = [make_record("scripted", 1, 100, map_seed=m) for m in range(3)]
    paths = tables.write_summary(tmp_path, metrics.summarize(records, bootstrap_reps=50))
    assert "seeds.csv" not in paths
    assert "Across training seeds" not in paths["summary.md"].read_text()
