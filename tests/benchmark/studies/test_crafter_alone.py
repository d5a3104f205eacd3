"""The crafter-alone study: its fit recovers a known line, and it plays maps into samples."""

from __future__ import annotations

from benchmark.studies import crafter_alone


def test_the_fit_recovers_the_line_the_samples_lie_on():
    rows = [
        crafter_alone.Sample(step, work, far, round(2 * work + 1 * far - 5))
        for step, (work, far) in enumerate([(10, 4), (20, 9), (15, 30), (30, 2), (8, 17), (25, 25)])
    ]
    coef = crafter_alone.fit(rows)
    assert abs(coef[0] - 2) < 1e-6 and abs(coef[1] - 1) < 1e-6 and abs(coef[2] + 5) < 1e-6
    assert "| 0 | 1 |" in crafter_alone.report(rows)  # the first phase holds step 0 alone


def test_a_played_map_gives_samples_that_count_down_to_the_tool():
    rows = crafter_alone.samples(first=0, maps=1)
    assert len(rows) >= 3
    assert all(r.took > 0 and r.step % crafter_alone.EVERY == 0 for r in rows)
    # Later samples are nearer the tool, and the crafter's work shrinks on the way.
    assert rows[0].took > rows[-1].took and rows[0].work > rows[-1].work


def test_bad_arguments_are_one_error_line(capsys):
    assert crafter_alone.main(crafter_alone.Args(maps=0)) == 2
    assert capsys.readouterr().err.count("\n") == 1
