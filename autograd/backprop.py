"""Reverse-mode differentiation: the topological walk and the chain rule.

One loop (:func:`_propagate`) does the chain rule for both ``backward()`` and ``grad()``,
with the local derivatives of each node's primitive -- on floats for first-order gradients,
through a chain step made once per op from its rule (:func:`_chain_step`); with the Values
themselves when ``create_graph=True`` -- so higher-order gradients use exactly the rules of
:mod:`autograd.ops`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .messages import not_a_value
from .mode import STATE, backward_anomaly, refuse_while_tracing, site_of
from .ops import Op
from .transcribe import transcribable
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
    if not isinstance(root, Value):
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

    Each node's step is its op's chain function (:func:`_chain_step`): made once per op
    from the op's own rule, it adds the node's gradient times each local derivative into
    the parents' slots -- micrograd's ``_backward`` closure, without a closure per node.
    """
    if into_grad:
        for node in reversed(order):
            g = node._pass_grad
            node.grad += g
            op = node._operation
            if op is not None:
                (op._chain or _chain_step(op, node))(node, g)
    else:
        for node in reversed(order):
            op = node._operation
            if op is not None:
                (op._chain or _chain_step(op, node))(node, node._pass_grad)


def _chain_step(op: Op, node: Value) -> Callable[[Value, Any], None]:
    """Make (and keep on the op) the chain-rule step for ``op``'s nodes.

    For one of gradstep's own ops of one or two inputs whose rule is plain arithmetic, the
    step is *generated* from the rule: the rule is run once on symbolic operands
    (:mod:`autograd.transcribe`, as the compiler does) and its expressions written into a
    function -- for MUL ``p0._pass_grad += g * x1; p1._pass_grad += g * x0`` with ``x0, x1``
    the inputs' data. The same arithmetic in the same order as calling the rule, without
    the call, the tuple and its unpacking. Every other op -- a rule that branches or calls a
    ``math`` function (POW, softplus), one of many inputs (Σ, dot), an op of yours -- gets
    :func:`_by_rule`, which calls the rule and checks it gave one derivative per input.
    """
    step: Callable[[Value, Any], None] = _by_rule
    arity = len(node._parents)
    # Σ, mean, dot and logΣexp take any number of inputs (they have a stacked array form):
    # one function per width would be code for every layer size, for little gain.
    if arity in (1, 2) and op.vstacked is None:
        exprs = transcribable(op, arity)
        if exprs is not None:
            step = _generated_step(op, exprs)
    object.__setattr__(op, "_chain", step)  # Op is frozen; this field is a cache
    return step


def _generated_step(op: Op, exprs: list[str]) -> Callable[[Value, Any], None]:
    """The source of ``op``'s chain step from its rule's transcribed ``exprs``, compiled."""
    n = len(exprs)
    text = " ".join(exprs)
    names = [*(f"x{i}" for i in range(n)), "out"]
    used = [name for name in names if re.search(rf"\b{name}\b", text)]  # data read only if used
    lines = [f"def chain_{re.sub(r'[^0-9a-zA-Z]', '_', op.name)}(node, g):"]
    lines.append(f"    {''.join(f'p{i}, ' for i in range(n))}= node._parents")
    for name in used:
        source = "node" if name == "out" else f"p{name[1:]}"
        lines.append(f"    {name} = {source}.data")
    for i, expr in enumerate(exprs):
        # g * 1.0 is g, bit for bit, for every float (NaN and -0.0 included): skip the multiply.
        contribution = "g" if expr == "1.0" else f"g * {expr}"
        lines.append(f"    p{i}._pass_grad += {contribution}")
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {"INF": math.inf, "NAN": math.nan}
    exec(compile(source, f"<chain step of {op.name}>", "exec"), namespace)
    step = namespace[lines[0][4 : lines[0].index("(")]]
    step.source = source  # what was generated, for the curious (and the tests)
    return step


def _by_rule(node: Value, g: Any) -> None:
    """A node's chain-rule step by calling its op's rule on the data (any op, any arity)."""
    op = node._operation
    assert op is not None
    parents = node._parents
    n = len(parents)
    # One and two inputs unrolled (most nodes): the same rule, without a generic loop.
    if n == 2:
        a, b = parents
        try:
            da, db = op.derivative(a.data, b.data, node.data)
        except (TypeError, ValueError):
            _reraise(node, op.derivative(a.data, b.data, node.data))
        a._pass_grad += g * da
        b._pass_grad += g * db
    elif n == 1:
        (a,) = parents
        try:
            (da,) = op.derivative(a.data, node.data)
        except (TypeError, ValueError):
            _reraise(node, op.derivative(a.data, node.data))
        a._pass_grad += g * da
    else:
        derivatives = op.derivative(*[p.data for p in parents], node.data)
        if _wrong_arity(node, derivatives):
            raise _arity_error(node, derivatives)
        for parent, d in zip(parents, derivatives):
            parent._pass_grad += g * d


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
        if _wrong_arity(node, derivatives):
            raise _arity_error(node, derivatives)
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


def _reraise(node: Value, derivatives: Any) -> None:
    """After a rule's result failed to unpack: name the op if it gave the wrong count, else
    let the original error through (called inside the ``except`` block)."""
    if _wrong_arity(node, derivatives):
        raise _arity_error(node, derivatives) from None
    raise  # the exception the caller is handling


def _wrong_arity(node: Value, derivatives: Any) -> bool:
    """Whether a rule's result is not one derivative per input (checked for every node: a
    tuple's length costs next to nothing, and a custom rule gets it wrong silently)."""
    try:
        return len(derivatives) != len(node._parents)
    except TypeError:  # not a sequence at all (a bare float, say)
        return True


def _arity_error(node: Value, derivatives: Any) -> ValueError:
    op = node._operation
    n = len(node._parents)
    try:
        got = f"{len(derivatives)} derivative{'s' if len(derivatives) != 1 else ''}"
    except TypeError:
        got = f"{type(derivatives).__name__} {derivatives!r}"
    name = op.name if op is not None else "?"
    return ValueError(
        f"the derivative rule of {name!r} returned {got} for {n} input"
        f"{'s' if n != 1 else ''}: it must return a tuple with one local derivative per "
        f"input, in order"
    )


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
    value = contribution.data if isinstance(contribution, Value) else contribution
    if not math.isfinite(value):
        name = node._operation.name if node._operation is not None else "?"
        raise backward_anomaly(name, site_of(node), value, node._parents.index(parent), parent.data)


def backward(root: Value, grad: Number = 1.0) -> None:
    """Add d(root)/d(node) * ``grad`` to ``node.grad`` for every node in root's graph.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> backward(x * x * x)
    >>> x.grad
    12.0
    """
    seed = to_float(grad)
    with _PASS_LOCK:
        _propagate(root, seed, into_grad=True)


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
