"""A sweep plays each setting of the search's constants against the code's own on the same maps."""

from __future__ import annotations

import json

import pytest

from agents.skills import navigation
from benchmark.studies import cooperation, paired, sweep


def _args(out, *settings: str, **changes) -> sweep.Args:
    """Two maps, one agent, the own map: a second or two of play per setting."""
    fields = {"maps": 2, "first": 410, "team_sizes": (1,), "navigation": ("own",)}
    return sweep.Args(set=settings, out=str(out), **{**fields, **changes})


def test_a_setting_is_parsed_as_typed_and_a_bad_one_is_one_line_naming_what_is_allowed():
    assert sweep.parse_setting("PRIOR_RADIUS=3,REGION_WEIGHT.diamond=0.3") == (
        ("PRIOR_RADIUS", 3),
        ("REGION_WEIGHT.diamond", 0.3),
    )
    assert sweep.setting_name(sweep.parse_setting("STEP_OFFSET=2.0,HOME_PULL=0")) == (
        "STEP_OFFSET=2,HOME_PULL=0"
    )
    refused = {
        "NOPE=1": "NOPE: allowed: PRIOR_RADIUS, PRIOR_BASE",
        "PRIOR_RADIUS=2.5": "PRIOR_RADIUS=2.5: allowed: a number >= 0 (an integer)",
        "STEP_OFFSET=-1": "STEP_OFFSET=-1: allowed: a number >= 0",
        "HOME_PULL=nan": "HOME_PULL=nan: allowed: a number >= 0",
        "STEP_OFFSET": "allowed: NAME=VALUE[,NAME=VALUE...]",
        "HOME_PULL=0,HOME_PULL=1": "HOME_PULL is set twice",
        "REGION_WEIGHT.diamonds=1": "allowed after REGION_WEIGHT.: stone, coal, iron, diamond",
        "COVERED=0.5": "COVERED: allowed: PRIOR_RADIUS",
    }
    for text, said in refused.items():
        with pytest.raises(ValueError) as error:
            sweep.parse_setting(text)
        assert said in str(error.value) and "\n" not in str(error.value)


def test_the_constants_are_replaced_while_a_row_plays_and_put_back_after(monkeypatch):
    radius, region = navigation.PRIOR_RADIUS, dict(navigation.REGION_WEIGHT)
    seen = []

    def row(where, n_agents, study):
        seen.append((navigation.PRIOR_RADIUS, dict(navigation.REGION_WEIGHT)))
        raise RuntimeError("a row that fails")

    monkeypatch.setattr(cooperation, "play_row", row)
    setting = sweep.parse_setting(f"PRIOR_RADIUS={radius + 3},REGION_WEIGHT.iron=0.5")
    with pytest.raises(RuntimeError):
        sweep.play_row(cooperation.Map("seed 0", 0), 1, cooperation.Args(), setting)
    assert seen == [(radius + 3, {**region, "iron": 0.5})]
    assert navigation.PRIOR_RADIUS == radius and navigation.REGION_WEIGHT == region


def test_a_sweep_plays_the_control_and_each_setting_on_the_same_maps_and_pairs_them(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")
    out = tmp_path / "sweep"
    both = ("privileged", "own")
    assert sweep.main(_args(out, "PRIOR_RADIUS=5", navigation=both)) == 0
    printed = capsys.readouterr().out
    control = json.loads((out / "control.json").read_text())
    wider = json.loads((out / "PRIOR_RADIUS=5.json").read_text())
    assert control["config"]["setting"] == "control"
    assert wider["config"]["setting"] == "PRIOR_RADIUS=5"
    maps = [r["map"] for r in control["rows"]]
    assert maps == [r["map"] for r in wider["rows"]] == ["seed 440", "seed 441"]
    # The privileged map needs no search: every episode the same. On the own map the wider prior
    # sends the search elsewhere on both maps.
    assert [r["privileged"] for r in control["rows"]] == [r["privileged"] for r in wider["rows"]]
    assert all(
        (a["own"], a["own_seen"]) != (b["own"], b["own_seen"])
        for a, b in zip(control["rows"], wider["rows"], strict=True)
    )
    lines = [line for line in printed.splitlines() if line.startswith("| `PRIOR_RADIUS=5` |")]
    assert [line.split(" | ")[1] for line in lines] == ["privileged", "own"]
    assert lines[0].endswith("| +0.0 +- 0.0 [+0.0, +0.0] | 0 / 0 |")
    assert "\n".join(lines) in (out / "summary.md").read_text()
    # The files are cooperation rows: `paired` reads them.
    assert (
        paired.main(paired.Args(str(out / "control.json"), str(out / "PRIOR_RADIUS=5.json"))) == 0
    )


def test_a_sweep_goes_on_from_its_files_and_plays_only_the_runs_it_lacks(tmp_path, monkeypatch):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")
    out = tmp_path / "sweep"
    assert sweep.main(_args(out, "STEP_OFFSET=2")) == 0
    played, play = [], cooperation.play_outcome

    def counted(where, *args, **kwargs):
        played.append(where.name)
        return play(where, *args, **kwargs)

    monkeypatch.setattr(cooperation, "play_outcome", counted)
    assert sweep.main(_args(out, "STEP_OFFSET=2", "HOME_PULL=0")) == 0
    assert played == ["seed 440", "seed 441"]  # the new setting's run alone


def test_bad_arguments_and_files_of_another_run_are_one_line_before_any_play(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")
    out = tmp_path / "sweep"
    assert sweep.main(_args(out, "STEP_OFFSET=2")) == 0
    capsys.readouterr()
    monkeypatch.setattr(cooperation, "play_outcome", None)  # any play would fail
    refused = [
        (_args(out), "--set: give at least one setting"),
        (_args(out, "NOPE=1"), "--set NOPE=1: NOPE: allowed:"),
        (_args(out, "HOME_PULL=0", "HOME_PULL=0.0"), "--set HOME_PULL=0: given twice"),
        (_args(out, "STEP_OFFSET=2", maps=3), "--maps 2, not 3"),
        (_args(out, "STEP_OFFSET=2", workers=0), "--workers 0: allowed"),
        (_args(tmp_path / "sweep" / "control.json", "STEP_OFFSET=2"), "is not a folder"),
    ]
    for args, said in refused:
        assert sweep.main(args) == 2
        err = capsys.readouterr().err
        assert said in err and err.count("\n") == 1, err


def test_with_the_goal_hidden_each_setting_pairs_the_rock_its_search_saw(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")
    out = tmp_path / "sweep"
    assert sweep.main(_args(out, "PRIOR_RADIUS=5", hide_goal=True)) == 0
    printed = capsys.readouterr().out
    rows = [
        json.loads((out / f"{n}.json").read_text())["rows"] for n in ("control", "PRIOR_RADIUS=5")
    ]
    assert all("own_rock" in r for side in rows for r in side)
    table = printed[printed.index("`PRIOR_RADIUS=5`:") :]
    seen = [line for line in table.splitlines() if "| rock seen by 350 |" in line]
    counts = [sum(r["own_rock"]["350"] for r in side) / len(side) for side in rows]
    assert len(seen) == 1 and f"| {counts[0]:.1f} -> {counts[1]:.1f} |" in seen[0]
    assert sweep.main(_args(out, "PRIOR_RADIUS=5", hide_goal=True, navigation=("privileged",))) == 2
    assert "--hide-goal: plays the own explored map only" in capsys.readouterr().err
