"""Run a suite into a resumable results store, in local worker processes or on a Ray cluster.

Workers only play episodes and return records; the parent alone writes to the store, one atomic
transaction per finished episode. So a run killed at any moment keeps every finished episode and
loses at most the ones in flight, and rerunning the same command skips what is stored.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from benchmark import methods, viewer
from benchmark import store as store_lib
from benchmark import suite as suite_lib
from episode import loop
from episode import record as record_lib

BACKENDS = ("local", "ray")


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back for one job."""

    key: store_lib.EpisodeKey
    record_json: str
    trace: dict[str, list[dict[str, Any]]]
    top_down: Any = None  # the world from above at the end, for the HTML viewer (with html)


def run_job(job: suite_lib.Job, record_map: bool = False) -> Outcome:
    """Play one job's episode (in whichever process runs it)."""
    options = job.method.options_for(job.n_agents)
    team = methods.build(job.method.name, job.env, **options)
    try:
        result = loop.play_episode(
            team,
            job.env,
            job.episode_seed,
            method=job.method.label,
            method_config={
                "method": job.method.name,
                "privileged_map": job.env.privileged_map,
                **options,
                **team.config,
            },
            record_map=record_map,
        )
    finally:
        team.close()
    return Outcome(job.key, result.record.to_json(), result.trace, result.top_down)


def worker_threads(workers: int) -> int:
    """CPU threads per worker: the cores shared out, at least 1. Workers that each start torch's
    default thread count oversubscribe the cores, and on a 2-core machine that slows a model call
    several-fold; a method's explicit `threads` option still wins (it sets torch's count itself)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def _init_worker(parent_pid: int, threads: int) -> None:
    """Worker initializer: cap the math libraries' threads (before torch is imported), and end
    this worker when the runner dies (killed runs leave no orphans)."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, str(threads))

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def slowest_first(jobs: list[suite_lib.Job]) -> list[suite_lib.Job]:
    """`jobs` reordered so that language-model episodes (minutes each) start before the rest
    (seconds each), larger teams first: parallel workers then finish together instead of one
    worker running the slow tail alone. Stable otherwise; the store does not depend on order."""
    return sorted(
        jobs,
        key=lambda j: (not methods.uses_language_model(j.method.name), -j.n_agents),
    )


def local_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """Worker processes for episodes: spawned, so they start clean (no inherited torch threads or
    open store handles), each with its share of the cores, and ended when this process dies."""
    return concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(os.getpid(), worker_threads(workers)),
    )


def as_finished(futures: list[concurrent.futures.Future]) -> Iterable[Any]:
    """The results of `futures` as they finish; the ones not started are cancelled when the
    caller stops early or one fails (a killed run does not play on)."""
    try:
        for future in concurrent.futures.as_completed(futures):
            yield future.result()
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def _local_results(
    jobs: list[suite_lib.Job], workers: int, record_map: bool = False
) -> Iterable[Outcome]:
    if workers <= 1:
        for job in jobs:
            yield run_job(job, record_map)
        return
    with local_pool(workers) as pool:
        yield from as_finished([pool.submit(run_job, job, record_map) for job in jobs])


RAY_CONNECT_TIMEOUT_S = 10.0
"""How long to wait for a Ray cluster named by RAY_ADDRESS before one clear error."""

PACKAGES = ("agents", "baselines", "benchmark", "envs", "episode")
"""The project's packages, shipped to Ray workers that have no checkout."""

_ROOT = Path(__file__).resolve().parent.parent


def ray_init_kwargs(address: str | None, workers: int) -> dict[str, Any]:
    """Arguments for `ray.init`: a fresh local instance without a dashboard (no HTTP port opened);
    a cluster gets the project's code through Ray's runtime environment.

    Ray cannot be held to loopback: it rewrites 127.0.0.1 to the node's address
    (`ray._private.services.resolve_ip_for_localhost`, Ray 2.60), so its GCS and raylet ports are
    guarded by Ray's token authentication (on by default for local instances since 2.5x) instead."""
    kwargs: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False}
    if address:
        kwargs["address"] = address
        kwargs["runtime_env"] = {"py_modules": [str(_ROOT / name) for name in PACKAGES]}
    else:
        # "local": always a fresh instance of our own, never one found running on this machine.
        kwargs["address"] = "local"
        kwargs["num_cpus"] = workers
    return kwargs


def check_ray_address(address: str, timeout_s: float = RAY_CONNECT_TIMEOUT_S) -> None:
    """Fail in `timeout_s` with one line when the cluster's head cannot be reached (Ray itself
    retries for minutes)."""
    if address in ("auto", "local"):
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise RuntimeError(f"invalid RAY_ADDRESS={address!r}; allowed: host:port, ray://host:port")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as error:
        raise RuntimeError(
            f"cannot reach the Ray cluster at RAY_ADDRESS={address!r} within {timeout_s:.0f} s "
            f"({error}); start it or unset RAY_ADDRESS to run locally"
        ) from None


def job_gpus(job: suite_lib.Job) -> int:
    """1 when the job's method runs local weights on CUDA (device cuda, or auto with CUDA here;
    a model named by a plain string or not at all runs on auto), so Ray places it on a GPU node
    and never packs two models on one GPU by accident; a control or a server needs none."""
    from agents.llm import factory  # light: no torch, no transformers

    spec = suite_lib.model_spec(job.method)
    if spec is None or not factory.is_local(spec):
        return 0
    model = job.method.options.get("model")
    device = model.get("device", "auto") if isinstance(model, Mapping) else "auto"
    if str(device).startswith("cuda"):
        return 1
    if device == "auto":
        try:
            import torch
        except ImportError:
            return 0
        return int(torch.cuda.is_available())
    return 0


def _ray_results(
    jobs: list[suite_lib.Job], workers: int, record_map: bool = False
) -> Iterable[Outcome]:
    try:
        import ray
    except ImportError:
        raise RuntimeError("the ray backend needs ray: bash scripts/setup.sh bench") from None
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        if address:
            check_ray_address(address)
        ray.init(**ray_init_kwargs(address, workers))
    remote = ray.remote(num_cpus=1)(run_job)
    pending = [remote.options(num_gpus=job_gpus(job)).remote(job, record_map) for job in jobs]
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        yield ray.get(done[0])


def run_suite(
    suite: suite_lib.Suite,
    out_dir: str | Path,
    *,
    workers: int = 1,
    backend: str = "local",
    html: bool = False,
    progress: bool = True,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> tuple[int, int]:
    """Run every job of `suite` not yet in `out_dir`'s store. Returns (ran, skipped)."""
    if backend not in BACKENDS:
        raise ValueError(f"invalid backend={backend!r}; allowed: {', '.join(BACKENDS)}")
    if workers < 1:
        raise ValueError(f"invalid workers={workers!r}; allowed: an integer >= 1")
    missing = suite.missing_files()
    if backend == "local":
        # On a Ray cluster the models may live on the worker nodes only.
        missing += suite.missing_models()
    if missing:
        raise suite_lib.SuiteError(
            missing[0] + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / store_lib.STORE_FILENAME
    with (
        store_lib.RunLock(path),
        store_lib.ResultsStore.open(path, suite.name, suite.to_dict()) as results,
    ):
        results.expect(len(suite.jobs()))
        done = results.done_keys()
        jobs = slowest_first([job for job in suite.jobs() if job.key not in done])
        skipped = len(suite.jobs()) - len(jobs)
        if backend == "local" and workers > 1 and any(job_gpus(job) for job in jobs):
            print(
                f"note: each of the {workers} worker processes loads its own copy of the suite's"
                " model on the GPU; if it does not fit that many times, pass --workers 1",
                file=sys.stderr,
            )
        source = (_ray_results if backend == "ray" else _local_results)(jobs, workers, html)
        bar = tqdm(
            total=len(jobs), desc=f"suite {suite.name}", unit="episode", disable=not progress
        )
        with bar:
            for outcome in source:
                record = record_lib.EpisodeRecord.from_json(outcome.record_json)
                results.add(outcome.key, record)
                if html:
                    name = outcome.key.text.replace("/", "_") + ".html"
                    viewer.write_episode_html(
                        out_dir / "episodes" / name,
                        record,
                        outcome.trace,
                        top_down=outcome.top_down,
                    )
                if on_outcome is not None:
                    on_outcome(outcome)
                bar.set_postfix_str(f"{outcome.key.method} n={outcome.key.n_agents}")
                bar.update(1)
    return len(jobs), skipped
