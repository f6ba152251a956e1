"""Reverse-mode differentiation: the topological walk and the chain rule.

One loop (:func:`_propagate`) does the chain rule for both ``backward()`` and ``grad()``,
with the local derivatives of each node's primitive -- on floats for first-order gradients,
through a chain step made once per op from its rule (:func:`autograd.chains.chain_step`);
with the Values themselves when ``create_graph=True`` -- so higher-order gradients use
exactly the rules of :mod:`autograd.ops`.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from .chains import chain_step, wrong_arity
from .messages import arity_error, not_a_value
from .mode import STATE, backward_anomaly, refuse_while_tracing, site_of

__all__ = ["backpropagate"]

# The nodes are Values (autograd.value imports this module, not the other way round: the
# walk and the pass need nothing of a node but its _parents, _operation, data, grad and
# _pass_grad).
Value = Any


# A pass keeps its running totals in each node's ``_pass_grad`` slot. Two threads backpropagating
# through graphs that share nodes (a model's weights) would write the same slots, so passes
# take turns. Re-entrant: a custom derivative rule may itself call grad().
_PASS_LOCK = threading.RLock()


def _toposort(root: Value, reset: bool) -> list[Value]:
    # Depth-first, parents in their order, each node emitted after all its parents: the same
    # order on every run. The walk marks nodes in their ``_pass_grad`` slots rather than in a
    # set (no hashing, no table to grow): ``slot is done`` is a quicker "seen" than ``in``.
    # With ``reset`` the final mark *is* the reset, a 0.0 the chain rule adds to. Without
    # (a view's walk, a trace) each slot's old content is put back afterwards. The slots
    # belong to one pass at a time.
    if not isinstance(getattr(root, "_parents", None), tuple):  # not a Value
        raise TypeError(not_a_value("expected a Value", root))
    with _PASS_LOCK:
        saved: dict[Value, Any] | None = None if reset else {}
        try:
            order = _walk(root, _fresh_zero(), saved)
        finally:
            _restore(saved)
    return order


def _fresh_zero() -> float:
    # A 0.0 made at run time is an object of its own (CPython keeps no cache of floats), so
    # only this walk's marks are ``is`` it -- not the shared 0.0 a new node starts with, nor
    # the marks an earlier walk (or one that stopped on an error) left behind.
    return float(0)


def _restore(saved: dict[Value, Any] | None) -> None:
    if saved:
        for node, old in saved.items():
            node._pass_grad = old
        saved.clear()


def _walk(root: Value, done: float, saved: dict[Value, Any] | None) -> list[Value]:
    """The depth-first walk from ``root``, without recursion: nodes in the order emitted.

    The stack holds nothing but nodes. A node is pushed once when the walk enters it (its
    slot then holds ``opened``), above the parents still to visit; popped again with
    ``opened`` in its slot, all its parents are done, so it is emitted and marked ``done``.
    A parent popped that is already done was reached another way meanwhile. (A node cannot
    be popped to be visited while it is opened: that would need a cycle.) From a node the
    walk goes straight down its first parent, pushing only the others.

    Why not the textbook stack of (node, iterator) pairs: each pair is an object the garbage
    collector tracks, and in a deep graph they pile up -- on a 100,000-deep chain the
    collector ran 285 times during the walk, once over the whole heap, and the walk took
    twice as long. Nodes are on the heap already; pushing them allocates nothing.
    """
    opened = _fresh_zero()
    order: list[Value] = []
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        slot = node._pass_grad
        if slot is opened:  # all its parents are done
            node._pass_grad = done
            emit(node)
            continue
        if slot is done:
            continue
        while True:  # enter node, then its first parent if that is new, and so on down
            if saved is not None:
                saved[node] = node._pass_grad
            parents = node._parents
            if not parents:  # a leaf is done as soon as it is found
                node._pass_grad = done
                emit(node)
                break
            node._pass_grad = opened
            push(node)
            # The later parents go below, the last at the bottom (two inputs, most nodes,
            # unrolled: a third off the walk).
            n = len(parents)
            if n == 2:
                parent = parents[1]
                if parent._pass_grad is not done:
                    push(parent)
            elif n > 2:
                for parent in parents[:0:-1]:
                    if parent._pass_grad is not done:
                        push(parent)
            node = parents[0]
            if node._pass_grad is done:
                break
    return order


def _propagate(
    root: Value, seed: Any, create_graph: bool = False, into_grad: bool = False
) -> list[Value]:
    """Fill ``node._pass_grad`` with d(root)/d(node) * seed for every node; return the order.

    With ``into_grad`` each node's total is also added to its ``.grad`` as soon as it is
    final -- when the walk reaches the node, every node that uses it has been processed.
    The caller holds ``_PASS_LOCK`` until it has read the slots.
    """
    if STATE.watch:
        refuse_while_tracing("backward() or grad()")
    order = _toposort(root, reset=True)
    root._pass_grad = seed
    if create_graph or STATE.anomaly:
        _chain_checked(order, create_graph, into_grad)
    else:
        _chain(order, into_grad)
    return order


def _chain(order: list[Value], into_grad: bool) -> None:
    """The chain rule over ``order``, on floats: the hot loop of every backward().

    Each node's step is its op's chain function (:func:`autograd.chains.chain_step`): made
    once per op from the op's own rule, it adds the node's gradient times each local
    derivative into the parents' slots -- micrograd's ``_backward`` closure, without a
    closure per node.
    """
    if into_grad:
        for node in reversed(order):
            g = node._pass_grad
            node.grad += g
            op = node._operation
            if op is not None:
                (op._chain or chain_step(op, node))(node, g)
    else:
        for node in reversed(order):
            op = node._operation
            if op is not None:
                (op._chain or chain_step(op, node))(node, node._pass_grad)


def _chain_checked(order: list[Value], create_graph: bool, into_grad: bool) -> None:
    """The chain rule with Values (``create_graph``) and/or checks for NaN/inf (anomaly)."""
    check = STATE.anomaly
    for node in reversed(order):
        g = node._pass_grad
        if into_grad:
            node.grad += g
        op = node._operation
        if op is None:
            continue
        parents = node._parents
        if create_graph:
            derivatives = op.derivative(*parents, node)
        else:
            derivatives = op.derivative(*[p.data for p in parents], node.data)
        if wrong_arity(node, derivatives):
            raise arity_error(node, derivatives)
        for parent, d in zip(parents, derivatives):
            if create_graph:
                contribution = _graph_product(g, d)
                if check:
                    _check_finite(node, parent, contribution)
                parent._pass_grad = _graph_sum(parent._pass_grad, contribution)
            else:
                contribution = g * d
                if check:
                    _check_finite(node, parent, contribution)
                parent._pass_grad += contribution


# With create_graph=True the gradients are themselves graphs, which a learner may draw; these
# two keep them free of no-op nodes such as ``1.0 * d`` and ``0.0 + d``.


def _graph_product(g: Any, d: Any) -> Any:
    if isinstance(g, float) and g == 1.0:
        return d
    if isinstance(d, float) and d == 1.0:
        return g
    return g * d


def _graph_sum(acc: Any, contribution: Any) -> Any:
    if isinstance(acc, float) and acc == 0.0:
        return contribution
    return acc + contribution


def _check_finite(node: Value, parent: Value, contribution: Any) -> None:
    value = getattr(contribution, "data", contribution)  # a Value's number, or the float
    if not math.isfinite(value):
        name = node._operation.name if node._operation is not None else "?"
        raise backward_anomaly(name, site_of(node), value, node._parents.index(parent), parent.data)


def backpropagate(root: Value, seed: float) -> None:
    """Add d(root)/d(node) * ``seed`` to ``node.grad`` for every node in root's graph: what
    ``root.backward()`` and ``autograd.backward(root)`` do."""
    with _PASS_LOCK:
        _propagate(root, seed, into_grad=True)
