"""Benchmark suites: which methods, team sizes, maps and repeats make up a run.

A suite is declarative data (a YAML file; the presets are the files in `benchmark/suites/`, named
without `.yaml`) and resolves to a list of episode jobs.
Every job has a deterministic key, so a killed run resumes by skipping the keys already stored, and
the resolved suite (maps included) is stored with the results so any figure traces back to it.

YAML format (every field optional except name and methods)::

    name: my-suite
    rules: damcs                 # rule set
    goal: collect_diamond
    max_steps: 350               # default: the rule set's length
    team_sizes: [1, 2, 6]
    repeats: 5                   # episodes per (method, team size, map), with different seeds
    maps:
      paper: true                # the DAMCS paper's fixed map (crafter world seed 1023683980)
      count: 3                   # plus this many generated maps that hold the goal's material
      first_seed: 1              # scanning crafter seeds from here
    methods:
      - random
      - {name: scripted, label: scripted-privileged, privileged_map: true}
      - {name: ppo, options: {checkpoint: "results/checkpoints/ppo-n{n_agents}"}}
      - {name: plain-llm, options: {model: {spec: qwen2.5-0.5b}}, team_sizes: [1, 2], max_maps: 1}
      - {name: my_pkg.my_module:build_team, label: mine}   # your own team builder

A method's options may use "{n_agents}"; `team_sizes` and `max_maps` restrict slow methods;
`privileged_map` gives that method's agents the full map (the paper's navigator). Every method's
builder is imported and its options checked when the suite is loaded, before anything runs.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmark import methods as methods_lib
from benchmark import store as store_lib
from envs import mac
from envs.mac import rules as rules_lib
from envs.mac import world as world_lib


class SuiteError(ValueError):
    """A suite is malformed or names something that does not exist."""


@dataclass(frozen=True)
class MethodSpec:
    """A method as the suite runs it: table name (or builder path), options, and the label results
    go under."""

    name: str
    label: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    team_sizes: tuple[int, ...] = ()  # empty: the suite's team sizes
    max_maps: int = 0  # 0: every map of the suite; else only the first few (slow methods)
    privileged_map: bool = False  # the env puts the full map in every info for this method

    def options_for(self, n_agents: int) -> dict[str, Any]:
        """Options with "{n_agents}" filled in (e.g. a checkpoint per team size)."""
        return {
            k: v.format(n_agents=n_agents) if isinstance(v, str) else v
            for k, v in self.options.items()
        }

    def __post_init__(self) -> None:
        try:
            methods_lib.check_options(self.name, self.options)
        except methods_lib.MethodError as error:
            raise SuiteError(str(error)) from None
        if not self.label:
            # A builder path's ":" is not allowed in a store key; the label keeps its name readable.
            object.__setattr__(self, "label", self.name.replace(":", "."))
        object.__setattr__(self, "options", dict(self.options))
        object.__setattr__(self, "team_sizes", tuple(self.team_sizes))
        if any(n < 1 for n in self.team_sizes) or self.max_maps < 0:
            raise SuiteError(f"method {self.label!r}: team_sizes >= 1 and max_maps >= 0 required")


@dataclass(frozen=True)
class MapSpec:
    paper: bool = False
    count: int = 0
    first_seed: int = 1

    def __post_init__(self) -> None:
        if self.count < 0 or (not self.paper and self.count == 0):
            raise SuiteError("maps: need paper: true and/or count >= 1")


@dataclass(frozen=True)
class Job:
    """One episode to run."""

    key: store_lib.EpisodeKey
    method: MethodSpec
    n_agents: int
    world_seed: int
    episode_seed: int
    env: mac.EnvConfig


@dataclass(frozen=True)
class Suite:
    name: str
    methods: tuple[MethodSpec, ...]
    rules: str = mac.DEFAULT_RULES
    goal: str = mac.DEFAULT_GOAL
    max_steps: int | None = None
    team_sizes: tuple[int, ...] = (1, 2, 6)
    repeats: int = 1
    maps: MapSpec = MapSpec(paper=True)

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name:
            raise SuiteError(f"invalid suite name {self.name!r}")
        if not self.methods:
            raise SuiteError(f"suite {self.name!r} has no methods: nothing to run")
        if not self.team_sizes or any(n < 1 for n in self.team_sizes):
            raise SuiteError(f"suite {self.name!r}: team_sizes must be integers >= 1")
        if self.repeats < 1:
            raise SuiteError(f"suite {self.name!r}: repeats must be >= 1")
        labels = [m.label for m in self.methods]
        if len(set(labels)) != len(labels):
            raise SuiteError(f"suite {self.name!r}: method labels must be unique, got {labels}")
        try:
            rules_lib.load(self.rules).check_achievement(self.goal)
        except rules_lib.RulesError as error:
            raise SuiteError(f"suite {self.name!r}: {error}") from None

    @functools.cached_property
    def world_seeds(self) -> tuple[int, ...]:
        """The maps, resolved: the paper's, then generated ones that hold the goal's material."""
        seeds = [mac.PAPER_WORLD_SEED] if self.maps.paper else []
        material = self.goal.removeprefix("collect_")
        probe = mac.parallel_env(n_agents=1, rules=self.rules, goal=self.goal)
        seed = self.maps.first_seed
        found = 0
        while found < self.maps.count:
            if seed > self.maps.first_seed + 100 * self.maps.count + 1000:
                raise SuiteError(
                    f"no maps holding {material} found from seed {self.maps.first_seed}"
                )
            probe.reset(seed=seed)
            if material not in probe.material_counts() or probe.material_counts()[material] > 0:
                seeds.append(world_lib.world_seed_for(seed))
                found += 1
            seed += 1
        return tuple(seeds)

    def jobs(self) -> list[Job]:
        """Every episode of the suite, in a stable order (team sizes, maps, repeats, methods)."""
        out = []
        for n_agents in self.team_sizes:
            for map_index, world_seed in enumerate(self.world_seeds):
                for repeat in range(self.repeats):
                    for method in self.methods:
                        if method.team_sizes and n_agents not in method.team_sizes:
                            continue
                        if method.max_maps and map_index >= method.max_maps:
                            continue
                        key = store_lib.EpisodeKey(
                            self.name, method.label, n_agents, world_seed, repeat
                        )
                        env = mac.EnvConfig(
                            n_agents=n_agents,
                            rules=self.rules,
                            goal=self.goal,
                            max_steps=self.max_steps,
                            world_seed=world_seed,
                            privileged_map=method.privileged_map,
                        )
                        out.append(
                            Job(key, method, n_agents, world_seed, episode_seed=repeat, env=env)
                        )
        return out

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["world_seeds"] = list(self.world_seeds)
        return data


def from_dict(data: Mapping[str, Any]) -> Suite:
    """A suite from plain data (a parsed YAML file); names the first problem found."""
    if not isinstance(data, Mapping):
        raise SuiteError("a suite file must hold a mapping with at least name and methods")
    known = {f.name for f in dataclasses.fields(Suite)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SuiteError(f"unknown suite fields {unknown}; allowed: {sorted(known)}")
    try:
        methods = tuple(
            MethodSpec(name=m) if isinstance(m, str) else MethodSpec(**m)
            for m in data.get("methods") or ()
        )
        maps = data.get("maps", {"paper": True})
        return Suite(
            name=str(data["name"]),
            methods=methods,
            rules=data.get("rules", mac.DEFAULT_RULES),
            goal=data.get("goal", mac.DEFAULT_GOAL),
            max_steps=data.get("max_steps"),
            team_sizes=tuple(data.get("team_sizes", (1, 2, 6))),
            repeats=int(data.get("repeats", 1)),
            maps=MapSpec(**maps),
        )
    except KeyError as error:
        raise SuiteError(f"suite is missing field {error}") from None
    except TypeError as error:
        raise SuiteError(f"malformed suite: {error}") from None


SUITES_DIR = Path(__file__).resolve().parent / "suites"
"""The committed suite files; each is also a preset named by its file name without `.yaml`."""


def presets() -> Sequence[str]:
    return tuple(sorted(p.stem for p in SUITES_DIR.glob("*.yaml")))


def load(name_or_path: str) -> Suite:
    """A preset by name (a file of `benchmark/suites/`), or a suite from a YAML file."""
    path = Path(name_or_path)
    if name_or_path in presets():
        path = SUITES_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise SuiteError(
            f"unknown suite {name_or_path!r}: not a preset ({', '.join(presets())}) nor a file"
        )
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise SuiteError(f"{path} is not valid YAML: {error}") from None
    return from_dict(data)
