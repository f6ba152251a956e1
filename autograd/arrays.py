"""The primitives' forward values on NumPy arrays: ``Op.vforward`` (and ``Op.vstacked``),
what ``autograd.compile``'s vectorised backend runs for a whole batch.

Each checks what the scalar forward checks and, on a bad element, calls the scalar forward
on it: the very same error, the same message, in one place. NumPy is imported by the
backend that calls these, never by ``import autograd``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import scalars
from .scalars import _is_array, _np, _quiet


def first_bad(bad: Any, *arrays: Any) -> tuple[float, ...]:
    index = tuple(a[0] for a in bad.nonzero())
    return tuple(float(a[index]) if _is_array(a) else float(a) for a in arrays)


def divide(a: Any, b: Any) -> Any:
    np = _np()
    zero = np.asarray(b) == 0
    if zero.any():
        scalars.divide(
            *first_bad(np.broadcast_to(zero, np.broadcast(a, b).shape), *np.broadcast_arrays(a, b))
        )
    with _quiet():
        return a / b


def power(x: Any, y: Any) -> Any:
    np = _np()
    x, y = np.broadcast_arrays(x, y)
    bad = ((x == 0) & (y < 0)) | ((x < 0) & np.isfinite(y) & (y != np.floor(y)))
    if bad.any():
        scalars.checked_pow(*first_bad(bad, x, y))
    with _quiet():
        return np.power(x, y)


def log(x: Any) -> Any:
    np = _np()
    bad = x <= 0
    if bad.any():
        scalars.safe_log(*first_bad(bad, x))
    with _quiet():
        return np.log(x)


def exp(x: Any) -> Any:
    with _quiet():
        return _np().exp(x)


# The array sigmoid is where the rules' sigmoid helper needs it too (scalars, which this
# module builds on).
sigmoid = scalars._vsigmoid


def tanh(x: Any) -> Any:
    return _np().tanh(x)


def absolute(x: Any) -> Any:
    return _np().abs(x)


def relu(x: Any) -> Any:
    return _np().where(x <= 0, 0.0, x)  # NaN is not <= 0: it passes, as in scalars._relu


def stacked(xs: Any) -> Any:
    """Arrays (and numbers) stacked along a new first axis, broadcast to one shape."""
    np = _np()
    try:
        return np.array(xs, dtype=float)  # all of one shape: one copy, the fast way
    except ValueError:
        return np.stack(np.broadcast_arrays(*xs)).astype(float)


def fsum(terms: Any) -> Any:
    """Σ of the arrays ``terms`` (a sequence, or one array stacked along its first axis),
    elementwise, with the rounding error of every addition carried along: as close to
    ``math.fsum`` as arrays allow, so a sum such as 1 + 1e-20 - 1 keeps its 1e-20.

    The running totals s_i = s_(i-1) + x_i come from one ``cumsum``; each addition's exact
    rounding error (Knuth's two-sum, which needs no ordering of the operands) is then found
    for all of them at once and added at the end -- a handful of array operations however
    many terms there are."""
    np = _np()
    with _quiet():
        S = (terms if isinstance(terms, np.ndarray) else stacked(terms)).astype(float, copy=False)
        if len(S) == 1:
            return S[0] + 0.0  # a fresh array, as a sum's result is
        running = np.cumsum(S, axis=0)
        before, x, after = running[:-1], S[1:], running[1:]
        x_part = after - before
        lost = ((before - (after - x_part)) + (x - x_part)).sum(axis=0)
        total = running[-1]
        # Where a term is inf or NaN the carried error is NaN: the plain total is the answer.
        return np.where(np.isfinite(total), total + lost, total)


# The ops of many inputs have their array form on the inputs stacked along a first axis
# (one (inputs, ...) array, as the NumPy backend gathers a wide node's inputs at once);
# ``vforward`` takes them one by one and stacks them.


def on_stacked(form: Callable[[Any], Any]) -> Callable[..., Any]:
    return lambda *xs: form(stacked(xs))


def mean(S: Any) -> Any:
    return fsum(S) / len(S)


def dot(S: Any) -> Any:
    n = len(S) // 2
    with _quiet():
        products = S[:n] * S[n : 2 * n]
    if len(S) % 2:  # the bias, the last term
        products = _np().concatenate((products, S[2 * n :]))
    return fsum(products)


def softplus(x: Any) -> Any:
    np = _np()
    with _quiet():
        return np.where(x > 0, x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def logsumexp(S: Any) -> Any:
    np = _np()
    with _quiet():
        m = S.max(axis=0)
        safe = np.where(np.isfinite(m), m, 0.0)
        out = safe + np.log(fsum(np.exp(S - safe)))
        return np.where(np.isinf(m), m, out)  # NaN stays NaN through max and exp
