"""The Python backend for traces too long to write out as code: the trace replayed as a tape.

Generated code (:mod:`autograd.compiler.codegen`) is the fastest Python replay, but compiling a
function of hundreds of thousands of lines costs gigabytes for a moment. A long trace is
replayed instead by a small loop over a *tape* -- per operation its rule and the positions
of its inputs -- with the numbers in a plain list. It calls the very rules of
:mod:`autograd.ops` in the order the generated code would run them (the eager engine's), so
the results are the same, bit for bit, at a few hundred bytes per node.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any

from ..value import to_float
from .trace import Trace

__all__ = ["Tape"]


def _checked(forward: Callable[..., Any]) -> Callable[..., float]:
    """A forward rule of yours, its result checked as ``apply()`` checks it."""
    return lambda *args: to_float(forward(*args))


class Tape:
    """``run(X, P)`` and ``grad(X, P, seed, GP)`` as
    :class:`~autograd.compiler.codegen.PythonProgram` has them, interpreted. ``anomaly``
    names the helpers that raise ``detect_anomaly()``'s errors and a rule's wrong arity (the
    generated code calls the same ones)."""

    def __init__(self, trace: Trace, ours: Callable[[Any], bool], anomaly: Any) -> None:
        index = {node: i for i, node in enumerate(trace.order)}
        self.size = len(trace.order)
        self.anomaly = anomaly
        self.inputs = [index[v] for v in trace.inputs]
        self.params = [index[v] for v in trace.params]
        self.constants = [(index[c], x) for c, x in zip(trace.constants, trace.constant_values)]
        self.outputs = [index[v] for v in trace.outputs]
        self.forward: list[tuple[int, Callable[..., Any], tuple[int, ...]]] = []
        for node in trace.operations:
            op = node._operation
            assert op is not None
            rule = op.forward if ours(op) else _checked(op.forward)
            self.forward.append((index[node], rule, tuple(index[p] for p in node._parents)))
        constants = set(trace.constants)
        # The chain rule from the first output, in the eager engine's order.
        self.backward = [
            (index[node], node._operation.derivative, tuple(index[p] for p in node._parents))
            for node in reversed(trace.backward)
            if node._operation is not None and node not in constants
        ]
        root = trace.outputs[0]
        self.root = index[root]
        self.root_is = (
            "param" if root in set(trace.params) else "constant" if root in constants else ""
        )

    def program(self, backward: bool, checked: bool) -> Callable[..., Any]:
        """``grad`` (forward and backward) or ``run`` (forward only); with ``checked``, the
        checks of ``detect_anomaly()``."""

        def run(X: Any, P: Any) -> tuple[float, ...]:
            V = self._forward(X, P, checked)
            return tuple(V[i] for i in self.outputs)

        def grad(X: Any, P: Any, seed: float, GP: Any) -> tuple[Any, Any, Any]:
            V = self._forward(X, P, checked)
            G = self._backward(V, seed, GP, checked)
            return (
                tuple(V[i] for i in self.outputs),
                tuple(G[i] for i in self.params),
                tuple(G[i] for i in self.inputs),
            )

        function: Any = grad if backward else run
        function.source = (
            f"# {self.size} nodes: too long a trace to write out as code; replayed by "
            "autograd.compiler.tape,\n# node by node, with the same rules in the same order "
            "(bit for bit)\n"
        )
        return function

    def _forward(self, X: Any, P: Any, checked: bool) -> list[Any]:
        V: list[Any] = [0.0] * self.size
        for i, x in zip(self.inputs, X):
            V[i] = x
        for i, p in zip(self.params, P):
            V[i] = p
        for i, c in self.constants:
            V[i] = c
        for k, rule, parents in self.forward:
            args = [V[j] for j in parents]
            out = V[k] = rule(*args)
            if checked and not isfinite(out):
                self.anomaly._forward_anomaly(k, out, tuple(args))
        return V

    def _backward(self, V: list[Any], seed: float, GP: Any, checked: bool) -> list[float]:
        G = [0.0] * self.size
        for i, g in zip(self.params, GP):  # the parameters' gradients go on from GP
            G[i] = g
        if self.root_is == "param":
            G[self.root] += seed
        elif self.root_is != "constant":
            G[self.root] = seed
        for k, rule, parents in self.backward:
            g = G[k]
            derivatives = rule(*[V[j] for j in parents], V[k])
            if len(derivatives) != len(parents):
                self.anomaly._arity(k, derivatives)
            for j, d in zip(parents, derivatives):
                contribution = g * d
                if checked and not isfinite(contribution):  # input # as eager numbers it
                    self.anomaly._backward_anomaly(k, parents.index(j), contribution, V[j])
                G[j] += contribution  # (a constant's share too: nobody reads it)
        return G
