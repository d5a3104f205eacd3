"""The cooperation study's table: a failure counts at the cap, never dropped from a mean."""

from __future__ import annotations

import json

from benchmark.studies import cooperation


def _row(name: str, n: int, privileged: int | None, own: int | None) -> dict:
    return {"map": name, "n_agents": n, "lower": None, "best_plan": None, "privileged": privileged,
            "own": own}  # fmt: skip


def test_a_failure_counts_at_the_cap_in_means_and_ratios():
    rows = [_row("seed 0", 1, 100, None), _row("seed 1", 1, 100, 150)]
    text = cooperation.summary(rows, 2, (1,))
    cap = cooperation.CAP
    own_line = next(line for line in text.splitlines() if "| own | 1 |" in line)
    assert "| 1/2 |" in own_line
    # (cap + 150) / 2, not 150 (the mean over the one success).
    assert f"| {(cap + 150) / 2:.1f} [" in own_line
    ratio = (cap / 100 + 150 / 100) / 2
    assert f"steps / privileged {ratio:.2f} [" in text
    assert "success 50% (target >= 90%: False)" in text


def test_a_failure_counts_at_the_length_its_episode_was_played_at():
    short, long = _row("seed 0", 1, 100, None), _row("seed 1", 1, 100, None)
    short["length"], long["length"] = 300, 700
    text = cooperation.summary([short, long], 2, (1,))
    own_line = next(line for line in text.splitlines() if "| own | 1 |" in line)
    assert "| 500.0 [" in own_line and "300/700-step cap" in text


def test_diamonds_collected_by_a_step_count_only_episodes_played_that_long():
    rows = [_row("seed 0", 1, 120, 180), _row("seed 1", 1, 90, None), _row("seed 2", 1, 160, 450)]
    rows[2]["length"] = 500
    text = cooperation.collected_by_step(rows, (1,))
    header, _, privileged, own = text.splitlines()[1:]
    assert header.endswith("| by 350 | by 400 | by 500 |")
    assert (
        own
        == "| own | 1 | 3 | 0 (0%) | 1 (33%) | 1 (33%) | 1 (33%) | 1 (33%) | 0 (0%) | 1 (100%) |"
    )
    assert privileged.startswith("| privileged | 1 | 3 | 2 (67%) | 3 (100%) |")


def test_rows_of_one_team_size_print_without_the_others(tmp_path, capsys):
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps({"config": {}, "rows": [_row("seed 0", 1, 100, 200)]}))
    assert cooperation.main(cooperation.Args(rows=str(rows))) == 0
    assert "own map, 1 agents: success 100%" in capsys.readouterr().out


def test_a_short_episode_ends_at_its_length_without_the_diamond():
    where = cooperation.maps_with_diamond(1)[0]
    outcome = cooperation.play_outcome(where, 1, privileged=True, length=40)
    assert outcome.steps is None and outcome.chain["place_table"] is not None
    assert cooperation.play_outcome(where, 1, privileged=True).steps is not None


def test_the_six_agent_verdict_says_which_side_of_the_bound_it_rests_on():
    def rows(six_steps: int) -> list[dict]:
        out = []
        for n, steps in ((1, 120), (2, 90), (6, six_steps)):
            row = _row("seed 0", n, steps, None)
            row.update(lower=30.0, best_plan=40.0)
            out.append(row)
        return out

    assert "met: proven by the lower bound" in cooperation.summary(rows(44), 1, (1, 2, 6))
    assert "not proven against the optimum" in cooperation.summary(rows(56), 1, (1, 2, 6))
    assert "fails: over 1.5x even the best plan" in cooperation.summary(rows(61), 1, (1, 2, 6))


def test_bad_arguments_are_one_line_before_any_play(capsys):
    for args in (
        cooperation.Args(maps=-1),
        cooperation.Args(team_sizes=(0,)),
        cooperation.Args(navigation=("foo",)),
        cooperation.Args(rows="/no/such/rows.json"),
        cooperation.Args(length=0),
    ):
        assert cooperation.main(args) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and ("allowed" in error or "no such file" in error)


def test_where_the_steps_go_counts_each_stage_over_the_episodes_that_reached_it():
    rows = [_row("seed 0", 1, 100, None), _row("seed 1", 1, 90, 200)]
    rows[0].update(privileged_seen=0, privileged_tool=80, own_seen=None, own_tool=150)
    rows[1].update(privileged_seen=0, privileged_tool=70, own_seen=170, own_tool=120)
    text = cooperation.time_split(rows, (1,))
    own = next(line for line in text.splitlines() if line.startswith("| own | 1 |"))
    # Seen in one episode of two; the steps after both count the later of sighting and pickaxe.
    assert own == "| own | 1 | 1/2: 170.0 | 2/2: 135.0 | 1/2: 200.0 | 30.0 |"
    assert "| privileged | 1 | 2/2: 0.0 | 2/2: 75.0 | 2/2: 95.0 | 20.0 |" in text
    # Rows written before these were kept print no such table.
    assert cooperation.time_split([_row("seed 0", 1, 100, None)], (1,)) == ""


def test_the_team_sees_the_diamond_at_once_on_the_privileged_map_and_later_on_its_own():
    where = cooperation.maps_with_diamond(1)[1]
    privileged = cooperation.play_outcome(where, 2, privileged=True)
    own = cooperation.play_outcome(where, 2, privileged=False)
    assert privileged.seen == 0 and privileged.tool is not None
    assert own.steps is not None and 0 < own.seen < own.steps
    assert own.tool is not None and own.steps > max(own.seen, own.tool)
    # The crafting chain ends at the pickaxe the two fields above time.
    assert own.chain["make_iron_pickaxe"] == own.tool
    assert privileged.chain["make_iron_pickaxe"] == privileged.tool


def test_the_crafting_chain_is_the_goals_plan_and_own_steps_are_paired_with_privileged():
    from envs.mac import rules as rules_lib

    chain = cooperation.chain_of(rules_lib.load("damcs"))
    assert chain[0] == "collect_wood" and chain[-1] == "make_iron_pickaxe"
    assert "place_table" in chain and cooperation.GOAL not in chain
    rows = [_row("seed 0", 1, 100, None), _row("seed 1", 1, 90, 200)]
    rows[0].update(privileged_chain={"place_table": 20, "make_iron_pickaxe": 80},
                   own_chain={"place_table": 50, "make_iron_pickaxe": None})  # fmt: skip
    rows[1].update(privileged_chain={"place_table": 30, "make_iron_pickaxe": 70},
                   own_chain={"place_table": 40, "make_iron_pickaxe": 120})  # fmt: skip
    text = cooperation.chain_split(rows, (1,))
    assert "| navigation | agents | place table | make iron pickaxe |" in text
    assert "| privileged | 1 | 25.0 | 75.0 |" in text
    # The own map's table: its mean over both maps, 20 steps later on average than privileged
    # (30 and 10); the pickaxe in one episode of two, 50 later on the map where both made it.
    assert "| own | 1 | 45.0 (+20.0) | 120.0 (1/2) (+50.0) |" in text
    assert cooperation.chain_split([_row("seed 0", 1, 100, None)], (1,)) == ""


def _small_run(path, **changes) -> cooperation.Args:
    """Two maps, one agent, the privileged map only: about a second of play."""
    fields = {"maps": 2, "first": 1, "team_sizes": (1,), "navigation": ("privileged",)}
    return cooperation.Args(bound=False, json=str(path), **{**fields, **changes})


def _counting_play(monkeypatch) -> list[str]:
    """Count the episodes `main` plays (in this process), playing them as before."""
    played, play = [], cooperation.play_outcome

    def counted(where, *args, **kwargs):
        played.append(where.name)
        return play(where, *args, **kwargs)

    monkeypatch.setattr(cooperation, "play_outcome", counted)
    return played


def test_a_killed_run_goes_on_from_its_json_and_plays_only_the_rows_it_lacks(tmp_path, monkeypatch):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")
    path = tmp_path / "rows.json"
    assert cooperation.main(_small_run(path)) == 0
    whole = json.loads(path.read_text())
    assert whole["config"]["finished"] is True and len(whole["rows"]) == 2
    # As a run killed after its first row leaves the file.
    cut = {"config": {**whole["config"], "finished": False}, "rows": whole["rows"][:1]}
    path.write_text(json.dumps(cut))
    played = _counting_play(monkeypatch)
    assert cooperation.main(_small_run(path)) == 0
    assert played == [whole["rows"][1]["map"]]
    again = json.loads(path.read_text())
    assert again["rows"] == whole["rows"] and again["config"]["finished"] is True
    # A finished file is read, not played again or written.
    before = path.read_text()
    assert cooperation.main(_small_run(path)) == 0
    assert played == [whole["rows"][1]["map"]] and path.read_text() == before


def test_a_json_file_of_another_run_or_code_is_refused_in_one_line_before_any_play(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")
    path = tmp_path / "rows.json"
    assert cooperation.main(_small_run(path)) == 0
    capsys.readouterr()
    played = _counting_play(monkeypatch)
    refused = [
        (_small_run(path, maps=3), "--maps 2, not 3"),
        (_small_run(path, navigation=("own",)), "--navigation privileged, not own"),
    ]
    for args, said in refused:
        assert cooperation.main(args) == 2
        err = capsys.readouterr().err
        assert said in err and err.count("\n") == 1
    monkeypatch.setattr("episode.record.code_version", lambda: "def5678")
    assert cooperation.main(_small_run(path)) == 2
    assert "rows of code abc1234, this is def5678" in capsys.readouterr().err
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234-dirty")
    path.write_text(path.read_text().replace('"abc1234"', '"abc1234-dirty"'))
    assert cooperation.main(_small_run(path)) == 2
    assert "uncommitted changes" in capsys.readouterr().err
    (tmp_path / "other.json").write_text("not json")
    assert cooperation.main(_small_run(tmp_path / "other.json")) == 2
    assert "is not the rows of this study" in capsys.readouterr().err
    assert cooperation.main(_small_run(path, workers=0)) == 2
    assert played == []


def test_worker_processes_write_the_rows_one_process_writes(tmp_path, monkeypatch):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert cooperation.main(_small_run(one, team_sizes=(1, 2))) == 0
    assert cooperation.main(_small_run(two, team_sizes=(1, 2), workers=2)) == 0
    rows = json.loads(one.read_text())["rows"]
    assert json.loads(two.read_text())["rows"] == rows
    assert [(r["map"], r["n_agents"]) for r in rows] == [
        (rows[0]["map"], 1), (rows[0]["map"], 2), (rows[2]["map"], 1), (rows[2]["map"], 2)
    ]  # fmt: skip


def test_with_the_goal_hidden_the_search_runs_on_and_counts_the_rock_it_saw():
    where = cooperation.maps_with_diamond(1, first=110)[0]
    shown = cooperation.play_outcome(where, 1, privileged=False)
    hidden = cooperation.play_outcome(where, 1, privileged=False, hide_goal=True)
    # The players see stone where the diamond is, so until a diamond comes into view they act as
    # in the undisguised episode: the first sighting is the same step; then the search goes on.
    assert shown.seen is not None and hidden.seen == shown.seen
    counts = [hidden.rock_seen[step] for step in cooperation.COVERAGE_STEPS]
    assert list(hidden.rock_seen) == list(cooperation.COVERAGE_STEPS)
    assert 0 < counts[0] <= counts[1] <= counts[2]
    assert shown.rock_seen == {}


def test_the_goal_is_hidden_only_on_the_own_map_and_its_rows_print_their_coverage(capsys):
    assert cooperation.main(cooperation.Args(hide_goal=True)) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--navigation own" in error
    rows = [
        {"map": "seed 1", "n_agents": 1, "own": None, "own_seen": 120,
         "own_rock": {"100": 80, "200": 150, "350": 300}},
        {"map": "seed 2", "n_agents": 1, "own": None, "own_seen": None,
         "own_rock": {"100": 60, "200": 130, "350": 200}},
    ]  # fmt: skip
    text = cooperation.report(rows, 2, (1,))
    line = next(line for line in text.splitlines() if line.startswith("| 1 |"))
    # in view by 100 / 200 / 350 on 0 / 1 / 1 maps, first at 120; rock means over both maps
    assert line.startswith("| 1 | 2 | 0 | 1 | 1 | 120.0 | 70.0 [")
    assert "| 250.0 [" in line
