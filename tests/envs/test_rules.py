"""Rules, generated from the data: every recipe works with its inputs and station and fails without."""

from __future__ import annotations

import crafter.constants
import pytest

from envs.mac import rules as rules_lib

RULE_SETS = ("crafter", "damcs")


def _cases(kind):
    return [(r, name) for r in RULE_SETS for name in getattr(rules_lib.load(r), kind)]


def test_crafter_rule_set_is_the_original_game():
    ours = rules_lib.load("crafter")
    assert list(ours.actions) == crafter.constants.actions
    assert list(ours.materials) == crafter.constants.materials
    assert list(ours.walkable) == crafter.constants.walkable
    assert list(ours.achievements) == crafter.constants.achievements
    for name, item in crafter.constants.items.items():
        assert (ours.items[name].max, ours.items[name].initial) == (item["max"], item["initial"])
    for material, rule in crafter.constants.collect.items():
        ours_rule = ours.collect[material]
        assert dict(ours_rule.require) == rule["require"]
        assert dict(ours_rule.receive) == rule["receive"]
        assert ours_rule.leaves == rule["leaves"]
        assert ours_rule.probability == rule.get("probability", 1)
    for name, rule in crafter.constants.place.items():
        assert (dict(ours.place[name].uses), list(ours.place[name].where)) == (
            rule["uses"],
            rule["where"],
        )
    for name, rule in crafter.constants.make.items():
        assert dict(ours.make[name].uses) == rule["uses"]
        assert list(ours.make[name].nearby) == rule["nearby"]
        assert ours.make[name].gives == rule["gives"]


def test_damcs_differences_from_crafter():
    crafter_rules, damcs = rules_lib.load("crafter"), rules_lib.load("damcs")
    assert damcs.make["iron_pickaxe"].nearby == ("furnace",)
    assert crafter_rules.make["iron_pickaxe"].nearby == ("table", "furnace")
    assert damcs.creatures == ("cow",)
    assert damcs.length == 350
    assert all(damcs.items[i].max == 999 for i in damcs.items if i not in damcs.vitals)
    assert all(damcs.items[v].max == 9 for v in damcs.vitals)
    assert crafter_rules.share == () and "iron_pickaxe" in damcs.share


def test_milestones_are_derived_from_the_recipes():
    chain = rules_lib.load("damcs").milestones("collect_diamond")
    assert chain[0] == "collect_wood" and chain[-1] == "collect_diamond"
    assert set(chain) == {
        "collect_wood",
        "place_table",
        "make_wood_pickaxe",
        "collect_stone",
        "make_stone_pickaxe",
        "collect_iron",
        "collect_coal",
        "place_furnace",
        "make_iron_pickaxe",
        "collect_diamond",
    }
    rules = rules_lib.load("damcs")
    for i, name in enumerate(chain):  # every prerequisite comes earlier in the chain
        assert all(chain.index(need) < i for need in rules.prerequisites(name))
    assert rules.milestones("place_table") == ("collect_wood", "place_table")


def test_unknown_names_are_clear_errors():
    with pytest.raises(rules_lib.RulesError, match="unknown rules 'nope'; allowed: crafter, damcs"):
        rules_lib.load("nope")
    with pytest.raises(rules_lib.RulesError, match="unknown goal"):
        rules_lib.load("damcs").milestones("collect_unicorn")


@pytest.mark.parametrize(("rules", "name"), _cases("make"))
def test_make_recipe(scene, rules, name):
    recipe = rules_lib.load(rules).make[name]

    def attempt(missing_item=None, missing_station=None):
        s = scene(rules=rules)
        s.give(**{item: amount - (item == missing_item) for item, amount in recipe.uses.items()})
        for i, station in enumerate(recipe.nearby):
            if station != missing_station:
                s.put("player_0", (i - 1, -1), station)
        before = dict(s.player().inventory)
        s.act(player_0=f"make_{name}")
        return before, dict(s.player().inventory)

    before, after = attempt()
    assert after[name] == before[name] + recipe.gives
    for item, amount in recipe.uses.items():
        assert after[item] == before[item] - amount
    for item in recipe.uses:
        before, after = attempt(missing_item=item)
        assert after[name] == before[name], f"{name} made without enough {item}"
    for station in recipe.nearby:
        before, after = attempt(missing_station=station)
        assert after[name] == before[name], f"{name} made without a {station} nearby"


@pytest.mark.parametrize(("rules", "name"), _cases("place"))
def test_place_recipe(scene, rules, name):
    rule = rules_lib.load(rules).place[name]
    s = scene(rules=rules)
    target = s.put("player_0", (0, 1), rule.where[0])  # players face down at spawn
    s.give(**{item: amount - 1 for item, amount in rule.uses.items()})
    s.act(player_0=f"place_{name}")
    assert s.world[target][0] == rule.where[0] and s.world[target][1] is None
    s.give(**dict(rule.uses))
    s.act(player_0=f"place_{name}")
    material, obj = s.world[target]
    assert (material == name) if rule.type == "material" else (obj is not None)
    assert all(s.player().inventory[item] == 0 for item in rule.uses)
    assert s.player().achievements[f"place_{name}"] == 1


@pytest.mark.parametrize(
    ("rules", "material"),
    [(r, m) for r, m in _cases("collect") if rules_lib.load(r).collect[m].probability == 1],
)
def test_collect_recipe(scene, rules, material):
    rule = rules_lib.load(rules).collect[material]
    s = scene(rules=rules)
    target = s.put("player_0", (0, 1), material)
    if rule.require:
        s.act(player_0="do")
        assert all(s.player().inventory[i] == 0 for i in rule.receive if i not in ("drink",))
        assert s.world[target][0] == material
    s.give(**dict(rule.require))
    s.player().inventory.update({i: 0 for i in rule.receive if i == "drink"})
    s.act(player_0="do")
    for item, amount in rule.receive.items():
        assert s.player().inventory[item] >= amount
    assert s.world[target][0] == rule.leaves


def test_iron_pickaxe_needs_only_a_furnace_in_damcs(scene):
    for rules, expected in (("damcs", 1), ("crafter", 0)):
        s = scene(rules=rules)
        s.give(wood=1, coal=1, iron=1)
        s.put("player_0", (1, 0), "furnace")
        s.act(player_0="make_iron_pickaxe")
        assert s.player().inventory["iron_pickaxe"] == expected, rules


def test_item_cap(scene):
    for rules, cap in (("damcs", 999), ("crafter", 9)):
        s = scene(rules=rules)
        s.give(wood=cap - 1)
        for _ in range(3):
            s.put("player_0", (0, 1), "tree")
            s.act(player_0="do")
        assert s.player().inventory["wood"] == cap, rules
