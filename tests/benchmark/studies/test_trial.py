"""A patch is played against its base commit in the same run, on the same maps."""

from __future__ import annotations

import json
import subprocess

import pytest

from benchmark.studies import trial

NEW_FILE = """\
diff --git a/trial-note.txt b/trial-note.txt
new file mode 100644
--- /dev/null
+++ b/trial-note.txt
@@ -0,0 +1 @@
+a change that plays every episode the same
"""
WRONG_CONTEXT = """\
diff --git a/README.md b/README.md
--- a/README.md
+++ b/README.md
@@ -1,1 +1,1 @@
-no such line in the README
+a line
"""


def _worktrees() -> str:
    return subprocess.run(
        ["git", "worktree", "list"], cwd=trial.ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(autouse=True)
def _needs_git():
    if trial._git("rev-parse", "HEAD").returncode != 0:
        pytest.skip("not a git checkout")


def test_a_patch_that_plays_the_same_moves_no_map_and_its_rows_name_both_codes(tmp_path, capsys):
    patch, out = tmp_path / "same.patch", tmp_path / "out"
    patch.write_text(NEW_FILE)
    before = _worktrees()
    args = trial.Args(str(patch), out=str(out), maps=1, navigation=("privileged",))
    assert trial.main(args) == 0
    steps = next(line for line in capsys.readouterr().out.splitlines() if "| 1 -> 1 |" in line)
    assert steps.startswith("| privileged | 1 | 1 |") and steps.endswith("| +0.0 | 0 / 0 |")
    assert steps in (out / "paired.md").read_text()
    head = trial._git("rev-parse", "--short", "HEAD").stdout.strip()
    versions = [json.loads((out / f"{n}.json").read_text())["config"]["code_version"]
                for n in ("before", "after")]  # fmt: skip
    assert versions[0].startswith(head[:7]) and not versions[0].endswith("-dirty")
    assert versions[1].endswith("-dirty")
    assert _worktrees() == before  # the checkouts are gone


def test_a_patch_that_does_not_apply_is_refused_before_any_play(tmp_path, capsys):
    patch, out = tmp_path / "wrong.patch", tmp_path / "out"
    patch.write_text(WRONG_CONTEXT)
    before = _worktrees()
    assert trial.main(trial.Args(str(patch), out=str(out), maps=1)) == 2
    err = capsys.readouterr().err
    assert "does not apply to HEAD" in err and err.count("\n") == 1
    assert not out.exists() and _worktrees() == before


def test_bad_arguments_are_one_line(tmp_path, capsys):
    patch = tmp_path / "same.patch"
    patch.write_text(NEW_FILE)
    for args, complaint in [
        (trial.Args(str(tmp_path / "none.patch")), "no such file"),
        (trial.Args(str(patch), base="no-such-commit"), "not a commit"),
        (trial.Args(str(patch), out=str(tmp_path)), "exists; choose a new folder"),
        (trial.Args(str(patch), navigation=("foo",)), "allowed: privileged, own"),
        (trial.Args(str(patch), maps=0), "--maps 0"),
        (trial.Args(str(patch), workers=0), "--workers 0: allowed: an integer >= 1"),
    ]:
        assert trial.main(args) == 2
        err = capsys.readouterr().err
        assert complaint in err and err.count("\n") == 1


def test_each_run_gets_the_workers_asked_for_and_one_is_the_studys_default(tmp_path):
    patch = tmp_path / "same.patch"
    rows = tmp_path / "rows.json"
    alone = trial.study_command(trial.Args(str(patch)), rows)
    assert "--workers" not in alone  # a base older than the option still plays
    shared = trial.study_command(trial.Args(str(patch), workers=4), rows)
    assert shared[-2:] == ["--workers", "4"] and shared[: len(alone)] == alone
