"""Snapshots of a lone agent's known map on its own-map episodes, with the true grid."""

import sys

import numpy as np

from benchmark import methods
from benchmark.studies import cooperation, team_map
from envs import mac
from envs.mac import rules as rules_lib
from episode import loop
from episode import team as team_lib

EVERY = 20


class Snap(team_lib.Team):
    def __init__(self, inner):
        super().__init__(inner.agents, inner.config)
        self.inner = inner
        self.method, self.obs_type = inner.method, inner.obs_type
        self.snaps = []
        self._step = 0

    def reset(self, specs):
        self.inner.reset(specs)
        self.snaps = []
        self._step = 0

    def act(self, observations, infos):
        a = self.inner.act(observations, infos)
        if self._step % EVERY == 0 and self._step > 0:
            for m in self.inner.board.maps.values():
                self.snaps.append(m.materials.copy())
        self._step += 1
        return a

    def counters(self):
        return self.inner.counters()

    def trace(self):
        return self.inner.trace()

    def close(self):
        self.inner.close()


def main(first, count, out, n_agents=1):
    rules = rules_lib.load(mac.EnvConfig().rules)
    snaps, grids = [], []
    for where in cooperation.maps_with_diamond(count, first):
        env = mac.EnvConfig(n_agents=n_agents, privileged_map=False)
        team = Snap(methods.build("scripted", env))
        loop.play_episode(team, env, where.seed, method="scripted")
        grid = team_map.layout_for(where.seed, n_agents, None).grid
        for s in team.snaps:
            snaps.append(s)
            grids.append(grid)
        print(where.name, len(team.snaps), flush=True)
    names = list(rules.materials)
    idx = {n: i for i, n in enumerate(names)}
    gi = np.array([np.vectorize(lambda v: idx.get(v, -2))(g) for g in grids], np.int16)
    np.savez_compressed(out, snaps=np.array(snaps), grids=gi, names=np.array(names))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
