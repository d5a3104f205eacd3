from __future__ import annotations

import sys

import pytest

from benchmark.studies import llm_throughput, output


def test_a_model_that_fails_to_load_is_one_line_naming_it(capsys, monkeypatch):
    """No model is skipped: a missing one stops the study with the argument and the reason."""
    args = llm_throughput.Args(models=("/no/such/model",))
    with pytest.raises(output.StudyError, match="--models /no/such/model: no model"):
        llm_throughput.main(args)
    monkeypatch.setattr(sys, "argv", ["llm_throughput", "--models", "/no/such/model"])
    assert llm_throughput.cli() == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llm_throughput: --models /no/such/model")
