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
from typing import Annotated, Any

import pydantic
import yaml

from benchmark import methods as methods_lib
from benchmark import store as store_lib
from envs import mac
from envs.mac import rules as rules_lib
from envs.mac import world as world_lib


class SuiteError(ValueError):
    """A suite is malformed or names something that does not exist."""


PATH_OPTIONS = ("checkpoint",)
"""Method options that name files: resolved against the suite file, checked before any run."""


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
        """Options with "{n_agents}" filled in (e.g. a checkpoint per team size) and path options
        resolved beside the suite file or in the repository, never the current directory."""
        options = {
            k: v.format(n_agents=n_agents) if isinstance(v, str) else v
            for k, v in self.options.items()
        }
        for name in PATH_OPTIONS:
            if isinstance(options.get(name), str):
                options[name] = str(resolve_path(options[name], getattr(self, "_base_dir", None)))
        return options

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

    def missing_files(self) -> list[str]:
        """One line per path option that names no file, for every team size it is used with."""
        problems = []
        for index, method in enumerate(self.methods):
            for n_agents in method.team_sizes or self.team_sizes:
                if n_agents not in self.team_sizes:
                    continue
                for name in PATH_OPTIONS:
                    path = method.options_for(n_agents).get(name)
                    if isinstance(path, str) and not Path(path).exists():
                        problems.append(
                            f"invalid methods.{index}.options.{name}={path!r} (n_agents "
                            f"{n_agents}); allowed: an existing file or directory, relative to "
                            "the suite file or the repository"
                        )
        return problems

    def with_model(self, model: str) -> Suite:
        """The suite with `model` deciding for every language-model method that runs a real model
        (its own `model` option, or the default preset when it names none). The model-free
        controls (`uniform`, `oracle`, ...) stay: they are the rulers the model is read against.
        A mapping option keeps its other settings (threads, device, ...)."""
        from agents.llm import controls  # light: no torch, no transformers

        def replaced(method: MethodSpec) -> MethodSpec:
            spec = model_spec(method)
            if spec is None or controls.is_control(spec):
                return method
            current = method.options.get("model")
            chosen = {**current, "spec": model} if isinstance(current, Mapping) else model
            copy = dataclasses.replace(method, options={**method.options, "model": chosen})
            object.__setattr__(copy, "_base_dir", getattr(method, "_base_dir", None))
            return copy

        return dataclasses.replace(self, methods=tuple(replaced(m) for m in self.methods))

    def missing_models(self) -> list[str]:
        """One line per language-model method whose model cannot load on this machine (a preset
        not installed, a local path that does not exist; `factory.unavailable`), its default
        model included: found before anything runs, not at the method's first episode."""
        from agents.llm import factory  # light: no torch, no transformers

        problems = []
        for index, method in enumerate(self.methods):
            spec = model_spec(method)
            why = None if spec is None else factory.unavailable(spec)
            if why is not None:
                problems.append(f"invalid methods.{index}.options.model={spec!r}: {why}")
        return problems

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["world_seeds"] = list(self.world_seeds)
        return data


def model_spec(method: MethodSpec) -> str | None:
    """The model a language-model method decides with (its `model` option's spec, or the agents'
    default preset when it names none); None for a method without a language model."""
    from agents.llm import model_config  # light: no torch, no transformers

    if not methods_lib.resolve(method.name).language_model:
        return None
    option = method.options.get("model", model_config.DEFAULT_SPEC)
    spec = option.get("spec", model_config.DEFAULT_SPEC) if isinstance(option, Mapping) else option
    return spec if isinstance(spec, str) else None


MAX_REPEATS = 1000
"""More repeats than this is a typo (1e8 would run for years), not a plan."""

_Positive = Annotated[pydantic.StrictInt, pydantic.Field(ge=1, le=mac.MAX_AGENTS)]


class _MethodSchema(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", strict=True)
    name: str = pydantic.Field(min_length=1)
    label: str = ""
    options: dict[str, Any] = {}
    team_sizes: list[_Positive] = []
    max_maps: int = pydantic.Field(0, ge=0)
    privileged_map: bool = False

    @pydantic.field_validator("team_sizes")
    @classmethod
    def _unique(cls, sizes: list[int]) -> list[int]:
        return _unique_sizes(sizes)


class _MapsSchema(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", strict=True)
    paper: bool = False
    count: int = pydantic.Field(0, ge=0, le=1000)
    first_seed: int = pydantic.Field(1, ge=0)


class _SuiteSchema(pydantic.BaseModel):
    """The suite file's types and ranges, checked whole before anything runs."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True)
    name: str = pydantic.Field(min_length=1, pattern=r"^[A-Za-z0-9_.+-]+$")
    methods: list[str | _MethodSchema] = pydantic.Field(min_length=1)
    rules: str = mac.DEFAULT_RULES
    goal: str = mac.DEFAULT_GOAL
    max_steps: int | None = pydantic.Field(None, ge=1)
    team_sizes: list[_Positive] = pydantic.Field([1, 2, 6], min_length=1)
    repeats: int = pydantic.Field(1, ge=1, le=MAX_REPEATS)
    maps: _MapsSchema = _MapsSchema(paper=True)

    @pydantic.field_validator("team_sizes")
    @classmethod
    def _unique(cls, sizes: list[int]) -> list[int]:
        return _unique_sizes(sizes)


def _unique_sizes(sizes: list[int]) -> list[int]:
    if len(set(sizes)) != len(sizes):
        raise ValueError("team sizes must not repeat")
    return sizes


_ALLOWED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list, e.g. [1, 2, 6]",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "extra_forbidden": "",
}


def _one_line(error: pydantic.ValidationError) -> str:
    """The first problem of a suite as one line naming the field and the allowed values."""
    errors = error.errors()
    # A union (a method given as a name or a mapping) reports both branches; the mapping's is the
    # useful one when the value is a mapping.
    if any(isinstance(e["input"], Mapping) and "str" in e["loc"] for e in errors):
        errors = [e for e in errors if "str" not in e["loc"]] or errors
    first = errors[0]
    loc = [str(part) for part in first["loc"] if part not in ("str", "_MethodSchema")]
    where = ".".join(loc) or "suite"
    kind = first["type"]
    value = first.get("input")
    if kind == "extra_forbidden":
        return f"unknown suite field {where!r}"
    allowed = _ALLOWED.get(kind) or first["msg"].lower()
    if kind in ("greater_than_equal", "less_than_equal", "too_short", "string_pattern_mismatch"):
        allowed = first["msg"].lower()
    return f"invalid {where}={value!r}; allowed: {allowed}"


def from_dict(data: Mapping[str, Any], base_dir: str | Path | None = None) -> Suite:
    """A suite from plain data (a parsed YAML file); names the first problem found. Relative
    checkpoint paths are looked up beside the suite file (`base_dir`), then in the repository."""
    if not isinstance(data, Mapping):
        raise SuiteError("a suite file must hold a mapping with at least name and methods")
    try:
        schema = _SuiteSchema.model_validate(dict(data))
    except pydantic.ValidationError as error:
        raise SuiteError(_one_line(error)) from None
    try:
        methods = tuple(
            MethodSpec(name=m)
            if isinstance(m, str)
            else MethodSpec(**{**m.model_dump(), "team_sizes": tuple(m.team_sizes)})
            for m in schema.methods
        )
        suite = Suite(
            name=schema.name,
            methods=methods,
            rules=schema.rules,
            goal=schema.goal,
            max_steps=schema.max_steps,
            team_sizes=tuple(schema.team_sizes),
            repeats=schema.repeats,
            maps=MapSpec(**schema.maps.model_dump()),
        )
    except TypeError as error:
        raise SuiteError(f"malformed suite: {error}") from None
    for method in suite.methods:
        # Not a field: where the file was is not part of the suite's identity (to_dict, store).
        object.__setattr__(method, "_base_dir", None if base_dir is None else Path(base_dir))
    return suite


REPO_ROOT = Path(__file__).resolve().parent.parent


def resolve_path(text: str, base_dir: Path | None) -> Path:
    """A path option as written in a suite: absolute as is; relative, beside the suite file if it
    is there, else under the repository root (never the current directory)."""
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    if base_dir is not None and (base_dir / path).exists():
        return base_dir / path
    return REPO_ROOT / path


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
    return from_dict(data, base_dir=path.resolve().parent)
