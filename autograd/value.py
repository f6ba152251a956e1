"""``Value``: a scalar that remembers how it was computed."""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any, Union

from . import ops
from .backprop import backpropagate
from .lecture import LectureView, lecture_constructor
from .messages import card, describe
from .mode import STATE, forward_anomaly, in_library, record_site, site_of
from .scalars import to_float

__all__ = ["Value", "Constant", "apply", "Number"]

Number = int | float
Operand = Union["Value", int, float]


class Value(LectureView):
    """A scalar in a computation graph: its ``data``, its ``grad``, and how it was made.

    Every arithmetic operation on Values returns a new Value that records the operation
    (``op``) and its inputs (``parents``, in order). ``backward()`` then fills ``grad`` on
    every node with the derivative of the output with respect to that node.

    >>> a = Value(2.0, label="a")
    >>> b = Value(-3.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> c.backward()
    >>> c
    Value(data=-6.0, grad=1.0, op='*', label='c')
    >>> a.grad, b.grad
    (-3.0, 2.0)

    Gradients *accumulate* over ``backward()`` calls, as in PyTorch; reset them with
    ``autograd.zero_grad(c)`` (or ``model.zero_grad()`` in ``nn``).
    """

    # ``_pass_grad`` is scratch space for one backward pass, set to the shared 0.0 when a node
    # is made (no memory per node) so the walk can mark nodes in it instead of keeping a set
    # (see ``backprop._walk``); ``__weakref__`` lets tools watch a graph without
    # keeping it alive. No __dict__, no __eq__: nodes hash by identity.
    __slots__ = ("data", "grad", "_label", "_operation", "_parents", "_pass_grad", "__weakref__")

    data: float
    grad: float
    _label: str
    _operation: ops.Op | None
    _parents: tuple[Value, ...]
    _pass_grad: Any  # a float, or a Value while grad(..., create_graph=True) runs

    def __init__(self, data: Any, label: str = "", *lecture: Any) -> None:
        if lecture:
            raise lecture_constructor(data, label, lecture)
        self.data = to_float(data)
        self.grad = 0.0
        try:
            self.label = label  # checked by the setter: nothing more to do on the way in
        except TypeError:
            if not isinstance(label, (tuple, list, set, frozenset)):
                raise
            # Value(x, (self,)): the lecture's children, not a label
            raise lecture_constructor(data, label, ()) from None
        self._operation = None
        self._parents = ()
        self._pass_grad = 0.0

    @property
    def label(self) -> str:
        """The name views and messages call this node by (``""``: none given)."""
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        # Checked when set: every view, error message and compiled program reads it as text.
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {describe(label)}")
        self._label = label

    # --- inspection ------------------------------------------------------------------------

    @property
    def op(self) -> ops.Op | None:
        """The primitive that produced this value, or ``None`` for a leaf."""
        return self._operation

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the operation, in order (``x * x`` has ``x`` twice)."""
        return self._parents

    @property
    def is_leaf(self) -> bool:
        """True for values made by you (or under ``no_grad``), not by an operation."""
        return self._operation is None

    @property
    def is_constant(self) -> bool:
        """True for a :class:`Constant`: a plain number taking part in the graph.

        >>> x = Value(2.0)
        >>> x.is_constant, (x * 3).parents[1].is_constant
        (False, True)
        """
        return self.__class__ is Constant

    def local_grads(self) -> tuple[float, ...]:
        """The local derivative of this node with respect to each parent, in parent order.

        This is the node's own rule from :mod:`autograd.ops` evaluated at its data; the chain
        rule multiplies it by the gradient arriving from above.

        >>> x = Value(3.0)
        >>> (x * x).local_grads()
        (3.0, 3.0)
        """
        if self._operation is None:
            return ()
        if STATE.watch:
            _read(self, "calls local_grads() on")
        return tuple(self._operation.derivative(*[p.data for p in self._parents], self.data))

    def __repr__(self) -> str:
        if STATE.watch:  # str(), repr(), print, "%s": text that could decide something
            _read_text(self, "turns into text (str, repr, print or %)")
        text = f"Value(data={self.data!r}, grad={self.grad!r}"
        if self._operation is not None:
            text += f", op={self._operation.symbol!r}"
        if self.label:
            text += f", label={self.label!r}"
        return text + ")"

    def _repr_html_(self) -> str:
        """A small card for Jupyter: label, data, grad and the operation that made it."""
        if STATE.watch:
            _read_text(self, "calls _repr_html_() on")
        return card(self)

    # --- binary operators ----------------------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        right: Any = other
        if right.__class__ is not Value:
            right = _lift(right)
            if right is NotImplemented:
                return NotImplemented
        return _apply(ops.ADD, (self, right))

    def __radd__(self, other: Number) -> Value:
        left = _lift(other)
        if left is NotImplemented:
            return NotImplemented
        return _apply(ops.ADD, (left, self))

    def __mul__(self, other: Operand) -> Value:
        right: Any = other
        if right.__class__ is not Value:
            right = _lift(right)
            if right is NotImplemented:
                return NotImplemented
        return _apply(ops.MUL, (self, right))

    def __rmul__(self, other: Number) -> Value:
        left = _lift(other)
        if left is NotImplemented:
            return NotImplemented
        return _apply(ops.MUL, (left, self))

    def __sub__(self, other: Operand) -> Value:
        # a - b is the composite a + (-b): no derivative code of its own. A plain number (or
        # a Constant) is negated before it takes part, so ``a - 1`` is one node, ``a + -1``,
        # and ``a - y`` for a Constant named y is ``a + -y``.
        if other.__class__ is Constant:
            negated = _lift(-other.data)
            negated._label = f"-{other._label}" if other._label else ""
            return self + negated
        if other.__class__ is not Value and not isinstance(other, Value):
            negated = _lift(other)
            if negated is NotImplemented:
                return NotImplemented
            negated.data = -negated.data
            return self + negated
        return self + (-other)

    def __rsub__(self, other: Number) -> Value:
        left = _lift(other)
        if left is NotImplemented:
            return NotImplemented
        return left + (-self)

    def __truediv__(self, other: Operand) -> Value:
        right: Any = other
        if right.__class__ is not Value:
            right = _lift(right)
            if right is NotImplemented:
                return NotImplemented
        return _apply(ops.DIV, (self, right))

    def __rtruediv__(self, other: Number) -> Value:
        left = _lift(other)
        if left is NotImplemented:
            return NotImplemented
        return _apply(ops.DIV, (left, self))

    def __pow__(self, other: Operand) -> Value:
        if other.__class__ is Value:
            return _apply(ops.POW, (self, other))
        exponent = _lift(other)
        if exponent is NotImplemented:
            return NotImplemented
        op = ops.power(exponent.data)
        return _apply(op, (self,))

    def __rpow__(self, other: Number) -> Value:
        base = _lift(other)
        if base is NotImplemented:
            return NotImplemented
        return _apply(ops.POW, (base, self))

    # --- unary operations ------------------------------------------------------------------

    def __neg__(self) -> Value:
        return _apply(ops.NEG, (self,))

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _apply(ops.ABS, (self,))

    def exp(self) -> Value:
        """``e ** self``. Past about 709.78 the float range ends: the result is ``inf``.

        >>> Value(0.0).exp().data
        1.0
        """
        return _apply(ops.EXP, (self,))

    def log(self) -> Value:
        """Natural logarithm; a ValueError for inputs <= 0.

        >>> Value(1.0).log().data
        0.0
        """
        return _apply(ops.LOG, (self,))

    def tanh(self) -> Value:
        """Hyperbolic tangent, saturating at ±1 for large inputs.

        >>> Value(0.0).tanh().data
        0.0
        """
        return _apply(ops.TANH, (self,))

    def sigmoid(self) -> Value:
        """The logistic function ``1 / (1 + e**-x)``, computed without overflow.

        >>> Value(0.0).sigmoid().data
        0.5
        """
        return _apply(ops.SIGMOID, (self,))

    def softplus(self) -> Value:
        """``log(1 + e**x)``, a smooth ReLU, computed without overflow for any x.

        >>> round(Value(0.0).softplus().data, 6)
        0.693147
        """
        return _apply(ops.SOFTPLUS, (self,))

    def clamp(self, low: Number, high: Number) -> Value:
        """The value held inside [low, high]; the gradient is 0 where it is held.

        >>> Value(1.5).clamp(0.0, 1.0).data
        1.0
        """
        op = ops.clamp(to_float(low), to_float(high))
        return _apply(op, (self,))

    def relu(self) -> Value:
        """``max(0, x)``; its derivative is taken as 0 at 0.

        >>> Value(-2.0).relu().data, Value(3.0).relu().data
        (0.0, 3.0)
        """
        return _apply(ops.RELU, (self,))

    # --- graph-level operations --------------------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Backpropagate: add d(self)/d(node) * ``grad`` to ``node.grad`` for every node.

        The walk is iterative (any depth works) and visits nodes in a fixed order. Gradients
        accumulate across calls; use ``autograd.zero_grad(self)`` to reset them.

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward()
        >>> x.grad
        6.0
        """
        backpropagate(self, to_float(grad))

    @staticmethod
    def _pole(x: Any, exponent: Any) -> Value:
        """``x ** exponent`` where x is 0 and the exponent negative: ``inf``, recorded like
        any power. Derivative rules reach here with ``create_graph=True`` (d/dx x**0.5 at 0
        is 0.5·0**-0.5): first order gives inf there, so every order does, instead of
        raising."""
        base = _lift(x)
        if isinstance(exponent, Value):
            return _node(math.inf, (base, exponent), ops.POW)
        return _node(math.inf, (base,), ops.power(exponent))

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph.

        >>> x = Value(2.0)
        >>> y = (x * 3).detach()
        >>> y.is_leaf, y.data
        (True, 6.0)
        """
        if STATE.watch:  # the copy would freeze the traced number into every replay
            _read(self, "calls detach() on")
        return Value(self.data, self.label)

    # --- plain-number conventions --------------------------------------------------------
    # Comparisons and truth read the data: plain bools, not part of the graph (a comparison has
    # no derivative). ``==`` is left alone on purpose: Values hash and compare by identity, so
    # they work as dict keys and set members.

    def item(self) -> float:
        """The data as a plain float (as ``tensor.item()`` in PyTorch).

        >>> Value(2.5).item()
        2.5
        """
        if STATE.watch:
            _read(self, "calls item() on")
        return float(self.data)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats the data; an empty spec gives the repr.

        >>> f"{Value(0.123456):.3f}"
        '0.123'
        """
        if STATE.watch:  # the text of the number could decide something: refuse
            _read_text(self, f"formats ({spec!r})" if spec else "formats (f-string or format)")
        return format(self.data, spec) if spec else repr(self)

    def __bool__(self) -> bool:
        """True when the data is not zero, as for a float (``if loss:``); not differentiable.

        >>> bool(Value(0.0)), bool(Value(-2.0))
        (False, True)
        """
        if STATE.watch:
            _read(self, "calls bool() on")
        return bool(self.data)

    def __lt__(self, other: Operand) -> bool:
        """``<`` on the data, so ``max(values)`` and ``sorted(values)`` work; a plain bool.

        >>> max([Value(1.0), Value(3.0), Value(2.0)]).data
        3.0
        """
        o = _compared(other, self, "<")
        return NotImplemented if o is NotImplemented else self.data < o

    def __le__(self, other: Operand) -> bool:
        o = _compared(other, self, "<=")
        return NotImplemented if o is NotImplemented else self.data <= o

    def __gt__(self, other: Operand) -> bool:
        o = _compared(other, self, ">")
        return NotImplemented if o is NotImplemented else self.data > o

    def __ge__(self, other: Operand) -> bool:
        o = _compared(other, self, ">=")
        return NotImplemented if o is NotImplemented else self.data >= o

    # Without __eq__ Python keeps identity hashing; say so explicitly for readers and linters.
    __hash__ = object.__hash__


def _compared(other: Any, this: Value, how: str) -> Any:
    if STATE.watch:  # a comparison decides with data: a trace must not bake it in
        _read(this, f"compares ({how})")
        if isinstance(other, Value):
            _read(other, f"compares ({how})")
    if isinstance(other, Value):
        return other.data
    if isinstance(other, numbers.Real):
        return other
    return NotImplemented


def _read(v: Value, how: str) -> None:
    """Tell a running trace that ``v``'s data is being read (to decide something)."""
    tracer = STATE.tracer
    if tracer is not None:
        tracer.read(v, how)


def _read_text(v: Value, how: str) -> None:
    """Tell a running trace that ``v`` is being turned into text by code outside the library
    (the library's own messages quote Values; what they say decides nothing)."""
    tracer = STATE.tracer
    if tracer is not None and not in_library(sys._getframe(2)):
        tracer.read(v, how)


def _failed(op: ops.Op, parents: tuple[Value, ...]) -> None:
    """Called where an operation on ``parents`` raised (in the ``except`` block; the caller
    re-raises). A running trace is told: should ``fn`` catch the error and go on, the path it
    took for *these* numbers would be baked into every replay. And a bad ``.data`` (a bad
    assignment) gets its clear TypeError instead of the raw one of ``str * float``."""
    tracer = STATE.tracer
    if tracer is not None:
        tracer.failed(op, sys.exc_info()[1])
    _check_data(parents)


def _check_data(values: tuple[Value, ...]) -> None:
    """Raise a clear TypeError if an input's ``.data`` is not a number (a bad assignment)."""
    for v in values:
        if not isinstance(v.data, numbers.Real):
            name = f"{v.label}.data" if v.label else ".data of an input"
            held = f"a Value ({v.data!r})" if isinstance(v.data, Value) else describe(v.data)
            raise TypeError(
                f"{name} holds {held}, not a number. Assign numbers to .data: "
                "w.data -= lr * w.grad (w.grad is a float), not w.data = w.data - lr * w "
                "(that builds a Value)"
            )


class Constant(Value):
    """A plain number taking part in a computation: a leaf that is not learned.

    Numbers mixed into arithmetic become constants by themselves (the ``2`` in ``x * 2``, the
    target ``y`` of a loss, a network's input features). They behave as any Value; the
    difference is for the eye: teaching views show a constant by its value, apart from the
    variables, and do not replay the gradient backprop sends it.

    >>> x = Value(3.0, label="x")
    >>> y = x * 2
    >>> y.parents[1]
    Constant(2.0)
    >>> y.parents[1].is_constant, x.is_constant
    (True, False)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Constant({self.data!r}" + (f", label={self.label!r})" if self.label else ")")


def _lift(x: Any) -> Any:
    """A number as a :class:`Constant`; a Value as itself; ``NotImplemented`` for anything else."""
    if x.__class__ is float:
        out = _new(Constant)
        out.data = x
    elif isinstance(x, Value):
        return x
    else:
        try:
            data = to_float(x)
        except TypeError:
            return NotImplemented
        out = _new(Constant)
        out.data = data
    out.grad = 0.0
    out._label = ""
    out._operation = None
    out._parents = ()
    out._pass_grad = 0.0
    return out


_new = object.__new__


def _node(data: float, parents: tuple[Value, ...], op: ops.Op) -> Value:
    """Make the output node of ``op``; under ``no_grad`` it is a leaf (no parents kept)."""
    if data.__class__ is not float:
        # Only a bad assignment to some input's .data (say, a Value) gets here with a non-float.
        _check_data(parents)
        data = float(data)
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._label = ""
    out._pass_grad = 0.0
    state = STATE
    if state.recording:
        out._operation = op
        out._parents = parents
    else:
        out._operation = None
        out._parents = ()
    if state.watch:  # anomaly detection or a trace: both want to know where nodes come from
        if state.tracer is not None:
            state.tracer.created(out)
        if state.anomaly:
            record_site(out)
            if not math.isfinite(data):
                raise forward_anomaly(op.name, data, tuple(p.data for p in parents), site_of(out))
    return out


def _apply(op: ops.Op, parents: tuple[Value, ...]) -> Value:
    """The node of ``op`` on ``parents``, its forward computed on their data. Where the
    forward raises, :func:`_failed` is told first (the error itself goes on up)."""
    try:
        if len(parents) == 2:  # most nodes: no list to build
            return _node(op.forward(parents[0].data, parents[1].data), parents, op)
        if len(parents) == 1:
            return _node(op.forward(parents[0].data), parents, op)
        return _node(op.forward(*[p.data for p in parents]), parents, op)
    except Exception:
        _failed(op, parents)
        raise


def apply(op: ops.Op, *inputs: Operand) -> Value:
    """Apply a primitive (built in or your own :class:`~autograd.ops.Op`) to inputs.

    >>> from autograd import ops
    >>> apply(ops.MUL, Value(2.0), 4).data
    8.0
    """
    if not isinstance(op, ops.Op):
        raise TypeError(f"apply() takes an autograd Op, got {describe(op)}")
    parents = tuple(_as_value(x) for x in inputs)
    try:
        return _node(to_float(op.forward(*[p.data for p in parents])), parents, op)
    except Exception:
        _failed(op, parents)
        raise


def _as_value(x: Any) -> Value:
    if isinstance(x, Value):
        return x
    return Constant(x)
