import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit import samples

torch.manual_seed(0)
torch.set_num_threads(1)
X, Y = samples(sys.argv[1])
Xv, Yv = samples(sys.argv[2])
X, Y, Xv, Yv = map(torch.tensor, (X, Y, Xv, Yv))
net = torch.nn.Sequential(
    torch.nn.Linear(X.shape[1], 64),
    torch.nn.ReLU(),
    torch.nn.Linear(64, 32),
    torch.nn.ReLU(),
    torch.nn.Linear(32, 1),
)
opt = torch.optim.Adam(net.parameters(), 1e-3)
lossf = torch.nn.BCEWithLogitsLoss()
for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 4096):
        idx = perm[i : i + 4096]
        opt.zero_grad()
        loss = lossf(net(X[idx]).squeeze(-1), Y[idx])
        loss.backward()
        opt.step()
    with torch.no_grad():
        print(epoch, float(lossf(net(Xv).squeeze(-1), Yv)), flush=True)
