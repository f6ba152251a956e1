"""Reading a derivative rule as source text, by running it on symbolic operands.

A rule of :mod:`autograd.ops` is ordinary arithmetic, so running it on :class:`Sym` operands
-- numbers known only by name, whose arithmetic writes the expression instead of computing
it -- gives the rule as Python source: ``MUL``'s ``lambda a, b, out: (b, a)`` on
``Sym("a"), Sym("b"), Sym("out")`` gives ``["b", "a"]``. Two generators use this, so no rule
is ever written twice: the compiler's Python backend (:mod:`autograd.codegen`) and the eager
engine's chain steps (:mod:`autograd.chains`). A rule that branches on a value or
calls a ``math`` function cannot be read this way; both then call the rule itself.

This module imports only :mod:`autograd.ops`, so both can import it without a cycle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import ops

__all__ = ["Sym", "transcribable"]


class _NotSymbolic(Exception):
    """The rule does something a transcription cannot follow: call it at run time instead."""


def _text(x: Any) -> str:
    if isinstance(x, Sym):
        return x.text
    if isinstance(x, (bool, int, float)):
        if x != x:
            return "NAN"
        if x in (math.inf, -math.inf):
            return "INF" if x > 0 else "(-INF)"
        return f"({x!r})" if x < 0 else repr(x)  # (-3.0) ** 2, not -3.0 ** 2
    raise _NotSymbolic


class Sym:
    """A number known only by name: arithmetic on it writes the expression instead.

    >>> a, b = Sym("a"), Sym("b")
    >>> (1 - a * b).text, ((a > 0) * 1.0).text
    ('(1 - (a * b))', '((a > 0) * 1.0)')
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def _infix(self, symbol: str, other: Any, reverse: bool = False) -> Sym:
        left, right = (_text(other), self.text) if reverse else (self.text, _text(other))
        return Sym(f"({left} {symbol} {right})")

    def __add__(self, o: Any) -> Sym:
        return self._infix("+", o)

    def __radd__(self, o: Any) -> Sym:
        return self._infix("+", o, True)

    def __sub__(self, o: Any) -> Sym:
        return self._infix("-", o)

    def __rsub__(self, o: Any) -> Sym:
        return self._infix("-", o, True)

    def __mul__(self, o: Any) -> Sym:
        return self._infix("*", o)

    def __rmul__(self, o: Any) -> Sym:
        return self._infix("*", o, True)

    def __truediv__(self, o: Any) -> Sym:
        return self._infix("/", o)

    def __rtruediv__(self, o: Any) -> Sym:
        return self._infix("/", o, True)

    def __pow__(self, o: Any) -> Sym:
        return self._infix("**", o)

    def __rpow__(self, o: Any) -> Sym:
        return self._infix("**", o, True)

    def __neg__(self) -> Sym:
        return Sym(f"(-{self.text})")

    def __pos__(self) -> Sym:
        return self

    def __gt__(self, o: Any) -> Sym:
        return self._infix(">", o)

    def __lt__(self, o: Any) -> Sym:
        return self._infix("<", o)

    def __ge__(self, o: Any) -> Sym:
        return self._infix(">=", o)

    def __le__(self, o: Any) -> Sym:
        return self._infix("<=", o)

    def __bool__(self) -> bool:  # a branch on the value: not transcribable
        raise _NotSymbolic

    def __eq__(self, o: object) -> bool:
        raise _NotSymbolic

    __hash__ = None  # type: ignore[assignment]


def _ours(op: ops.Op) -> bool:
    """Whether ``op`` is one of gradstep's primitives (or of its families, ``power(n)``...)."""
    return ops.PRIMITIVES.get(op.name) is op or op.forward.__module__ == ops.__name__


def _transcribe(rule: Callable[..., Any], args: list[Sym]) -> Any:
    """What ``rule(*args)`` computes, as source text, or None if it cannot be transcribed.

    Only gradstep's own rules (``autograd.ops``) are transcribed: they are plain arithmetic,
    the same at every call. A rule of yours may read a global, draw a random number or catch
    an error, which a transcription made once would freeze: it is called at run time.
    """
    try:
        result = rule(*args)
    except Exception:  # any failure on symbols means: call the rule at run time
        return None
    try:
        if isinstance(result, tuple):
            return [_text(r) for r in result]
        return _text(result)
    except _NotSymbolic:
        return None


def transcribable(op: ops.Op, arity: int) -> list[str] | None:
    """``op``'s local derivatives for ``arity`` inputs as source text over the names
    ``x0, x1, ...`` (the inputs) and ``out`` (the output), or None where the rule is not
    gradstep's own, cannot be read, or does not give one derivative per input.

    >>> transcribable(ops.MUL, 2), transcribable(ops.TANH, 1)
    (['x1', 'x0'], ['(1 - (out * out))'])
    >>> transcribable(ops.SOFTPLUS, 1) is None   # sigmoid: a branch on the value
    True
    """
    if not _ours(op):
        return None
    args = [Sym(f"x{i}") for i in range(arity)]
    exprs = _transcribe(op.derivative, [*args, Sym("out")])
    if isinstance(exprs, list) and len(exprs) == arity:
        return exprs
    return None
