"""Suites resolve to stable jobs; the runner stores every episode once and resumes after a kill."""

from __future__ import annotations

import importlib.util

import pytest

from benchmark import runner, store, suite
from envs import mac

TINY = {
    "name": "tiny",
    "team_sizes": [1, 2],
    "max_steps": 30,
    "maps": {"paper": True, "count": 1, "first_seed": 1},
    "methods": ["random", {"name": "random", "label": "random-b"}],
}


def test_suite_resolves_maps_that_hold_the_goal():
    tiny = suite.from_dict(TINY)
    assert tiny.world_seeds[0] == mac.PAPER_WORLD_SEED
    env = mac.parallel_env(n_agents=1, world_seed=tiny.world_seeds[1])
    env.reset(seed=0)
    assert env.material_counts()["diamond"] > 0
    jobs = tiny.jobs()
    assert len(jobs) == 2 * 2 * 2  # team sizes x maps x methods
    assert len({job.key for job in jobs}) == len(jobs)
    assert [j.key for j in jobs] == [j.key for j in suite.from_dict(TINY).jobs()]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"methods": []}, "invalid methods=.*at least 1"),
        ({"methods": ["telepathy"]}, "unknown method 'telepathy'"),
        ({"team_sizes": [0]}, "team_sizes"),
        ({"goal": "collect_unicorn"}, "unknown goal"),
        ({"colour": "blue"}, "unknown suite field 'colour'"),
        ({"methods": ["random", "random"]}, "labels must be unique"),
        ({"team_sizes": "abc"}, "invalid team_sizes='abc'; allowed: a list"),
        ({"team_sizes": 2}, "invalid team_sizes=2; allowed: a list"),
        ({"team_sizes": [1, 1]}, "invalid team_sizes=.*must not repeat"),
        ({"team_sizes": [100]}, "invalid team_sizes.0=100; allowed: .*64"),
        ({"repeats": "five"}, "invalid repeats='five'; allowed: an integer"),
        ({"repeats": 1.7}, "invalid repeats=1.7; allowed: an integer"),
        ({"repeats": 1e8}, "invalid repeats=100000000.0; allowed: an integer"),
        ({"repeats": 100_000_000}, "invalid repeats=100000000; allowed: .*1000"),
        ({"max_steps": "long"}, "invalid max_steps='long'; allowed: an integer"),
        ({"maps": {"count": 1, "first_seed": -10}}, "invalid maps.first_seed=-10; allowed: .*0"),
        ({"methods": [{"name": "random", "team_sizes": "x"}]}, "methods.0.*team_sizes"),
        ({"methods": [{"name": "random", "max_maps": -1}]}, "methods.0.*max_maps=-1"),
    ],
)
def test_bad_suites_are_one_line_errors(change, message):
    with pytest.raises(suite.SuiteError, match=message) as raised:
        suite.from_dict({**TINY, **change})
    assert "\n" not in str(raised.value)


def test_checkpoints_resolve_beside_the_suite_file_not_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "ckpt-n1").mkdir()
    (tmp_path / "s.yaml").write_text(
        "name: s\nteam_sizes: [1]\nmethods:\n"
        "  - {name: ppo, options: {checkpoint: 'ckpt-n{n_agents}'}}\n"
    )
    monkeypatch.chdir("/")
    loaded = suite.load(str(tmp_path / "s.yaml"))
    assert loaded.methods[0].options == {"checkpoint": "ckpt-n{n_agents}"}  # stored as written
    assert loaded.methods[0].options_for(1)["checkpoint"] == str(tmp_path / "ckpt-n1")
    assert loaded.missing_files() == []
    (tmp_path / "ckpt-n1").rmdir()
    problems = loaded.missing_files()
    assert len(problems) == 1 and "methods.0.options.checkpoint" in problems[0]


def test_a_users_model_replaces_every_real_model_and_keeps_the_controls(tmp_path):
    (tmp_path / "ckpt-n1").mkdir()
    (tmp_path / "s.yaml").write_text(
        "name: s\nteam_sizes: [1]\nmethods:\n"
        "  - scripted\n"
        "  - {name: ppo, options: {checkpoint: 'ckpt-n{n_agents}'}}\n"
        "  - plain-llm\n"
        "  - {name: damcs, options: {model: {spec: smollm2-135m, threads: 1}, comm: false}}\n"
        "  - {name: damcs, label: damcs-oracle, options: {model: oracle}}\n"
        "  - {name: plain-llm, label: plain-noisy, options: {model: {spec: 'noisy-oracle:0.5'}}}\n"
    )
    loaded = suite.load(str(tmp_path / "s.yaml")).with_model("http://gpu:8000/v1#qwen")
    options = {m.label: m.options for m in loaded.methods}
    assert options["scripted"] == {} and options["ppo"] == {"checkpoint": "ckpt-n{n_agents}"}
    assert options["plain-llm"] == {"model": "http://gpu:8000/v1#qwen"}
    assert options["damcs"] == {"model": {"spec": "http://gpu:8000/v1#qwen", "threads": 1},
                                "comm": False}  # fmt: skip
    assert options["damcs-oracle"] == {"model": "oracle"}
    assert options["plain-noisy"] == {"model": {"spec": "noisy-oracle:0.5"}}
    # Path options still resolve beside the suite file.
    assert loaded.methods[1].options_for(1)["checkpoint"] == str(tmp_path / "ckpt-n1")


def test_a_model_that_cannot_load_here_is_refused_before_anything_runs(tmp_path, monkeypatch):
    from agents.llm import presets

    (tmp_path / "s.yaml").write_text(
        "name: s\nteam_sizes: [1]\nmax_steps: 5\nmethods:\n"
        "  - scripted\n"
        "  - {name: plain-llm, options: {model: /no/such/model-dir}}\n"
        "  - {name: damcs, options: {model: {spec: smollm2-135m, threads: 1}}}\n"
        "  - {name: damcs, label: damcs-default}\n"
        "  - {name: damcs, label: damcs-server, options: {model: 'http://127.0.0.1:9/v1#x'}}\n"
        "  - {name: damcs, label: damcs-oracle, options: {model: oracle}}\n"
    )
    loaded = suite.load(str(tmp_path / "s.yaml"))
    monkeypatch.setattr(presets, "is_available", lambda name: name == "smollm2-135m")
    problems = loaded.missing_models()
    assert len(problems) == 2
    assert problems[0].startswith("invalid methods.1.options.model='/no/such/model-dir': no model")
    assert problems[1].startswith("invalid methods.3.options.model='qwen2.5-0.5b': preset")
    assert "scripts/install_models.py qwen2.5-0.5b" in problems[1]
    with pytest.raises(suite.SuiteError, match="methods.1.options.model"):
        runner.run_suite(loaded, tmp_path / "out", workers=1, progress=False)
    assert not (tmp_path / "out").exists()  # nothing was started
    # On a Ray cluster the models may live on the worker nodes only: not checked here.
    monkeypatch.setattr(runner, "_ray_results", lambda jobs, workers, html: iter(()))
    runner.run_suite(loaded, tmp_path / "ray", backend="ray", progress=False)


def test_unknown_preset_or_file(tmp_path):
    with pytest.raises(suite.SuiteError, match="not a preset"):
        suite.load("nightly-of-doom")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed")
    with pytest.raises(suite.SuiteError, match="not valid YAML"):
        suite.load(str(broken))


def test_presets_load():
    for name in suite.presets():
        assert suite.load(name).jobs()


def test_killed_run_resumes_exactly_the_missing_episodes(tmp_path):
    tiny = suite.from_dict(TINY)
    seen = []

    def die_after_three(outcome):
        seen.append(outcome.key)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run_suite(tiny, tmp_path, progress=False, on_outcome=die_after_three)
    with store.ResultsStore.read(tmp_path / store.STORE_FILENAME) as results:
        assert results.done_keys() == frozenset(seen)
    resumed = []
    ran, skipped = runner.run_suite(
        tiny, tmp_path, progress=False, on_outcome=lambda o: resumed.append(o.key)
    )
    assert (ran, skipped) == (5, 3)
    assert set(resumed) == {job.key for job in tiny.jobs()} - set(seen)
    with store.ResultsStore.read(tmp_path / store.STORE_FILENAME) as results:
        stored = results.records()
    assert len(stored) == 8
    assert {r.method for r in stored} == {"random", "random-b"}
    assert all(r.max_steps == 30 and r.length <= 30 for r in stored)


def test_a_different_suite_config_is_refused(tmp_path):
    runner.run_suite(suite.from_dict({**TINY, "team_sizes": [1]}), tmp_path, progress=False)
    with pytest.raises(store.StoreError, match="different config"):
        runner.run_suite(suite.from_dict(TINY), tmp_path, progress=False)


def test_several_local_workers_on_a_gpu_model_get_a_note(tmp_path, monkeypatch, capsys):
    """Each local worker loads its own copy of a CUDA model: the run says so once, up front."""
    tiny = suite.from_dict({**TINY, "team_sizes": [1]})
    monkeypatch.setattr(runner, "job_gpus", lambda job: 1)
    monkeypatch.setattr(runner, "_local_results", lambda jobs, workers, html: iter(()))
    runner.run_suite(tiny, tmp_path / "two", workers=2, progress=False)
    assert "pass --workers 1" in capsys.readouterr().err
    runner.run_suite(tiny, tmp_path / "one", workers=1, progress=False)
    assert capsys.readouterr().err == ""


def test_parallel_workers_store_the_same_episodes(tmp_path):
    tiny = suite.from_dict({**TINY, "team_sizes": [2]})
    runner.run_suite(tiny, tmp_path / "serial", progress=False)
    runner.run_suite(tiny, tmp_path / "parallel", workers=2, progress=False)

    def milestones(path):
        with store.ResultsStore.read(path / store.STORE_FILENAME) as results:
            return {
                (r.method, r.map_seed, r.episode_seed): (r.milestones, r.length)
                for r in results.records()
            }

    assert milestones(tmp_path / "serial") == milestones(tmp_path / "parallel")


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed")
def test_ray_backend_on_a_local_instance(tmp_path):
    import ray

    tiny = suite.from_dict({**TINY, "team_sizes": [1], "maps": {"paper": True}})
    try:
        ran, _ = runner.run_suite(tiny, tmp_path, workers=1, backend="ray", progress=False)
    finally:
        ray.shutdown()
    assert ran == 2
    with store.ResultsStore.read(tmp_path / store.STORE_FILENAME) as results:
        assert len(results.records()) == 2


def test_killed_runner_leaves_no_workers_and_resumes(tmp_path):
    """kill -9 of the runner: its workers exit too, and a rerun completes the suite."""
    import os
    import signal
    import subprocess
    import sys
    import time

    suite_file = tmp_path / "suite.yaml"
    suite_file.write_text(
        "name: killed\nteam_sizes: [1, 2, 6]\nmaps: {paper: true, count: 2}\nmethods: [random]\n"
    )
    out = tmp_path / "out"
    command = [
        sys.executable,
        "scripts/run_benchmark.py",
        "--suite",
        str(suite_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-figures",
    ]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    process = subprocess.Popen(
        command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    workers: list[int] = []
    while time.time() < deadline and not workers:
        time.sleep(0.5)
        found = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
        workers = [int(p) for p in found.stdout.split()]
    assert workers, "the runner started no worker processes"
    time.sleep(2)
    process.send_signal(signal.SIGKILL)
    process.wait()

    def alive() -> list[int]:
        return [
            pid
            for pid in workers
            if os.path.exists(f"/proc/{pid}")
            and "zombie" not in open(f"/proc/{pid}/status").read().lower()
        ]

    # Workers look for their parent every second; a loaded machine may take a few more.
    deadline = time.time() + 30
    while alive() and time.time() < deadline:
        time.sleep(0.5)
    assert alive() == []
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with store.ResultsStore.read(out / store.STORE_FILENAME) as results:
        assert len(results.records()) == 9


def test_workers_share_the_cores_out_and_cap_the_math_threads(monkeypatch):
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 8)
    assert [runner.worker_threads(w) for w in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "7")  # a user's own setting is kept
    runner._init_worker(runner.os.getppid(), 2)
    assert runner.os.environ["OMP_NUM_THREADS"] == runner.os.environ["MKL_NUM_THREADS"] == "2"
    assert runner.os.environ["OPENBLAS_NUM_THREADS"] == "7"


def test_language_model_episodes_are_started_first():
    mixed = suite.from_dict(
        {
            "name": "mixed",
            "team_sizes": [1, 2],
            "maps": {"paper": True, "count": 0},
            "methods": ["random", {"name": "damcs", "options": {"model": "fake"}}, "scripted"],
        }
    )
    order = [(j.method.name, j.n_agents) for j in runner.slowest_first(mixed.jobs())]
    assert order == [
        ("damcs", 2),
        ("damcs", 1),
        ("random", 2),
        ("scripted", 2),
        ("random", 1),
        ("scripted", 1),
    ]
    assert sorted(runner.slowest_first(mixed.jobs()), key=str) == sorted(mixed.jobs(), key=str)
