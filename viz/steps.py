"""Backprop replayed one chain-rule step at a time, exactly as the engine does it.

:func:`backward_steps` walks the nodes in the engine's order (``reversed(topological_order)``),
asks each node's primitive for its local derivatives with the same call ``backward()`` uses,
and accumulates into its own dictionary in the same order -- so every number it shows is
bit-for-bit the number the engine computes, and the graph (``.grad`` included) is untouched.

>>> from autograd import Value
>>> from viz.steps import explain
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> print(explain(c))
Forward pass
  c = a * b = 2.0000 * -3.0000 = -6.0000
Backward pass
  dc/dc = 1.0000  (the seed: the output's gradient with respect to itself)
  dc/da += dc/dc (from above) * dc/da (local) = 1.0000 * -3.0000 = -3.0000  (a.grad: 0 -> -3.0000)
  dc/db += dc/dc (from above) * dc/db (local) = 1.0000 * 2.0000 = 2.0000  (b.grad: 0 -> 2.0000)

Every derivative is of the output by its own name (``c`` here; ``J`` for a cost); in each line
the gradient arriving *from above* (``dc/dc``, already known) is told apart from the *local*
derivative of one operation (``dc/da``, from its rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from autograd import Value, ops, topological_order

from .display import Text
from .names import names as _name_nodes
from .tree import format_number

__all__ = [
    "BackwardStep", "ForwardStep", "backward_steps", "forward_steps", "explain", "seed_line"
]  # fmt: skip

#: Longest list of terms a Σ / mean line shows before eliding the middle with ``…``.
MAX_TERMS = 6

_INFIX = {"add", "mul", "div", "pow"}


def _num(x: float) -> str:
    # A gradient that has received nothing yet reads as a plain 0, the way a teacher writes it.
    return "0" if x == 0 and not str(x).startswith("-") else format_number(x)


@dataclass(frozen=True)
class BackwardStep:
    """One edge of the backward pass: ``parent`` receives ``upstream * local`` from ``node``.

    ``upstream`` is dL/d(node) -- the gradient arriving from above, already complete --,
    ``local`` is d(node)/d(parent) from the node's own rule, and ``before``/``after`` are the
    parent's gradient in this pass around the addition. ``L`` is the output's name
    (``output_name``): the same in every line, the seed's included.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> steps = list(backward_steps(x * x))
    >>> [(s.parent_index, s.before, s.after) for s in steps]
    [(0, 0.0, 3.0), (1, 3.0, 6.0)]
    >>> print(steps[1])
    dL/dx += dL/dL (from above) * dL/dx (local) = 1.0000 * 3.0000 = 3.0000
    (x.grad: 3.0000 -> 6.0000)
    >>> steps[1].symbols()
    ('dL/dx', 'dL/dL', 'dL/dx')
    >>> steps[1].symbols("∂")
    ('∂L/∂x', '∂L/∂L', '∂L/∂x')
    """

    node: Value
    parent: Value
    parent_index: int
    upstream: float
    local: float
    product: float
    before: float
    after: float
    node_name: str = field(default="", compare=False)
    parent_name: str = field(default="", compare=False)
    output_name: str = field(default="L", compare=False)

    def symbols(self, d: str = "d") -> tuple[str, str, str]:
        """The three derivatives of the line, written with ``d`` (``"∂"`` in the stepper):
        the one receiving (d out/d parent), the one from above (d out/d node), the local one
        (d node/d parent)."""
        out, n, p = self.output_name, self.node_name or "node", self.parent_name or "parent"
        return f"{d}{out}/{d}{p}", f"{d}{out}/{d}{n}", f"{d}{n}/{d}{p}"

    def __str__(self) -> str:
        target, upstream, local = self.symbols()
        p = self.parent_name or "parent"
        return (
            f"{target} += {upstream} (from above) * {local} (local) = {_num(self.upstream)} * "
            f"{_num(self.local)} = {_num(self.product)}  "
            f"({p}.grad: {_num(self.before)} -> {_num(self.after)})"
        )


def backward_steps(
    root: Value, output_name: str = "L", constants: bool = False, names: str = "article"
) -> Iterator[BackwardStep]:
    """Yield one :class:`BackwardStep` per edge, in the order ``root.backward()`` visits them.

    Nothing in the graph is modified. The last ``after`` for each node is exactly (``==``) the
    gradient ``backward()`` would add to its ``.grad``. The derivatives are of the output by
    its own name (``dJ/d…`` for a cost labelled ``J``); ``output_name`` names an unlabelled
    output (``L``). Edges into a :class:`~autograd.Constant` (the ``1`` in
    ``a - 1``) are left out unless ``constants=True``: nothing learns from them.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> for step in backward_steps(c):
    ...     print(step)
    dc/da += dc/dc (from above) * dc/da (local) = 1.0000 * -3.0000 = -3.0000  (a.grad: 0 -> -3.0000)
    dc/db += dc/dc (from above) * dc/db (local) = 1.0000 * 2.0000 = 2.0000  (b.grad: 0 -> 2.0000)
    >>> a.grad, b.grad   # untouched
    (0.0, 0.0)
    """
    order = topological_order(root)
    name = _name_nodes(root, output_name, order, names)
    # The engine's per-pass accumulators, kept here instead of in the nodes' scratch slots.
    acc: dict[Value, float] = dict.fromkeys(order, 0.0)
    acc[root] = 1.0
    for node in reversed(order):
        op = node.op
        if op is None:
            continue
        parents = node.parents
        upstream = acc[node]
        locals_ = op.derivative(*[p.data for p in parents], node.data)
        for i, (parent, local) in enumerate(zip(parents, locals_)):
            product = upstream * local
            before = acc[parent]
            after = before + product
            acc[parent] = after
            if parent.is_constant and not constants:
                continue
            yield BackwardStep(
                node, parent, i, upstream, local, product, before, after,
                name[node], name[parent], name[root],
            )  # fmt: skip


@dataclass(frozen=True)
class ForwardStep:
    """How one operation node got its value: ``name = symbolic = numeric = value``.

    >>> from autograd import Value
    >>> z = Value(0.7, label="z")
    >>> A = z.sigmoid()
    >>> A.label = "A"
    >>> print(next(forward_steps(A)))
    A = sigmoid(z) = sigmoid(0.7000) = 0.6682
    """

    node: Value
    name: str
    symbolic: str
    numeric: str

    @property
    def value(self) -> float:
        """The node's data: the result of this step."""
        return self.node.data

    def __str__(self) -> str:
        return f"{self.name} = {self.symbolic} = {self.numeric} = {format_number(self.value)}"


def _elide(terms: list[str]) -> list[str]:
    if len(terms) <= MAX_TERMS:
        return terms
    keep = MAX_TERMS // 2
    return [*terms[:keep], "…", *terms[-keep:]]


def _render(op: ops.Op, args: list[str], numeric: bool) -> str:
    """The expression ``op`` applied to ``args`` (names, or formatted numbers if ``numeric``)."""
    if op.name in _INFIX and len(args) == 2:
        return f"{args[0]} {op.symbol} {args[1]}"
    if op.name == "neg" and len(args) == 1:
        return f"-({args[0]})" if numeric else f"-{args[0]}"
    if op.symbol.startswith("**") and len(args) == 1:  # ops.power(n): x**n
        base = f"({args[0]})" if args[0].startswith("-") else args[0]  # -2**2 would read as -4
        return f"{base}{op.symbol}"
    if op.name == "sum":
        return " + ".join(_elide(args))
    if op.name == "dot":
        n = len(args) // 2
        terms = [f"{w}·{x}" for w, x in zip(args[:n], args[n : 2 * n])]
        return "Σ " + " + ".join(_elide(terms + args[2 * n :]))
    return f"{op.name}({', '.join(_elide(args))})"


def forward_steps(
    root: Value, output_name: str = "L", names: str = "article"
) -> Iterator[ForwardStep]:
    """Yield one :class:`ForwardStep` per operation node, inputs before the ops using them.

    Names are those of :mod:`viz.names` (your variables' too: ``z`` below); ``output_name``
    names an unlabelled output that no variable holds.

    >>> import autograd
    >>> from autograd import Value
    >>> w, x, b = Value(2.0, label="w"), Value(3.0, label="x"), Value(0.5, label="b")
    >>> z = w * x + b
    >>> for step in forward_steps(z):
    ...     print(step)
    v1 = w * x = 2.0000 * 3.0000 = 6.0000
    z = v1 + b = 6.0000 + 0.5000 = 6.5000
    >>> z = autograd.dot([w], [x], bias=b)
    >>> z.label = "z"
    >>> print(next(forward_steps(z)))
    z = Σ w·x + b = Σ 2.0000·3.0000 + 0.5000 = 6.5000
    """
    order = topological_order(root)
    name = _name_nodes(root, output_name, order, names)
    for node in order:
        op = node.op
        if op is None:
            continue
        parents = node.parents
        yield ForwardStep(
            node,
            name[node],
            _render(op, [name[p] for p in parents], numeric=False),
            _render(op, [format_number(p.data) for p in parents], numeric=True),
        )


def seed_line(root: Value, output_name: str = "L", names: str = "article", d: str = "d") -> str:
    """Step 0 of the backward pass: the output's derivative with respect to itself, by the
    output's own name -- the name every later line's derivatives are of.

    >>> from autograd import Value
    >>> J = Value(2.0, label="J")
    >>> seed_line(J), seed_line(J, d="∂")
    ('dJ/dJ = 1.0000', '∂J/∂J = 1.0000')
    """
    out = _name_nodes(root, output_name, style=names)[root]
    return f"{d}{out}/{d}{out} = {format_number(1.0)}"


def explain(root: Value, output_name: str = "L", names: str = "article") -> Text:
    """The forward pass then the backward pass of ``root``'s graph, one line per step.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> print(explain(x * x))
    Forward pass
      L = x * x = 3.0000 * 3.0000 = 9.0000
    Backward pass
      dL/dL = 1.0000  (the seed: the output's gradient with respect to itself)
      dL/dx += dL/dL (from above) * dL/dx (local) = 1.0000 * 3.0000 = 3.0000  (x.grad: 0 -> 3.0000)
      dL/dx += dL/dL (from above) * dL/dx (local) = 1.0000 * 3.0000 = 3.0000
      (x.grad: 3.0000 -> 6.0000)
    """
    seed = seed_line(root, output_name, names)
    seed += "  (the seed: the output's gradient with respect to itself)"
    lines = ["Forward pass"]
    lines += [f"  {step}" for step in forward_steps(root, output_name, names)]
    lines += ["Backward pass", f"  {seed}"]
    lines += [f"  {step}" for step in backward_steps(root, output_name, names=names)]
    return Text("\n".join(lines))
