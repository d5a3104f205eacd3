"""The harness-speed study's own suite stays a valid suite: it broke unnoticed when `privileged_map`
moved from a method's options to the method itself (playing it takes seconds, so only the suite is
checked here)."""

from __future__ import annotations

from benchmark import suite
from benchmark.studies import harness_speed


def test_the_default_suite_parses_with_the_privileged_scripted_team():
    chosen = suite.from_dict(harness_speed.FAST_QUICK)
    labels = [method.label for method in chosen.methods]
    assert labels == ["random", "scripted", "scripted-privileged"]
    assert [method.privileged_map for method in chosen.methods] == [False, False, True]


def test_an_unknown_suite_is_one_error_line_before_any_play(capsys):
    assert harness_speed.main(harness_speed.Args(suite="no-such-suite")) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: unknown suite 'no-such-suite'") and "\n" not in error
