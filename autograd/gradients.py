"""The gradient functions: ``backward``, ``grad``, ``zero_grad`` and ``topological_order``.

What the engine's reverse pass (:mod:`autograd.backprop`) does, as functions of Values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .backprop import _PASS_LOCK, _propagate, _toposort, backpropagate
from .value import Number, Value, to_float

__all__ = ["topological_order", "backward", "grad", "zero_grad"]


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs before the operations that use them.

    The walk is an iterative depth-first search (no recursion limit, any depth) that visits
    parents in their order, so the result is the same on every run. ``root`` comes last.

    >>> from autograd import Value
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> c = a * b
    >>> [v.label or v.op.symbol for v in topological_order(c)]
    ['a', 'b', '*']
    """
    return _toposort(root, reset=False)


def backward(root: Value, grad: Number = 1.0) -> None:
    """Add d(root)/d(node) * ``grad`` to ``node.grad`` for every node in root's graph.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> backward(x * x * x)
    >>> x.grad
    12.0
    """
    backpropagate(root, to_float(grad))


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> list[Any]:
    """The gradients of ``output`` with respect to ``inputs``, leaving every ``.grad`` alone.

    Returns a list with one entry per input: floats, or -- with ``create_graph=True`` --
    Values that carry their own graph, so they can be differentiated again. An input that
    ``output`` does not depend on gets 0.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> y = x ** 3
    >>> (dy,) = grad(y, [x], create_graph=True)     # 3x**2 = 12
    >>> (d2y,) = grad(dy, [x], create_graph=True)   # 6x = 12
    >>> (d3y,) = grad(d2y, [x])                     # 6
    >>> dy.data, d2y.data, d3y
    (12.0, 12.0, 6.0)
    """
    if isinstance(inputs, Value):
        inputs = [inputs]
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad() inputs must be Values; input #{i} is {type(x).__name__}")
    with _PASS_LOCK:
        order = _propagate(output, 1.0, create_graph)
        reached = set(order)
        result: list[Any] = []
        for x in inputs:
            g = x._pass_grad if x in reached else 0.0
            if create_graph and not isinstance(g, Value):
                g = Value(g)
            result.append(g)
        if create_graph:
            # Drop the Values held in the scratch slots: a gradient graph refers back to the
            # nodes, and leaving it there would make cycles that only the collector could free.
            for node in order:
                node._pass_grad = 0.0
    return result


def zero_grad(*roots: Value) -> None:
    """Set ``grad`` to 0 on every node of the graphs ending at ``roots``.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> y = x * x
    >>> y.backward(); y.backward()   # gradients accumulate: 4 + 4
    >>> x.grad
    8.0
    >>> zero_grad(y)
    >>> x.grad
    0.0
    """
    for root in roots:
        for node in topological_order(root):
            node.grad = 0.0
