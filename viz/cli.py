"""The ``gradstep`` command: ``gradstep demo`` shows the engine at work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd import Value, gradcheck


def engine_demo() -> None:
    """One perceptron step by hand: forward, loss, backward, and the gradients checked."""
    w, x, b = Value(0.8, label="w"), Value(1.5, label="x"), Value(-0.5, label="b")
    y = 1.0
    z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = (a - y) ** 2
    loss.label = "loss"
    print(
        "forward:  z = w*x + b =",
        f"{z.data:.4f}",
        "  a = sigmoid(z) =",
        f"{a.data:.4f}",
        "  loss = (a - y)^2 =",
        f"{loss.data:.4f}",
    )
    loss.backward()
    for v in (loss, a, z, w, b):
        print(f"  d loss / d {v.label:<4} = {v.grad: .4f}")
    ok = gradcheck(lambda w, b: ((w * x.data + b).sigmoid() - y) ** 2, [w.data, b.data])
    print("backprop agrees with finite differences:", ok)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gradstep", description="See backprop at work.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run the demo")
    args = parser.parse_args(argv)
    if args.command == "demo":
        engine_demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
