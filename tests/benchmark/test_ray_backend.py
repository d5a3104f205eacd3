"""The Ray backend: loopback only, a deadline for an unreachable cluster, GPUs asked for CUDA models,
the project's code shipped to workers."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark import runner, store, suite

ROOT = Path(__file__).resolve().parents[2]


def test_a_local_instance_is_our_own_without_a_dashboard():
    kwargs = runner.ray_init_kwargs(None, workers=2)
    assert kwargs["include_dashboard"] is False
    assert kwargs["num_cpus"] == 2 and kwargs["address"] == "local"


def test_a_cluster_gets_the_projects_code():
    kwargs = runner.ray_init_kwargs("10.0.0.1:6379", workers=2)
    modules = kwargs["runtime_env"]["py_modules"]
    assert {Path(m).name for m in modules} == set(runner.PACKAGES)
    assert all((Path(m) / "__init__.py").is_file() for m in modules)


def test_an_unreachable_cluster_fails_within_its_deadline():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed once the block ends: nothing listens there
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="cannot reach the Ray cluster"):
        runner.check_ray_address(f"127.0.0.1:{port}", timeout_s=2)
    assert time.monotonic() - start < 10
    with pytest.raises(RuntimeError, match="invalid RAY_ADDRESS"):
        runner.check_ray_address("nohostport")


def _job(method):
    data = {
        "name": "g",
        "team_sizes": [1],
        "maps": {"paper": True},
        "methods": [method],
    }
    return suite.from_dict(data).jobs()[0]


def test_jobs_running_a_model_on_cuda_ask_for_a_gpu(monkeypatch):
    import torch

    assert runner.job_gpus(_job("random")) == 0
    cuda = {"name": "plain-llm", "options": {"model": {"spec": "/models/qwen", "device": "cuda"}}}
    assert runner.job_gpus(_job(cuda)) == 1
    cpu = {"name": "plain-llm", "options": {"model": {"spec": "/models/qwen", "device": "cpu"}}}
    assert runner.job_gpus(_job(cpu)) == 0
    # Controls and servers hold no weights here, whatever device they name.
    control = {"name": "plain-llm", "options": {"model": {"spec": "oracle", "device": "cuda"}}}
    server = {"name": "damcs", "options": {"model": "http://gpu-box:8000/v1#qwen"}}
    assert runner.job_gpus(_job(control)) == runner.job_gpus(_job(server)) == 0
    # A model named by a plain string, or the default preset, runs on auto: CUDA when present.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    for method in ({"name": "damcs", "options": {"model": "/models/qwen"}}, "plain-llm"):
        assert runner.job_gpus(_job(method)) == 1
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert runner.job_gpus(_job("plain-llm")) == 0


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed")
def test_a_suite_runs_on_a_head_node_with_code_from_the_runtime_env(tmp_path):
    ray_bin = Path(sys.executable).parent / "ray"
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "PYTHONPATH")}
    env["RAY_AUTH_MODE"] = "token"  # the head and the driver share the token in ~/.ray
    # --block keeps the head in this process group, so the test ends exactly the Ray it started
    # (`ray stop` would end every Ray instance on the machine).
    head = subprocess.Popen(
        [str(ray_bin), "start", "--head", "--block", f"--port={port}",
         "--include-dashboard=false", "--num-cpus=1"],
        env=env, cwd=tmp_path, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        from ray._private import services

        address = f"{services.get_node_ip_address()}:{port}"  # where Ray binds the head
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                runner.check_ray_address(address, timeout_s=1)
                break
            except RuntimeError:
                time.sleep(1)
        script = (
            "from benchmark import runner, suite\n"
            "s = suite.from_dict({'name': 't', 'team_sizes': [1], 'max_steps': 10,"
            " 'maps': {'paper': True}, 'methods': ['random']})\n"
            f"print(runner.run_suite(s, {str(tmp_path / 'out')!r}, backend='ray', progress=False))\n"
        )
        # Workers start in Ray's own directories without PYTHONPATH: they import the project only
        # through the runtime environment's py_modules.
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, "RAY_ADDRESS": address, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        with store.ResultsStore.read(tmp_path / "out" / store.STORE_FILENAME) as results:
            assert len(results) == 1
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=60)
