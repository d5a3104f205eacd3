"""Multi-Agent Crafter (MAC): N players in one Crafter world, as a PettingZoo ParallelEnv.

Usage::

    from envs import mac
    env = mac.parallel_env(n_agents=6, rules="damcs", obs_type="symbolic")
    obs, infos = env.reset(seed=0)                 # agents "player_0" ... "player_5"
    obs, rewards, terms, truncs, infos = env.step({a: env.action_space(a).sample() for a in env.agents})

Arguments:
    n_agents: players in the world (1 to 64), spawned next to each other at the map centre.
    rules: a rule set from ``data.yaml``: ``"crafter"`` (the original game: zombies, skeletons, item cap
        9, 10000 steps) or ``"damcs"`` (the DAMCS paper's variant: cows only, iron tools need only a
        furnace, cap 999, 350 steps, ``share_<item>_to_<agent>`` actions).
    obs_type: ``"image"`` (crafter's 64x64x3 view of each player) or ``"symbolic"`` (a float32 vector:
        the 9x7 local view one-hot over materials and objects, inventory / 9, facing, sleeping).
    goal: any achievement; the episode terminates for everyone when any player achieves it.
    max_cycles: truncation step (default: the rule set's length).
    reward: ``"individual"`` (crafter's reward per player: +1 on a step that unlocks an achievement,
        health change / 10) or ``"team"`` (every player gets the sum of all players' rewards).
    privileged_map: also put the full semantic map in every info (the paper's navigator read it).
    fixed_map: keep the first episode's map for every later reset without a seed (paper protocol).
    world_seed: use this raw seed for crafter's world generator on every reset (1023683980 is the
        DAMCS paper's map); overrides the seed passed to reset.

Maps: ``reset(seed=s)`` builds the world ``crafter.Env(seed=s).reset()`` builds; a later ``reset()``
without a seed moves on to crafter's next episode's world (unless ``fixed_map``). Players who die leave
``agents`` and never return; the episode ends when all are dead, when any player reaches the goal, or
at ``max_cycles``.

Infos (every step, per agent): ``inventory``, ``achievements``, ``position``, ``facing``, ``sleeping``,
``local_semantic`` (9x7 semantic ids, crafter's numbering), ``milestones`` (earliest step each goal
milestone was reached by anyone, or None), ``team_achievements`` (achievement -> first step, anyone),
``action_names``; with ``privileged_map`` also ``semantic`` (64x64, read-only, shared by all agents).
``state()`` concatenates every player's symbolic view (zeros once dead) and the time of day.
"""

from __future__ import annotations

import functools
from typing import Any

import gymnasium
import numpy as np
from pettingzoo import ParallelEnv
from pettingzoo.utils import parallel_to_aec

from envs.mac import rules as rules_lib
from envs.mac import views
from envs.mac import world as world_lib

OBS_TYPES = ("image", "symbolic")
REWARD_MODES = ("individual", "team")
MAX_AGENTS = 64
PAPER_WORLD_SEED = world_lib.world_seed_for(4, 4)  # 1023683980, the DAMCS release's map


def _fail(argument: str, value: Any, allowed: str) -> ValueError:
    return ValueError(f"invalid {argument}={value!r}; allowed: {allowed}")


def _is_int(value: Any, minimum: int) -> bool:
    """An integer (Python or numpy, never bool, float or text) of at least `minimum`."""
    return (
        isinstance(value, int | np.integer)
        and not isinstance(value, bool | np.bool_)
        and value >= minimum
    )


class MultiAgentCrafter(ParallelEnv):
    """N players sharing one Crafter world; see the module docstring for the arguments."""

    metadata = {"name": "multi_agent_crafter_v0", "render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        n_agents: int = 2,
        rules: str = "damcs",
        obs_type: str = "symbolic",
        goal: str = rules_lib.DEFAULT_GOAL,
        max_cycles: int | None = None,
        reward: str = "individual",
        privileged_map: bool = False,
        fixed_map: bool = False,
        world_seed: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        if isinstance(n_agents, bool) or not isinstance(n_agents, int | np.integer):
            raise _fail("n_agents", n_agents, f"an integer from 1 to {MAX_AGENTS}")
        if not 1 <= n_agents <= MAX_AGENTS:
            raise _fail("n_agents", n_agents, f"an integer from 1 to {MAX_AGENTS}")
        if rules not in rules_lib.names():
            raise _fail("rules", rules, ", ".join(rules_lib.names()))
        if obs_type not in OBS_TYPES:
            raise _fail("obs_type", obs_type, ", ".join(OBS_TYPES))
        if reward not in REWARD_MODES:
            raise _fail("reward", reward, ", ".join(REWARD_MODES))
        if render_mode not in (None, "rgb_array"):
            raise _fail("render_mode", render_mode, "None, 'rgb_array'")
        self.rules = rules_lib.load(rules)
        self.rules.check_achievement(goal)
        if max_cycles is not None and not _is_int(max_cycles, minimum=1):
            raise _fail("max_cycles", max_cycles, "None or a positive integer")
        if world_seed is not None and not _is_int(world_seed, minimum=0):
            raise _fail("world_seed", world_seed, "None or an integer >= 0")
        self.n_agents = int(n_agents)
        self.obs_type = obs_type
        self.goal = goal
        self.milestone_names = self.rules.milestones(goal)
        self.max_cycles = int(max_cycles or self.rules.length)
        self.reward_mode = reward
        self.privileged_map = privileged_map
        self.fixed_map = fixed_map
        self.world_seed = world_seed
        self.render_mode = render_mode

        self.possible_agents = [f"player_{i}" for i in range(self.n_agents)]
        self.agents: list[str] = []
        self._action_names = {a: self._build_action_names(a) for a in self.possible_agents}
        n_actions = len(self._action_names[self.possible_agents[0]])
        self._action_spaces = {
            a: gymnasium.spaces.Discrete(n_actions) for a in self.possible_agents
        }
        self._symbolic = views.SymbolicView(
            self.rules.materials,
            tuple(self.rules.items),
            max(i.max for i in self.rules.items.values()),
        )
        if obs_type == "image":
            space = gymnasium.spaces.Box(0, 255, (*views.SIZE, 3), np.uint8)
        else:
            space = gymnasium.spaces.Box(
                0.0, self._symbolic.high, (self._symbolic.size,), np.float32
            )
        self._observation_spaces = dict.fromkeys(self.possible_agents, space)
        self.state_space = gymnasium.spaces.Box(
            0.0, self._symbolic.high, (self.n_agents * self._symbolic.size + 2,), np.float32
        )

        self.game = world_lib.Game(self.rules, self.n_agents, self.possible_agents)
        self._image = views.ImageView(self.game.world, len(self.rules.items))
        self._frames = views.FrameRenderer(self.game)
        self._padded = views.PaddedLayers(self.game.world.area)
        self._semantic = np.zeros(self.game.world.area, np.uint8)
        self._layers_step: tuple[int, int] | None = None
        self._episode_count = 0
        self._seed: int | None = None
        self._episode = 0
        self._last_obs: dict[str, np.ndarray] = {}
        self._last_health: dict[str, int] = {}
        self._unlocked: dict[str, set[str]] = {}
        self.team_achievements: dict[str, int] = {}

    # --- PettingZoo API ---------------------------------------------------------------------

    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        return self._action_spaces[agent]

    def action_names(self, agent: str) -> list[str]:
        """Action names of `agent`, index = action id (share targets differ per agent)."""
        if agent not in self._action_names:
            raise _fail("agent", agent, ", ".join(self.possible_agents))
        return list(self._action_names[agent])

    def reset(self, seed: int | None = None, options: dict | None = None):
        # Validate before touching any state, so a refused reset leaves the env as it was.
        if seed is not None and not _is_int(seed, minimum=0):
            raise _fail("seed", seed, "None or an integer >= 0")
        if seed is not None:
            seed = int(seed)
            self._seed, self._episode = int(seed), 1
        elif self._seed is None:
            self._seed, self._episode = int(np.random.randint(0, 2**31 - 1)), 1
        elif not self.fixed_map:
            self._episode += 1
        if self.world_seed is not None:
            world_seed = int(self.world_seed)
        else:
            world_seed = world_lib.world_seed_for(self._seed, self._episode)
        self.current_world_seed = world_seed
        self._episode_count += 1
        self.game.reset(world_seed)
        for i, space in enumerate(self._action_spaces.values()):
            space.seed(None if seed is None else seed + i)
        self.agents = list(self.possible_agents)
        self._last_health = {p.agent_id: p.health for p in self.game.players}
        self._unlocked = {a: set() for a in self.agents}
        self.team_achievements = {}
        obs = self._observations(self.agents)
        return obs, self._infos(self.agents)

    def step(self, actions: dict[str, int]):
        if not self.agents:
            raise ValueError("step() called on a finished episode; call reset() first")
        commands = self._parse_actions(actions)
        died = self.game.step(commands)
        step = self.game.step_count
        players = {p.agent_id: p for p in self.game.players}
        rewards = {}
        for agent in self.agents:
            player = players[agent]
            reward = (player.health - self._last_health[agent]) / 10
            self._last_health[agent] = player.health
            unlocked = {n for n, c in player.achievements.items() if c > 0} - self._unlocked[agent]
            if unlocked:
                self._unlocked[agent] |= unlocked
                reward += 1.0
                for name in unlocked:
                    self.team_achievements.setdefault(name, step)
            rewards[agent] = float(reward)
        if self.reward_mode == "team":
            total = float(sum(rewards.values()))
            rewards = dict.fromkeys(rewards, total)
        goal_reached = self.goal in self.team_achievements
        all_dead = len(died) == len(self.agents)
        over = step >= self.max_cycles
        terminations = {a: goal_reached or a in died for a in self.agents}
        truncations = {a: over and not terminations[a] for a in self.agents}
        obs = self._observations(self.agents)
        infos = self._infos(self.agents)
        if goal_reached or all_dead or over:
            self.agents = []
        else:
            self.agents = [a for a in self.agents if a not in died]
        return obs, rewards, terminations, truncations, infos

    def state(self) -> np.ndarray:
        """Global state for centralized critics: all symbolic views (zeros when dead) + daylight, time."""
        layers = self._layers()
        parts = [
            np.zeros(self._symbolic.size, np.float32)
            if p.agent_id in self.game.dead
            else self._symbolic(p, layers)
            for p in self.game.players
        ]
        clock = np.array([self.game.world.daylight, self.game.step_count / self.max_cycles])
        return np.concatenate([*parts, clock.astype(np.float32)])

    def render(self) -> np.ndarray | None:
        if self._episode_count == 0:
            raise ValueError("invalid render() before reset(); allowed: call reset() first")
        if self.render_mode is None:
            gymnasium.logger.warn("render() without render_mode='rgb_array' returns None")
            return None
        return self._frames(self._last_obs if self.obs_type == "image" else None)

    def close(self) -> None:
        pass

    def top_down_map(self) -> np.ndarray:
        """The whole world from above as an RGB image (every tile, players and creatures), for the
        episode viewer; works whatever the render mode."""
        if self._episode_count == 0:
            raise ValueError("invalid top_down_map() before reset(); allowed: call reset() first")
        return views.top_down(self.game)

    def current_infos(self) -> dict[str, dict[str, Any]]:
        """Infos of the live agents as the world is now (after editing it by hand, e.g. in tests)."""
        self._layers_step = None
        return self._infos(self.agents)

    # --- map facts for the harness ----------------------------------------------------------

    def material_counts(self) -> dict[str, int]:
        """How many tiles of each material the current map holds (e.g. is there a diamond at all)."""
        return {m: self.game.count(m) for m in self.rules.materials}

    def nearest_distance(self, material: str) -> int | None:
        """L1 distance from the map centre to the nearest tile of `material`, None if absent."""
        if material not in self.game.world._mat_ids:
            return None
        xs, ys = np.nonzero(self.game.world._mat_map == self.game.world._mat_ids[material])
        if len(xs) == 0:
            return None
        cx, cy = self.game.center
        return int((np.abs(xs - cx) + np.abs(ys - cy)).min())

    # --- internals --------------------------------------------------------------------------

    def _build_action_names(self, agent: str) -> tuple[str, ...]:
        names = list(self.rules.actions)
        teammates = [a for a in self.possible_agents if a != agent]
        names += [f"share_{item}_to_{mate}" for item in self.rules.share for mate in teammates]
        return tuple(names)

    @functools.cached_property
    def _share_targets(self) -> dict[str, dict[int, tuple[str, str]]]:
        targets = {}
        for agent, _names in self._action_names.items():
            base = len(self.rules.actions)
            teammates = [a for a in self.possible_agents if a != agent]
            targets[agent] = {
                base + i * len(teammates) + j: (item, mate)
                for i, item in enumerate(self.rules.share)
                for j, mate in enumerate(teammates)
            }
        return targets

    def _parse_actions(self, actions: dict[str, int]):
        unknown = set(actions) - set(self.possible_agents)
        if unknown:
            raise _fail("agent", sorted(unknown)[0], ", ".join(self.possible_agents))
        gone = set(actions) - set(self.agents)
        if gone:
            raise ValueError(
                f"action for agent {sorted(gone)[0]!r}, which is no longer in the episode"
            )
        missing = set(self.agents) - set(actions)
        if missing:
            raise ValueError(
                f"no action for live agent(s) {sorted(missing)}; every live agent acts"
            )
        players = {p.agent_id: p for p in self.game.players}
        commands = {}
        for agent, action in actions.items():
            names = self._action_names[agent]
            if isinstance(action, bool) or not isinstance(action, int | np.integer):
                raise _fail(f"action of {agent}", action, f"an integer in 0..{len(names) - 1}")
            action = int(action)
            if not 0 <= action < len(names):
                raise _fail(f"action of {agent}", action, f"an integer in 0..{len(names) - 1}")
            share = self._share_targets[agent].get(action)
            request = None if share is None else (share[0], players[share[1]])
            commands[agent] = (names[action], request)
        return commands

    def _layers(self) -> views.PaddedLayers:
        """This step's padded maps, built on first use and shared by observations and infos."""
        if self._layers_step != (self._episode_count, self.game.step_count):
            self._semantic = self.game.semantic_map()
            self._semantic.flags.writeable = False
            self._padded.update(self.game.world._mat_map, self._semantic)
            self._layers_step = (self._episode_count, self.game.step_count)
        return self._padded

    def _observations(self, agents: list[str]):
        players = {p.agent_id: p for p in self.game.players}
        if self.obs_type == "image":
            obs = {a: self._image(players[a]) for a in agents}
        else:
            layers = self._layers()
            obs = {}
            for agent in agents:
                # Keep the world's random stream as an image env would leave it (night noise).
                self._image.consume_night_noise()
                obs[agent] = self._symbolic(players[agent], layers)
        self._last_obs = obs
        return obs

    def _infos(self, agents: list[str]) -> dict[str, dict[str, Any]]:
        layers = self._layers()
        semantic = self._semantic
        milestones = {m: self.team_achievements.get(m) for m in self.milestone_names}
        players = {p.agent_id: p for p in self.game.players}
        infos = {}
        for agent in agents:
            player = players[agent]
            info = {
                "inventory": dict(player.inventory),
                "achievements": dict(player.achievements),
                "position": (int(player.pos[0]), int(player.pos[1])),
                "facing": (int(player.facing[0]), int(player.facing[1])),
                "sleeping": bool(player.sleeping),
                "alive": agent not in self.game.dead,
                "local_semantic": layers.window(layers.semantic, player.pos).copy(),
                "milestones": dict(milestones),
                "team_achievements": dict(self.team_achievements),
                "step": self.game.step_count,
            }
            if self.privileged_map:
                info["semantic"] = semantic
            infos[agent] = info
        return infos


def parallel_env(**kwargs) -> MultiAgentCrafter:
    """The parallel (simultaneous-action) environment."""
    return MultiAgentCrafter(**kwargs)


def env(**kwargs):
    """The AEC (turn-by-turn) version, via PettingZoo's parallel_to_aec."""
    return parallel_to_aec(parallel_env(**kwargs))
