import sys

import numpy as np
from scipy import optimize

from agents.skills.navigation import box_sum

ROCK = [2, 6, 7, 8, 9]
CLASSES = {"rock": ROCK, "path": [3], "grass": [1, 10, 11], "sand": [4], "water": [0], "tree": [5]}
RADII = (1, 2, 4, 7, 11)
NEAR = 12


def features(materials):
    known = materials >= 0
    cols = []
    for r in RADII:
        k = box_sum(known, (r, r))
        area = (2 * r + 1) ** 2
        cols.append(k / area)
        denom = np.maximum(k, 1.0)
        for _name, ids in CLASSES.items():
            cols.append(box_sum(np.isin(materials, ids), (r, r)) / denom)
    w, h = materials.shape
    xs, ys = np.meshgrid(np.arange(w), np.arange(h), indexing="ij")
    d = np.sqrt((xs - w // 2) ** 2 + (ys - h // 2) ** 2) / 32.0
    edge = np.minimum(np.minimum(xs, w - 1 - xs), np.minimum(ys, h - 1 - ys)) / 32.0
    cols += [d, d * d, edge]
    return np.stack(cols, -1).astype(np.float32)


def samples(path):
    data = np.load(path)
    X, Y, _own = [], [], []
    for snap, grid in zip(data["snaps"], data["grids"], strict=False):
        known = snap >= 0
        near = (box_sum(known, (NEAR, NEAR)) > 0) & ~known
        F = features(snap)
        X.append(F[near])
        Y.append(np.isin(grid, ROCK)[near])
    return np.concatenate(X), np.concatenate(Y).astype(np.float32)


def fit(X, Y, l2=1e-3):
    Xb = np.hstack([X, np.ones((len(X), 1), np.float32)]).astype(np.float64)

    def f(w):
        z = Xb @ w
        p = 1 / (1 + np.exp(-z))
        loss = np.mean(np.logaddexp(0, z) - Y * z) + l2 * np.sum(w[:-1] ** 2)
        g = Xb.T @ (p - Y) / len(Y) + 2 * l2 * np.r_[w[:-1], 0]
        return loss, g

    res = optimize.minimize(
        f, np.zeros(Xb.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 2000}
    )
    return res.x, res.fun


def predict(w, F):
    return 1 / (1 + np.exp(-(F @ w[:-1] + w[-1])))


if __name__ == "__main__":
    X, Y = samples(sys.argv[1])
    print("train", X.shape, Y.mean())
    w, loss = fit(X, Y)
    print("train loss", loss)
    np.save(sys.argv[3], w)
    Xv, Yv = samples(sys.argv[2])
    p = np.clip(predict(w, Xv), 1e-6, 1 - 1e-6)
    base = Yv.mean()
    print(
        "valid logloss",
        -np.mean(Yv * np.log(p) + (1 - Yv) * np.log(1 - p)),
        "const",
        -np.mean(Yv * np.log(base) + (1 - Yv) * np.log(1 - base)),
    )
