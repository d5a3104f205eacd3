"""MAPPO: a shared actor on each player's own observation, a centralized critic on `env.state()`.

The standard cooperative-MARL baseline (Yu et al. 2022), which the DAMCS paper did not run. One
file in the cleanrl manner: `Args`, environment, networks, then the training loop in signposted
sections (rollout, GAE, update, logging, checkpoint).

- Actor: MLP on the symbolic view (CNN on images) plus a one-hot agent id, shared by all players.
- Critic: MLP on the global state (every player's symbolic view and the clock) plus the agent id,
  so it predicts each player's own return (rewards may be individual). `critic="local"` gives it
  only the player's own observation instead: independent PPO with a shared critic (IPPO), the
  control that tells what the centralized state adds.
- GAE, PPO's clipped objective, entropy bonus, and value normalisation: the critic learns
  standardised returns, de-standardised by a running mean/std of the returns.
- Dead players (crafter rules) keep a zero observation (`black_death_v3`) and are masked out of the
  losses. An episode that ends by the step cap is treated as terminal, as in cleanrl.

Why our own file and not a library: the package lists offer BenchMARL 1.5.2 and TorchRL 0.14.1
(well kept, but BenchMARL runs from Hydra/YAML configs through TorchRL's env wrappers and
TensorDict, so the algorithm is spread over several packages and needs a TorchRL adapter for our
env and `state()`), MARLlib 1.0.3 (unmaintained since 2023, pins old ray/gym) and EPyMARL (not on
PyPI). A 300-line file in plain torch is easier to read, test and debug than any of them here.

    python scripts/train_marl.py --algo mappo --n-agents 2 --total-steps 200000 --out runs/mappo-n2
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical

from baselines import monitor as monitor_lib
from baselines import run_config as run_config_lib
from baselines import run_dir, train_result, training_env

CHECKPOINT = "checkpoint.pt"


CRITICS = ("central", "local")


@dataclass(frozen=True)
class Args:
    """MAPPO hyperparameters."""

    learning_rate: float = 3e-4
    """Adam step size (actor and critic)."""
    n_steps: int = 256
    """Joint env steps per rollout; a rollout holds n_steps x n_agents samples."""
    n_epochs: int = 4
    """Passes over each rollout."""
    n_minibatches: int = 2
    """Minibatches per pass (with 2 players: 256 samples each, as PPO's batch_size)."""
    gamma: float = 0.995
    """Discount (as the paper's PPO)."""
    gae_lambda: float = 0.95
    """GAE lambda."""
    clip_coef: float = 0.2
    """PPO ratio clip (also used for the value clip)."""
    ent_coef: float = 0.01
    """Entropy bonus."""
    vf_coef: float = 0.5
    """Value loss weight."""
    max_grad_norm: float = 0.5
    """Gradient clipping norm."""
    hidden: int = 64
    """Width of the two hidden layers of actor and critic."""
    value_norm: bool = True
    """Train the critic on returns standardised by a running mean/std."""
    critic: Literal["central", "local"] = "central"
    """central: the critic reads the global state (MAPPO); local: only the player's own
    observation (IPPO), the control for what the centralized state adds. Symbolic only."""
    minibatch_size: int | None = None
    """Player samples per minibatch; overrides n_minibatches so that gradient steps per sample do
    not fall as the team grows (with a fixed n_minibatches, 6 players take a third of the steps
    per sample that 2 players take; SB3's PPO keeps batch_size fixed). None: n_minibatches."""

    def __post_init__(self) -> None:
        if self.n_steps < 1 or self.n_epochs < 1 or self.n_minibatches < 1 or self.hidden < 1:
            raise run_config_lib.ConfigError(
                "mappo: n_steps, n_epochs, n_minibatches, hidden must be >= 1"
            )
        if self.minibatch_size is not None and self.minibatch_size < 1:
            raise run_config_lib.ConfigError("mappo: minibatch_size must be None or >= 1")
        if self.critic not in CRITICS:
            raise run_config_lib.ConfigError(
                f"mappo: invalid critic {self.critic!r}; allowed: {', '.join(CRITICS)}"
            )


# --- networks ----------------------------------------------------------------------------------


def _layer(n_in: int, n_out: int, std: float = float(np.sqrt(2))) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, 0.0)
    return layer


class Actor(nn.Module):
    """Action logits from one player's observation (vector: MLP; HWC uint8 image: CNN)."""

    def __init__(self, obs_shape: tuple[int, ...], n_actions: int, hidden: int) -> None:
        super().__init__()
        self.image = len(obs_shape) == 3
        if self.image:
            self.body = nn.Sequential(
                nn.Conv2d(obs_shape[2], 32, 8, stride=4),
                nn.ReLU(),
                nn.Conv2d(32, 64, 4, stride=2),
                nn.ReLU(),
                nn.Conv2d(64, 64, 3, stride=1),
                nn.ReLU(),
                nn.Flatten(),
                _layer(64 * 4 * 4, hidden),
                nn.ReLU(),
            )
        else:
            self.body = nn.Sequential(
                _layer(obs_shape[0], hidden), nn.Tanh(), _layer(hidden, hidden), nn.Tanh()
            )
        self.head = _layer(hidden, n_actions, std=0.01)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        x = obs.float()
        if self.image:
            x = x.permute(0, 3, 1, 2) / 255.0
        return self.head(self.body(x))


class Critic(nn.Module):
    """Standardised value of one player from the global state and its one-hot id."""

    def __init__(self, state_dim: int, n_agents: int, hidden: int) -> None:
        super().__init__()
        self.n_agents = n_agents
        self.net = nn.Sequential(
            _layer(state_dim + n_agents, hidden),
            nn.Tanh(),
            _layer(hidden, hidden),
            nn.Tanh(),
            _layer(hidden, 1, std=1.0),
        )

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        """Values of shape (batch, n_agents) for states of shape (batch, state_dim), or for each
        player's own observation, (batch, n_agents, obs_dim), with a local critic."""
        batch = states.shape[0]
        ids = torch.eye(self.n_agents).expand(batch, -1, -1)
        if states.dim() == 2:
            states = states.unsqueeze(1).expand(-1, self.n_agents, -1)
        return self.net(torch.cat([states, ids], dim=2)).squeeze(-1)


class ValueNorm(nn.Module):
    """Running mean and variance of the returns (parallel-variance update)."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(()))
        self.register_buffer("var", torch.ones(()))
        self.register_buffer("count", torch.tensor(1e-4))

    def update(self, x: torch.Tensor) -> None:
        mean, var, n = x.mean(), x.var(unbiased=False), x.numel()
        delta, total = mean - self.mean, self.count + n
        m2 = self.var * self.count + var * n + delta**2 * self.count * n / total
        self.mean.copy_(self.mean + delta * n / total)
        self.var.copy_(m2 / total)
        self.count.copy_(total)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / torch.sqrt(self.var + 1e-8)

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sqrt(self.var + 1e-8) + self.mean


# --- checkpoints -------------------------------------------------------------------------------


@dataclass
class Learner:
    """Everything a checkpoint restores."""

    actor: Actor
    critic: Critic
    value_norm: ValueNorm
    optimizer: torch.optim.Optimizer
    meta: dict[str, Any]
    steps: int = 0


def build_learner(config: run_config_lib.RunConfig, env: Any) -> Learner:
    args = Args(**config.hyper)
    agent = env.possible_agents[0]
    obs_shape = list(env.observation_space(agent).shape)
    if args.critic == "local" and len(obs_shape) != 1:
        raise run_config_lib.ConfigError("mappo: critic='local' needs symbolic observations")
    meta = {
        "obs_shape": obs_shape,
        "n_actions": int(env.action_space(agent).n),
        "state_dim": int(env.unwrapped.state_space.shape[0]),
        "critic": args.critic,
        "n_agents": len(env.possible_agents),
        "hidden": args.hidden,
    }
    return _learner(meta, args.learning_rate)


def _learner(meta: dict[str, Any], learning_rate: float) -> Learner:
    actor = Actor(tuple(meta["obs_shape"]), meta["n_actions"], meta["hidden"])
    local = meta.get("critic", "central") == "local"
    critic_in = meta["obs_shape"][0] if local else meta["state_dim"]
    critic = Critic(critic_in, meta["n_agents"], meta["hidden"])
    params = [*actor.parameters(), *critic.parameters()]
    optimizer = torch.optim.Adam(params, lr=learning_rate, eps=1e-5)
    return Learner(actor, critic, ValueNorm(), optimizer, meta)


def save(learner: Learner, run: run_dir.RunDir, finished: bool, started: float) -> None:
    """Write the checkpoint (atomically) and then the progress that points at it."""
    tmp = run.path / "checkpoint.tmp.pt"
    torch.save(
        {
            "meta": learner.meta,
            "steps": learner.steps,
            "actor": learner.actor.state_dict(),
            "critic": learner.critic.state_dict(),
            "value_norm": learner.value_norm.state_dict(),
            "optimizer": learner.optimizer.state_dict(),
        },
        tmp,
    )
    tmp.replace(run.checkpoint_path)
    run.write_progress(learner.steps, finished, started)


def checkpoint_steps(path: str | Path) -> int:
    """The steps stored in a checkpoint."""
    return int(torch.load(path, map_location="cpu", weights_only=True)["steps"])


def load_learner(path: str | Path, learning_rate: float = 3e-4) -> Learner:
    data = torch.load(path, map_location="cpu", weights_only=True)
    learner = _learner(data["meta"], learning_rate)
    learner.actor.load_state_dict(data["actor"])
    learner.critic.load_state_dict(data["critic"])
    learner.value_norm.load_state_dict(data["value_norm"])
    if "optimizer" in data:  # committed reference checkpoints drop it to stay small
        learner.optimizer.load_state_dict(data["optimizer"])
    learner.steps = int(data["steps"])
    return learner


# --- training ----------------------------------------------------------------------------------


def train(
    config: run_config_lib.RunConfig,
    out: str | Path,
    resume: bool = False,
    progress_bar: bool = True,
) -> train_result.TrainResult:
    """Train (or continue) the run in `out` up to `config.total_steps`; Ctrl-C saves a checkpoint."""
    torch.set_num_threads(1)
    run = run_dir.RunDir(out, CHECKPOINT)
    config, done = run.prepare(config, resume, checkpoint_steps)
    args = Args(**config.hyper)
    # A resumed run starts a fresh stream of maps and samples rather than replaying the first.
    torch.manual_seed(config.seed + done)
    np.random.seed(config.seed + done)
    env = training_env.make_env(config.env, config.training, config.seed + done)
    learner = load_learner(run.checkpoint_path, args.learning_rate) if done else None
    learner = learner or build_learner(config, env)
    n = len(env.possible_agents)
    monitor = monitor_lib.Monitor(run, config, done, f"mappo x{n}", progress_bar)
    started, finished = time.time(), False
    try:
        _loop(config, args, env, learner, run, monitor, started)
        finished = True
    finally:
        save(learner, run, finished=finished, started=started)
        monitor.close()
    return train_result.TrainResult(
        learner.steps, finished, _logits_fn(learner.actor), monitor.rate()
    )


def _loop(
    config: run_config_lib.RunConfig,
    args: Args,
    env: Any,
    learner: Learner,
    run: run_dir.RunDir,
    monitor: monitor_lib.Monitor,
    started: float,
) -> None:
    agents = env.possible_agents
    n, T = len(agents), args.n_steps
    meta = learner.meta
    image = len(meta["obs_shape"]) == 3
    obs_buf = torch.zeros((T, n, *meta["obs_shape"]), dtype=torch.uint8 if image else torch.float32)
    local = meta.get("critic", "central") == "local"
    # What the critic reads: the global state, or (local) each player's own observation.
    state_buf = torch.zeros((T, n, meta["obs_shape"][0]) if local else (T, meta["state_dim"]))
    act_buf = torch.zeros((T, n), dtype=torch.long)
    logp_buf, rew_buf, val_buf = torch.zeros((T, n)), torch.zeros((T, n)), torch.zeros((T, n))
    done_buf, alive_buf = torch.zeros((T, n)), torch.zeros((T, n))

    obs, infos = env.reset()
    next_obs = torch.as_tensor(np.stack([obs[a] for a in agents]))
    next_state = next_obs if local else torch.as_tensor(env.state())
    next_alive = _alive(infos, agents)
    next_done = torch.zeros(n)
    last_checkpoint = learner.steps

    while learner.steps < config.total_steps:
        # --- rollout: every player acts from the shared actor ---
        for t in range(T):
            obs_buf[t], state_buf[t], alive_buf[t], done_buf[t] = (
                next_obs,
                next_state,
                next_alive,
                next_done,
            )
            with torch.no_grad():
                dist = Categorical(logits=learner.actor(next_obs))
                action = dist.sample()
                value = learner.value_norm.denormalize(learner.critic(next_state[None])[0])
            act_buf[t], logp_buf[t], val_buf[t] = action, dist.log_prob(action), value
            actions = {a: int(action[i]) for i, a in enumerate(agents) if a in env.agents}
            obs, rewards, terms, truncs, infos = env.step(actions)
            rew_buf[t] = torch.tensor([rewards.get(a, 0.0) for a in agents])
            learner.steps += n
            monitor.advance(learner.steps, n)
            if all(terms.values()) or all(truncs.values()):
                monitor.episode(_episode_stats(infos), learner.steps)
                obs, infos = env.reset()
                next_done = torch.ones(n)
            else:
                next_done = torch.zeros(n)
            next_obs = torch.as_tensor(np.stack([obs[a] for a in agents]))
            next_state = next_obs if local else torch.as_tensor(env.state())
            next_alive = _alive(infos, agents)

        # --- GAE on de-standardised values ---
        with torch.no_grad():
            next_value = learner.value_norm.denormalize(learner.critic(next_state[None])[0])
            advantages = torch.zeros((T, n))
            last = torch.zeros(n)
            for t in reversed(range(T)):
                nonterminal = 1.0 - (next_done if t == T - 1 else done_buf[t + 1])
                following = next_value if t == T - 1 else val_buf[t + 1]
                delta = rew_buf[t] + args.gamma * following * nonterminal - val_buf[t]
                last = delta + args.gamma * args.gae_lambda * nonterminal * last
                advantages[t] = last
            returns = advantages + val_buf

        # --- update: clipped policy loss, clipped value loss on standardised returns ---
        if args.value_norm:
            learner.value_norm.update(returns[alive_buf > 0])
        norm_returns = learner.value_norm.normalize(returns)
        norm_values = learner.value_norm.normalize(val_buf)
        rollout = (obs_buf, state_buf, act_buf, logp_buf, advantages, norm_returns, norm_values)
        stats = [
            _update(learner, args, batch, *rollout, alive_buf)
            for _ in range(args.n_epochs)
            for batch in torch.randperm(T).chunk(_minibatches(args, n))
        ]

        # --- logging and checkpoint ---
        losses = {k: float(np.mean([s[k] for s in stats])) for k in stats[0]}
        losses["explained_variance"] = _explained_variance(val_buf, returns, alive_buf)
        monitor.update(losses, args.learning_rate, learner.steps, _logits_fn(learner.actor))
        learner.actor.train()
        if learner.steps - last_checkpoint >= config.checkpoint_every:
            save(learner, run, finished=False, started=started)
            last_checkpoint = learner.steps


def _update(
    learner: Learner,
    args: Args,
    batch: torch.Tensor,
    obs_buf: torch.Tensor,
    state_buf: torch.Tensor,
    act_buf: torch.Tensor,
    logp_buf: torch.Tensor,
    advantages: torch.Tensor,
    norm_returns: torch.Tensor,
    norm_values: torch.Tensor,
    alive_buf: torch.Tensor,
) -> dict[str, float]:
    """One gradient step on the joint steps `batch` (all players of each step, dead ones masked)."""
    mask = alive_buf[batch].flatten()
    weight = mask / mask.sum().clamp(min=1.0)
    obs = obs_buf[batch].flatten(0, 1)
    dist = Categorical(logits=learner.actor(obs))
    new_logp = dist.log_prob(act_buf[batch].flatten())
    log_ratio = new_logp - logp_buf[batch].flatten()
    ratio = log_ratio.exp()
    adv = advantages[batch].flatten()
    alive = mask > 0
    adv = (adv - adv[alive].mean()) / (adv[alive].std(unbiased=False) + 1e-8)
    pg_loss = (
        torch.max(-adv * ratio, -adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)) * weight
    ).sum()
    new_values = learner.critic(state_buf[batch]).flatten()
    old_values, targets = norm_values[batch].flatten(), norm_returns[batch].flatten()
    clipped = old_values + (new_values - old_values).clamp(-args.clip_coef, args.clip_coef)
    v_loss = 0.5 * (torch.max((new_values - targets) ** 2, (clipped - targets) ** 2) * weight).sum()
    entropy = (dist.entropy() * weight).sum()
    loss = pg_loss + args.vf_coef * v_loss - args.ent_coef * entropy
    learner.optimizer.zero_grad()
    loss.backward()
    params = [*learner.actor.parameters(), *learner.critic.parameters()]
    nn.utils.clip_grad_norm_(params, args.max_grad_norm)
    learner.optimizer.step()
    with torch.no_grad():
        approx_kl = (((ratio - 1) - log_ratio) * weight).sum()
        clipfrac = (((ratio - 1).abs() > args.clip_coef).float() * weight).sum()
    return {
        "policy_loss": pg_loss.item(),
        "value_loss": v_loss.item(),
        "entropy": entropy.item(),
        "approx_kl": float(approx_kl),
        "clipfrac": float(clipfrac),
    }


def _minibatches(args: Args, n_agents: int) -> int:
    """Minibatches per pass over a rollout of `args.n_steps` joint steps of `n_agents` players."""
    if args.minibatch_size is None:
        return args.n_minibatches
    return max(1, min(args.n_steps, round(args.n_steps * n_agents / args.minibatch_size)))


def _explained_variance(values: torch.Tensor, returns: torch.Tensor, alive: torch.Tensor) -> float:
    """1 - Var(returns - values) / Var(returns) over living players' samples (as SB3 logs it)."""
    y, v = returns[alive > 0], values[alive > 0]
    var = float(y.var(unbiased=False)) if y.numel() else 0.0
    return float("nan") if var == 0 else 1.0 - float((y - v).var(unbiased=False)) / var


def _alive(infos: dict[str, dict[str, Any]], agents: list[str]) -> torch.Tensor:
    return torch.tensor([float(infos.get(a, {}).get("alive", False)) for a in agents])


def _episode_stats(infos: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ended = [info["episode"] for info in infos.values() if "episode" in info]
    if not ended:  # everyone died before the end: nothing to report but the length
        return {"r": 0.0, "l": 0, "achievements": 0, "unlocked": (), "success": False}
    return {
        "r": float(np.mean([e["r"] for e in ended])),
        "l": ended[0]["l"],
        "achievements": ended[0]["achievements"],
        "unlocked": ended[0]["unlocked"],
        "success": ended[0]["success"],
    }


# --- evaluation --------------------------------------------------------------------------------


def load_logits(checkpoint: str | Path) -> train_result.LogitsFn:
    """The saved actor as a function from a batch of policy observations to action logits."""
    return _logits_fn(load_learner(checkpoint).actor)


def _logits_fn(actor: Actor) -> train_result.LogitsFn:
    actor.eval()

    def logits(observations: np.ndarray) -> torch.Tensor:
        with torch.no_grad():
            return actor(torch.as_tensor(observations))

    return logits
