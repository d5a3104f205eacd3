"""A study's rows go to its --json file as they finish, and a run of the same arguments and code
goes on from them."""

from __future__ import annotations

import dataclasses
import json

import pytest

from benchmark.studies import resumable


@dataclasses.dataclass(frozen=True)
class _Map:
    name: str


JOBS = [(_Map("a"), 1), (_Map("a"), 2), (_Map("b"), 1)]
CONFIG = {"maps": 2, "json": "ignored", "workers": 1}


@pytest.fixture(autouse=True)
def _committed_code(monkeypatch):
    monkeypatch.setattr("episode.record.code_version", lambda: "abc1234")


def test_each_row_is_in_the_file_before_the_next_is_played(tmp_path):
    path = tmp_path / "rows.json"
    seen_in_file = []

    def play_row(where, n):
        seen_in_file.append(json.loads(path.read_text())["rows"] if path.exists() else [])
        return {"map": where.name, "n_agents": n, "steps": 10 * n}

    rows = resumable.play(JOBS, play_row, path, CONFIG, ("maps",))
    assert [len(r) for r in seen_in_file] == [0, 1, 2]
    written = json.loads(path.read_text())
    assert written["rows"] == rows and written["config"]["finished"] is True
    assert written["config"]["maps"] == 2 and written["config"]["code_version"] == "abc1234"
    assert [(r["map"], r["n_agents"]) for r in rows] == [("a", 1), ("a", 2), ("b", 1)]
    assert not list(tmp_path.glob("*.partial"))


def test_a_run_goes_on_from_the_rows_of_a_killed_one_in_the_order_of_the_jobs(tmp_path):
    path = tmp_path / "rows.json"
    killed = {"config": {**CONFIG, "finished": False, "code_version": "abc1234"},
              "rows": [{"map": "a", "n_agents": 2, "steps": 20}]}  # fmt: skip
    path.write_text(json.dumps(killed))
    played = []

    def play_row(where, n):
        played.append((where.name, n))
        return {"map": where.name, "n_agents": n, "steps": 10 * n}

    rows = resumable.play(JOBS, play_row, path, CONFIG, ("maps",))
    assert played == [("a", 1), ("b", 1)]
    assert [r["steps"] for r in rows] == [10, 20, 10]
    assert json.loads(path.read_text())["config"]["finished"] is True


@pytest.mark.parametrize(
    ("written", "version", "complaint"),
    [
        ({"maps": 3}, "abc1234", "holds a run with --maps 3, not 2"),
        (
            {"maps": 2, "code_version": "0ff1ce5"},
            "abc1234",
            "rows of code 0ff1ce5, this is abc1234",
        ),
        ({"maps": 2, "code_version": "abc1234-dirty"}, "abc1234-dirty", "uncommitted changes"),
    ],
)
def test_a_file_of_another_run_or_code_is_refused(
    tmp_path, monkeypatch, written, version, complaint
):
    monkeypatch.setattr("episode.record.code_version", lambda: version)
    path = tmp_path / "rows.json"
    path.write_text(json.dumps({"config": {"code_version": "abc1234", **written}, "rows": []}))
    with pytest.raises(ValueError, match=complaint):
        resumable.earlier_rows(path, CONFIG, ("maps",))
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="is not the rows of this study"):
        resumable.earlier_rows(path, CONFIG, ("maps",))
    assert resumable.earlier_rows(tmp_path / "none.json", CONFIG, ("maps",)) == []
