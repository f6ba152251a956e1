"""How close gradstep and PyTorch come on the same network: the worst gradient difference.

Run by hand (never by CI):  pip install -e ".[torch]" && python benchmarks/bench_torch_bridge.py

For each loss (MSE, BCE with logits, cross-entropy) it builds many random MLPs -- 1 to 4
inputs, up to two hidden layers of 1 to 8, a random activation per layer, uniform biases --
and a random batch, computes every parameter's gradient in gradstep (backward()) and in
PyTorch (float64, the exported network, torch's own loss), and prints the largest absolute
difference over all of them. Then one SGD step in torch, brought back with from_torch,
against gradstep's own SGD step; and the chapter-10 network on its 100 moons points.
"""

from __future__ import annotations

import argparse
import random

import torch

import nn
from nn import MLP, SGD, from_torch, to_torch

ACTS = ["tanh", "relu", "sigmoid", "linear"]
F = torch.nn.functional


def random_problem(rng: random.Random, loss: str):
    nin = rng.randint(1, 4)
    hidden = [rng.randint(1, 8) for _ in range(rng.randint(0, 2))]
    k = rng.randint(2, 5) if loss == "cross_entropy" else 1
    model = MLP(
        nin, [*hidden, k], activation=[rng.choice(ACTS) for _ in hidden],
        seed=rng.randrange(10**6), bias="uniform",
    )  # fmt: skip
    m = rng.randint(1, 16)
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(m)]
    if loss == "mse":
        y = [rng.uniform(-2, 2) for _ in range(m)]
    elif loss == "bce_with_logits":
        y = [float(rng.random() < 0.5) for _ in range(m)]
    else:
        y = [rng.randrange(k) for _ in range(m)]
    return model, X, y


def costs(model, net, X, y, loss: str):
    preds = [model(x) for x in X]
    out = net(torch.tensor(X, dtype=torch.float64))
    if loss == "mse":
        return nn.mse(preds, y), F.mse_loss(out.squeeze(1), torch.tensor(y, dtype=torch.float64))
    if loss == "bce_with_logits":
        t = torch.tensor(y, dtype=torch.float64)
        return nn.bce_with_logits(preds, y), F.binary_cross_entropy_with_logits(out.squeeze(1), t)
    return nn.cross_entropy(preds, y), F.cross_entropy(out, torch.tensor(y))


def torch_grads(net) -> list[float]:
    """torch's gradients in gradstep's parameter order (per neuron: its weights, its bias)."""
    grads = []
    for linear in (m for m in net if isinstance(m, torch.nn.Linear)):
        for j in range(linear.out_features):
            grads += [*linear.weight.grad[j].tolist(), linear.bias.grad[j].item()]
    return grads


def gradient_gap(model, X, y, loss: str) -> float:
    net = to_torch(model)
    ours, theirs = costs(model, net, X, y, loss)
    model.zero_grad()
    ours.backward()
    theirs.backward()
    return max(abs(p.grad - g) for p, g in zip(model.parameters(), torch_grads(net)))


def sgd_gap(model, X, y, lr: float) -> float:
    net = to_torch(model)
    ours, theirs = costs(model, net, X, y, "bce_with_logits")
    model.zero_grad()
    ours.backward()
    SGD(model.parameters(), lr=lr).step()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    theirs.backward()
    opt.step()
    back = from_torch(net)
    return max(abs(a.data - b.data) for a, b in zip(model.parameters(), back.parameters()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500, help="random problems per loss")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for loss in ("mse", "bce_with_logits", "cross_entropy"):
        gap = max(gradient_gap(*random_problem(rng, loss), loss) for _ in range(args.cases))
        print(f"{loss:>16}: worst |dJ/dp gradstep - torch| over {args.cases} networks: {gap:.2e}")
    worst_step = 0.0
    for _ in range(args.cases):
        model, X, y = random_problem(rng, "bce_with_logits")
        worst_step = max(worst_step, sgd_gap(model, X, y, lr=0.5))
    print(f"{'SGD step':>16}: worst |p gradstep - p torch| after one step (lr=0.5): "
          f"{worst_step:.2e}")  # fmt: skip
    X, y = nn.data.moons(100, noise=0.1, seed=0)
    chapter = gradient_gap(MLP(2, [16, 16, 1], seed=0), X, y, "bce_with_logits")
    print(f"{'chapter 10':>16}: MLP(2, [16, 16, 1]) on moons(100), BCE with logits: {chapter:.2e}")


if __name__ == "__main__":
    main()
