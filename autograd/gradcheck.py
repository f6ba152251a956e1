"""Check backprop against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .gradients import grad
from .mode import no_grad
from .value import Value, to_float

__all__ = ["gradcheck", "GradcheckError", "numerical_grad"]


class GradcheckError(AssertionError):
    """Backprop and finite differences disagree; the message has one line per input.

    >>> issubclass(GradcheckError, AssertionError)   # a failed check inside a test fails it
    True
    """


def numerical_grad(
    fn: Callable[..., Any], point: Sequence[float], eps: float = 1e-6
) -> list[float]:
    """Central differences ``(f(x+eps) - f(x-eps)) / 2eps`` for each coordinate of ``point``.

    >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, [3.0, 4.0])]
    [4.0, 3.0]
    """
    point = [to_float(v) for v in point]

    def f(xs: list[float]) -> float:
        with no_grad():  # no graph is needed to read a value
            out = fn(*[Value(v) for v in xs])
        return out.data if isinstance(out, Value) else to_float(out)

    result = []
    for i, v in enumerate(point):
        up, down = list(point), list(point)
        up[i], down[i] = v + eps, v - eps
        result.append((f(up) - f(down)) / (2 * eps))
    return result


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if backprop's gradient of ``fn(*inputs)`` matches central finite differences.

    ``fn`` takes one Value per input and returns a Value. Each input passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``; otherwise :class:`GradcheckError`
    is raised with a line per input showing both numbers.

    >>> from autograd import gradcheck
    >>> gradcheck(lambda x, y: x * y.tanh() + x ** 2, [0.5, -1.2])
    True
    """
    if not inputs:
        raise ValueError("gradcheck() needs at least one input")
    point = [to_float(x.data if isinstance(x, Value) else x) for x in inputs]
    leaves = [Value(v) for v in point]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck() needs fn to return a Value, got {type(out).__name__}")
    analytic = grad(out, leaves)
    numeric = numerical_grad(fn, point, eps)
    rows, failed = [], False
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        ok = abs(a - n) <= atol + rtol * abs(n)
        failed |= not ok
        rows.append(
            f"  input #{i} = {point[i]!r}: backprop {a:.8g}, finite difference {n:.8g}"
            f"{'' if ok else f'  <-- MISMATCH (|diff| = {abs(a - n):.3g})'}"
        )
    if failed:
        raise GradcheckError(
            f"gradient check failed (eps={eps}, atol={atol}, rtol={rtol}):\n" + "\n".join(rows)
        )
    return True
