from __future__ import annotations

from benchmark.studies import gpu_check


def test_without_cuda_the_check_skips_with_exit_0(monkeypatch, capsys):
    monkeypatch.setattr(gpu_check.torch.cuda, "is_available", lambda: False)
    assert gpu_check.main() == 0
    assert capsys.readouterr().out.strip() == "skipped: no CUDA"
