"""One name per node, the same in every view: tree, steps, ``explain``, the stepper and ``draw``.

A node is called by its label. A node without a label is numbered ``v1, v2, ...`` in the
order the forward pass computes it (inputs first), except the output, which is ``L`` -- the
thing every ``dL/d…`` is the derivative of. When several nodes share a label (the same
neuron's ``a`` for each example of a batch), the first keeps it and the others get ``#2``,
``#3``, ... in forward order. A :class:`~autograd.Constant` (a plain number in the
arithmetic) is called by its value, or its label if it has one; it is shown apart and
never collects gradient in a view.

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> loss = (w * x - 1.0) ** 2
>>> sorted(names(loss).values())
['-1', 'L', 'v1', 'v2', 'w', 'x']
"""

from __future__ import annotations

from autograd import Value, topological_order

__all__ = ["names", "constant_text", "printable"]


def printable(text: str) -> str:
    r"""``text`` with lone surrogates written out as ``\udXXX``: no encoding can carry them,
    so a label holding one would make a page unwritable and a tree unprintable.

    >>> printable("a\ud800b")
    'a\\ud800b'
    """
    if text.isascii():
        return text
    return "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def constant_text(x: float) -> str:
    """A constant's value as a short name: ``1``, ``-0.5``, ``1e-12``.

    >>> constant_text(1.0), constant_text(-0.5), constant_text(1e-12), constant_text(1.78)
    ('1', '-0.5', '1e-12', '1.78')
    """
    if x == 0:
        x = 0.0  # -0.0 reads as a different number to a learner
    return f"{x:.6g}"


def names(
    root: Value, output_name: str = "L", order: list[Value] | None = None
) -> dict[Value, str]:
    """A name for every node of ``root``'s graph (see the module docstring for the rules).

    ``order`` is ``topological_order(root)`` if the caller has it already.

    >>> from autograd import Value
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="a")   # two nodes, one label
    >>> y = (a * b).tanh()
    >>> n = names(y)
    >>> n[a], n[b], n[y.parents[0]], n[y]
    ('a', 'a#2', 'v1', 'L')
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__} {root!r}")
    if order is None:
        order = topological_order(root)
    out: dict[Value, str] = {}
    taken: set[str] = set()

    def unique(candidate: str) -> str:
        if candidate not in taken:
            return candidate
        k = 2
        while f"{candidate}#{k}" in taken:
            k += 1
        return f"{candidate}#{k}"

    # Labels first, so that a generated name never takes a label's place.
    for node in order:
        if node.is_constant:
            out[node] = printable(node.label) or constant_text(node.data)
        elif node.label:
            out[node] = unique(printable(node.label))
            taken.add(out[node])
    if root not in out:
        out[root] = unique(output_name)
        taken.add(out[root])
    counter = 0
    for node in order:
        if node in out:
            continue
        counter += 1
        candidate = f"v{counter}"
        while candidate in taken:
            counter += 1
            candidate = f"v{counter}"
        out[node] = candidate
        taken.add(candidate)
    return out
