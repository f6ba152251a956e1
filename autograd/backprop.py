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

__all__ = ["backpropagate", "SHALLOW"]

# The nodes are Values (autograd.value imports this module, not the other way round: the
# walk and the pass need nothing of a node but its _parents, _operation, data, grad and
# _pass_grad).
Value = Any


# A pass keeps its running totals in each node's ``_pass_grad`` slot. Two threads backpropagating
# through graphs that share nodes (a model's weights) would write the same slots, so passes
# take turns. Re-entrant: a custom derivative rule may itself call grad().
_PASS_LOCK = threading.RLock()


#: Below this depth the walk keeps (node, iterator) pairs on its stack: the quickest way in
#: Python. Deeper, those pairs live long enough to reach the collector's old generations and
#: set off full collections over the whole graph, so the walk switches to parallel lists of
#: nodes, parent tuples and plain int positions, which the collector does not track.
SHALLOW = 1000


def _toposort(root: Value, reset: bool) -> list[Value]:
    # Depth-first, parents in their order, each node emitted after all its parents: the same
    # order on every run. A found node is marked by putting this walk's own zero in its
    # ``_pass_grad`` slot: ``slot is not mark`` is a quicker "not seen yet" than a set (no
    # hashing, no table to grow; 20-25% of the walk), and with ``reset`` the mark *is* the
    # reset, a 0.0 the chain rule adds to. Without ``reset`` (a view's walk, a trace) each
    # slot's old content is put back afterwards. The slots belong to one pass at a time.
    if not isinstance(getattr(root, "_parents", None), tuple):  # not a Value
        raise TypeError(not_a_value("expected a Value", root))
    with _PASS_LOCK:
        saved: dict[Value, Any] | None = None if reset else {}
        try:
            order = _walk_shallow(root, _fresh_zero(), saved)
            if order is None:  # deeper than SHALLOW: start again, with a new mark
                _restore(saved)
                order = _walk_deep(root, _fresh_zero(), saved)
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


def _walk_shallow(root: Value, mark: float, saved: dict[Value, Any] | None) -> list[Value] | None:
    """The walk with (node, iterator) pairs; None as soon as the graph is deeper than SHALLOW."""
    order: list[Value] = []
    if saved is not None:
        saved[root] = root._pass_grad
    root._pass_grad = mark
    stack = [(root, iter(root._parents))]
    push, pop, append = stack.append, stack.pop, order.append
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent._pass_grad is not mark:
                if saved is not None:
                    saved[parent] = parent._pass_grad
                parent._pass_grad = mark
                grandparents = parent._parents
                if grandparents:
                    if len(stack) >= SHALLOW:
                        return None
                    push((parent, iter(grandparents)))
                    break
                append(parent)  # a leaf is finished as soon as it is found
        else:  # every parent is done: the node can be emitted
            pop()
            append(node)
    return order


def _walk_deep(root: Value, mark: float, saved: dict[Value, Any] | None) -> list[Value]:
    """The same walk, same order, with a stack that allocates no collector-tracked objects."""
    order: list[Value] = []
    if saved is not None:
        saved[root] = root._pass_grad
    root._pass_grad = mark
    nodes, tuples, where = [root], [root._parents], [0]
    append = order.append
    push_node, push_tuple, push_where = nodes.append, tuples.append, where.append
    pop_node, pop_tuple, pop_where = nodes.pop, tuples.pop, where.pop
    while nodes:
        parents = tuples[-1]
        i = where[-1]
        n = len(parents)
        while i < n:
            parent = parents[i]
            i += 1
            if parent._pass_grad is not mark:
                if saved is not None:
                    saved[parent] = parent._pass_grad
                parent._pass_grad = mark
                grandparents = parent._parents
                if grandparents:
                    where[-1] = i
                    push_node(parent)
                    push_tuple(grandparents)
                    push_where(0)
                    break
                append(parent)
        else:
            append(pop_node())
            pop_tuple()
            pop_where()
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
