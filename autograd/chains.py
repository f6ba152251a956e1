"""Each op's step of the chain rule, made once from the op's own rule.

micrograd gives every node a ``_backward`` closure; gradstep's node holds its op, and the op
holds one *chain step* for all its nodes: a function ``step(node, g)`` that adds
``g * d(node)/d(parent)`` into each parent's ``_pass_grad`` slot. For one of gradstep's ops of
one or two inputs whose rule is plain arithmetic, the step is generated from the rule (the
rule run once on symbolic operands, :mod:`autograd.transcribe`, as the compiler does); every
other op calls its rule (:func:`by_rule`). The same arithmetic either way, bit for bit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .messages import arity_error
from .ops import Op
from .transcribe import transcribable

__all__ = ["chain_step", "by_rule", "wrong_arity"]


def chain_step(op: Op, node: Any) -> Callable[[Any, Any], None]:
    """Make (and keep on the op) the chain-rule step for ``op``'s nodes.

    For one of gradstep's own ops of one or two inputs whose rule is plain arithmetic, the
    step is *generated* from the rule: the rule is run once on symbolic operands
    (:mod:`autograd.transcribe`, as the compiler does) and its expressions written into a
    function -- for MUL ``p0._pass_grad += g * x1; p1._pass_grad += g * x0`` with ``x0, x1``
    the inputs' data. The same arithmetic in the same order as calling the rule, without
    the call, the tuple and its unpacking. Every other op -- a rule that branches or calls a
    ``math`` function (POW, softplus), one of many inputs (Σ, dot), an op of yours -- gets
    :func:`by_rule`, which calls the rule and checks it gave one derivative per input.
    """
    step: Callable[[Any, Any], None] = by_rule
    arity = len(node._parents)
    # Σ, mean, dot and logΣexp take any number of inputs (they have a stacked array form):
    # one function per width would be code for every layer size, for little gain.
    if arity in (1, 2) and op.vstacked is None:
        exprs = transcribable(op, arity)
        if exprs is not None:
            step = _generated_step(op, exprs)
    object.__setattr__(op, "_chain", step)  # Op is frozen; this field is a cache
    return step


def _generated_step(op: Op, exprs: list[str]) -> Callable[[Any, Any], None]:
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


def by_rule(node: Any, g: Any) -> None:
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
        if wrong_arity(node, derivatives):
            raise arity_error(node, derivatives)
        for parent, d in zip(parents, derivatives):
            parent._pass_grad += g * d


def _reraise(node: Any, derivatives: Any) -> None:
    """After a rule's result failed to unpack: name the op if it gave the wrong count, else
    let the original error through (called inside the ``except`` block)."""
    if wrong_arity(node, derivatives):
        raise arity_error(node, derivatives) from None
    raise  # the exception the caller is handling


def wrong_arity(node: Any, derivatives: Any) -> bool:
    """Whether a rule's result is not one derivative per input (checked for every node: a
    tuple's length costs next to nothing, and a custom rule gets it wrong silently)."""
    try:
        return len(derivatives) != len(node._parents)
    except TypeError:  # not a sequence at all (a bare float, say)
        return True
