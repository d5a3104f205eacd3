"""The Ray backend: loopback only, a deadline for an unreachable cluster, GPUs asked for CUDA models,
the project's code shipped to workers."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmark import runner, store, suite

ROOT = Path(__file__).resolve().parents[2]


def test_a_local_instance_binds_to_loopback_without_a_dashboard():
    kwargs = runner.ray_init_kwargs(None, workers=2)
    assert kwargs["_node_ip_address"] == "127.0.0.1"
    assert kwargs["include_dashboard"] is False
    assert kwargs["num_cpus"] == 2 and "address" not in kwargs


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


def test_jobs_running_a_model_on_cuda_ask_for_a_gpu():
    assert runner.job_gpus(_job("random")) == 0
    cuda = {"name": "plain-llm", "options": {"model": {"spec": "fake", "device": "cuda"}}}
    assert runner.job_gpus(_job(cuda)) == 1
    cpu = {"name": "plain-llm", "options": {"model": {"spec": "fake", "device": "cpu"}}}
    assert runner.job_gpus(_job(cpu)) == 0


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed")
def test_a_suite_runs_on_a_loopback_head_node_from_outside_the_checkout(tmp_path):
    ray_bin = Path(sys.executable).parent / "ray"
    port = 6390
    env = {**os.environ, "RAY_ADDRESS": ""}
    env.pop("RAY_ADDRESS")
    subprocess.run(
        [str(ray_bin), "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
         "--include-dashboard=false", "--num-cpus=1"],
        check=True, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    try:
        # The driver runs from a copy of the repo; workers start in Ray's own dirs, without
        # PYTHONPATH, so they import the project only through the runtime environment.
        script = (
            "from benchmark import runner, suite\n"
            "s = suite.from_dict({'name': 't', 'team_sizes': [1], 'max_steps': 10,"
            " 'maps': {'paper': True}, 'methods': ['random']})\n"
            f"print(runner.run_suite(s, {str(tmp_path / 'out')!r}, backend='ray', progress=False))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, "RAY_ADDRESS": f"127.0.0.1:{port}", "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        with store.ResultsStore.read(tmp_path / "out" / store.STORE_FILENAME) as results:
            assert len(results) == 1
    finally:
        subprocess.run([str(ray_bin), "stop", "--force"], env=env, capture_output=True)
