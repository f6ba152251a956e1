"""gradstep's engine against karpathy's micrograd, in the same run, on the same code.

Run by hand (never by CI):  pip install -e ".[bench]" && python benchmarks/bench_engine.py

It prints medians and ratios (micrograd time / gradstep time, so > 1 means gradstep is
faster); the engines take turns, repeat by repeat. The machine is shared and noisy: trust
ratios from one run, not absolute seconds, and run it twice before believing one.
The garbage collector stays on, as users have it.
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import micrograd.engine

import autograd

ENGINES: dict[str, type] = {"gradstep": autograd.Value, "micrograd": micrograd.engine.Value}


def mixed_graph(V: type, n_ops: int) -> Any:
    """About ``n_ops`` operations of + * - / ** relu, with shared inputs (diamonds).

    The graph is wide rather than deep (blocks of 100 operations summed pairwise), because
    micrograd's recursive topological sort cannot go past ~1,000 levels.
    """
    xs = [V(0.1 * i - 0.35) for i in range(8)]
    blocks = []
    for b in range(n_ops // 100):
        acc = xs[b % 8]
        for i in range(10):  # 10 operations per step
            x = xs[(b + i) % 8]
            t = (acc * x + 0.5).relu()  # mul, add, relu
            acc = t - x**2 / 3.0 + acc * 0.25  # pow, div (2 ops), sub (1), mul, add, ...
        blocks.append(acc)
    while len(blocks) > 1:  # pairwise reduction keeps the depth logarithmic
        blocks = [a + b for a, b in zip(blocks[::2], blocks[1::2])] + blocks[len(blocks) // 2 * 2 :]
    return blocks[0]


def chain(V: type, depth: int) -> Any:
    x = V(0.5)
    y = x
    for _ in range(depth):
        y = y * 0.999999 + 0.0000001
    return y


def count_nodes(root: Any) -> int:
    """Nodes reachable from root, for either engine (iterative, so any depth works)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        kids = node._parents if hasattr(node, "_parents") else node._prev
        for k in kids:
            if id(k) not in seen:
                seen.add(id(k))
                stack.append(k)
    return len(seen)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def forward_backward(
    engine: str, build: Callable[[type], Any], repeats: int, collect: bool = True
) -> dict[str, float]:
    """Medians of building and backpropagating ``build``'s graph. With ``collect``, each
    repeat starts from a collected heap; without, garbage is left to the collector, as in a
    training loop."""
    return alternating(build, repeats, collect, (engine,))[engine]


def alternating(
    build: Callable[[type], Any],
    repeats: int,
    collect: bool = True,
    engines: tuple[str, ...] = tuple(ENGINES),
) -> dict[str, dict[str, float]]:
    """:func:`forward_backward` for several engines, taking turns repeat by repeat, so a
    burst of load on the shared machine falls on both rather than on one engine's runs."""
    times: dict[str, dict[str, list[float]]] = {e: {"forward": [], "backward": []} for e in engines}
    for _ in range(repeats):
        for engine in engines:
            V = ENGINES[engine]
            t_f, root = timed(functools.partial(build, V))
            t_b, _ = timed(root.backward)
            times[engine]["forward"].append(t_f)
            times[engine]["backward"].append(t_b)
            del root
            if collect:
                gc.collect()  # start every repeat from the same heap, outside the timed region
    return {
        e: {phase: statistics.median(ts) for phase, ts in phases.items()}
        for e, phases in times.items()
    }


def bytes_per_node(engine: str, build: Callable[[type], Any]) -> float:
    V = ENGINES[engine]
    gc.collect()
    tracemalloc.start()
    root = build(V)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size / count_nodes(root)


def micrograd_deep_chain(depth: int) -> str:
    """Run micrograd's backward on a deep chain in a child process (it may crash outright)."""
    code = (
        "from micrograd.engine import Value\n"
        f"y = x = Value(0.5)\nfor _ in range({depth}): y = y * 0.999999 + 0.0000001\n"
        "try:\n    y.backward(); print('ok')\n"
        "except RecursionError as e:\n    print('RecursionError')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return proc.stdout.strip() or f"crashed (exit {proc.returncode})"


def deep_chain_both(ops: int, repeats: int) -> dict[tuple[str, bool], float]:
    """Backward of an ``ops``-deep chain in both engines, micrograd's recursion allowed
    (a raised recursion limit, in a thread with a stack big enough for it): from a collected
    heap, and as in a loop."""
    results: dict[tuple[str, bool], float] = {}

    def run() -> None:
        for collect in (True, False):
            times = alternating(lambda V: chain(V, ops // 2), repeats, collect)
            for name in ENGINES:
                results[name, collect] = times[name]["backward"]
            gc.collect()

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * ops))
    threading.stack_size(1024 * 1024 * 1024)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(0)
        sys.setrecursionlimit(limit)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200_000, help="mixed operations (default 200k)")
    parser.add_argument("--depth", type=int, default=1_000_000, help="deep chain length")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; medians are reported")
    args = parser.parse_args()

    print(
        f"Python {sys.version.split()[0]}, gc enabled: {gc.isenabled()}, "
        f"{args.repeats} repeats, medians\n"
    )

    def mixed(V: type) -> Any:
        return mixed_graph(V, args.ops)

    results = alternating(mixed, args.repeats)  # same process, taking turns
    nodes = count_nodes(mixed_graph(autograd.Value, args.ops))
    print(f"{args.ops:,} mixed ops ({nodes:,} graph nodes in gradstep):")
    for phase in ("forward", "backward"):
        g, m = results["gradstep"][phase], results["micrograd"][phase]
        print(
            f"  {phase:8s}  gradstep {g * 1e3:8.1f} ms   micrograd {m * 1e3:8.1f} ms   "
            f"gradstep is {m / g:5.2f}x faster"
        )
    mem = {name: bytes_per_node(name, mixed) for name in ENGINES}
    print(
        f"  memory    gradstep {mem['gradstep']:6.0f} B/node   micrograd "
        f"{mem['micrograd']:6.0f} B/node   ({mem['micrograd'] / mem['gradstep']:.1f}x less)"
    )

    print(f"\nchain of {args.depth:,} operations (x*c + c, repeated):")
    deep = forward_backward(
        "gradstep", lambda V: chain(V, args.depth // 2), max(1, args.repeats // 2)
    )
    print(
        f"  gradstep  forward {deep['forward']:.2f} s, backward {deep['backward']:.2f} s "
        f"at the default recursion limit ({sys.getrecursionlimit()})"
    )
    print(f"  micrograd backward: {micrograd_deep_chain(args.depth // 2)}")
    deep_both = deep_chain_both(100_000, args.repeats)
    print("  chain of 100,000 with micrograd's recursion limit raised, backward:")
    for collect, how in ((True, "from a collected heap"), (False, "in a loop, no gc.collect()")):
        g, m = deep_both["gradstep", collect], deep_both["micrograd", collect]
        print(
            f"    {how:27s} gradstep {g * 1e3:5.0f} ms, micrograd {m * 1e3:5.0f} ms, "
            f"gradstep is {m / g:5.2f}x faster"
        )
    shallow = alternating(lambda V: chain(V, 400), 51)
    for phase in ("forward", "backward"):
        g, m = shallow["gradstep"][phase], shallow["micrograd"][phase]
        print(
            f"  chain of 800 (what micrograd can do), {phase:8s}: gradstep is {m / g:5.2f}x faster"
        )


if __name__ == "__main__":
    main()
