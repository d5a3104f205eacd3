"""The report: a summary made from a partial or damaged store says so at its top."""

from __future__ import annotations

import json
import sqlite3

from benchmark import report, store, summary_markdown, tables
from tests.benchmark.conftest import fixture_records

CONFIG = {"name": "fixture", "methods": ["scripted", "plain-llm", "damcs"], "repeats": 1}


def _fill(path, expected: int) -> list[store.EpisodeKey]:
    keys = []
    with store.ResultsStore.open(path, "fixture", CONFIG) as s:
        s.expect(expected)
        for i, record in enumerate(fixture_records()):
            key = store.EpisodeKey("fixture", record.method, record.n_agents, record.map_seed, i)
            s.add(key, record)
            keys.append(key)
    return keys


def test_partial_store_with_a_corrupt_row_is_flagged_in_summary_md_and_json(tmp_path):
    path = tmp_path / store.STORE_FILENAME
    n = len(fixture_records())
    keys = _fill(path, expected=n + 5)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE episodes SET record = '{broken' WHERE key = ?", (keys[0].text,))
    conn.close()

    written = report.make_report(tmp_path, formats=("png",), bootstrap_reps=50, argv=["test"])

    head = written["summary.md"].read_text().split("## Provenance")[0]
    assert "Partial results" in head
    assert f"{n - 1} of the suite's {n + 5} episodes" in head
    assert "1 corrupt record(s) were skipped" in head
    document = json.loads(written["summary.json"].read_text())
    assert document["completeness"] == {
        "partial": True,
        "expected_episodes": n + 5,
        "stored_episodes": n - 1,
        "corrupt_rows_skipped": 1,
    }


def test_complete_store_has_no_warning():
    complete = store.StoreCounts(expected=12, stored=12, corrupt=0)
    assert summary_markdown.completeness_markdown(complete) == []
    assert tables.completeness(complete)["partial"] is False
    only_corrupt = store.StoreCounts(expected=None, stored=12, corrupt=2)
    (line, _) = summary_markdown.completeness_markdown(only_corrupt)
    assert "2 corrupt record(s)" in line and "of the suite's" not in line
