"""The micrograd lecture's names for a node, on gradstep's Value (read-only).

The lecture's ``Value`` keeps ``_prev`` (its children), ``_op`` (the operation as text) and a
``_backward`` closure per node; learners coming from it look for them. gradstep's node keeps
its parents in order and its operation as an :class:`~autograd.ops.Op`; these give the
lecture's view of the same node, with the same rule :func:`~autograd.backward` applies.
"""

from __future__ import annotations

from typing import Any

from .messages import arity_error, brief

__all__ = ["LectureView", "lecture_constructor"]


class LectureView:
    """The lecture's names, mixed into :class:`~autograd.Value` (no state of its own)."""

    __slots__ = ()
    _parents: tuple[Any, ...]
    _operation: Any
    grad: float

    @property
    def _prev(self) -> set[Any]:
        """The lecture's name for this node's inputs: the set of :attr:`parents`.

        >>> from autograd import Value
        >>> a = Value(2.0)
        >>> (a * a)._prev == {a}
        True
        """
        return set(self._parents)

    @property
    def _op(self) -> str:
        """The lecture's name for the operation: its symbol as text, ``''`` for a leaf.

        >>> from autograd import Value
        >>> (Value(2.0) * 3)._op, Value(1.0)._op
        ('*', '')
        """
        return "" if self._operation is None else self._operation.symbol

    def _backward(self) -> None:
        """This node's step of the chain rule, as the lecture calls it node by node: add its
        local derivatives times ``self.grad`` into its parents' ``.grad``.

        The rule is the node's own from :mod:`autograd.ops`, the one ``backward()`` applies;
        called on every node in reverse topological order it gives ``backward()``'s gradients.

        >>> from autograd import Value
        >>> a, b = Value(2.0), Value(-3.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (-3.0, 2.0)
        """
        derivatives = self.local_grads()  # type: ignore[attr-defined]
        if len(derivatives) != len(self._parents):
            raise arity_error(self, derivatives)
        g = self.grad
        for parent, d in zip(self._parents, derivatives):
            parent.grad += d * g


_CONSTRUCTOR = """gradstep's Value takes Value(data, label=''): it makes a leaf, got {got}.
Value(data, children, op) is how the micrograd lecture records an operation; in gradstep an
operation is an autograd.Op -- its forward value and its derivative rule in one place --
applied with autograd.apply, which records the node:
    SIN = autograd.Op("sin", "sin", math.sin, lambda x, out: (math.cos(x),))
    y = autograd.apply(SIN, x)
(Value already has tanh, exp, relu, sigmoid, log, ** and the arithmetic operators.)"""


def lecture_constructor(data: Any, label: Any, extra: tuple[Any, ...]) -> TypeError:
    """The error for ``Value(data, children, op)``, the lecture's way to record an operation."""
    return TypeError(_CONSTRUCTOR.format(got=_call_shape(data, label, extra)))


def _call_shape(data: Any, label: Any, extra: tuple[Any, ...]) -> str:
    """How the constructor was called, briefly: ``Value(0.76, (Value,), 'tanh')``."""

    def one(x: Any) -> str:
        if isinstance(x, (tuple, list, set, frozenset)):
            inner = ", ".join(type(v).__name__ for v in x)
            return f"({inner},)" if isinstance(x, tuple) else f"{type(x).__name__}[{inner}]"
        return brief(x)

    return "Value(" + ", ".join(one(x) for x in (data, label, *extra)) + ")"
