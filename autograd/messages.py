"""Values in error messages, kept short: a value given (or read from a file) can be huge.

An error quotes what it was given; a 4,000-digit number or a whole file is no help there, and
Python 3.11+ even refuses ``repr`` of an int over 4300 digits (a ValueError of its own). These
helpers never build the whole text of a huge value, and say how big it was.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["arity_error", "brief", "card", "describe", "not_a_value", "shorten"]

LOG10_2 = math.log10(2)


def shorten(text: str, limit: int = 200) -> str:
    """``text`` cut to about ``limit`` characters: an error message never carries a whole file.

    >>> shorten("x" * 1000, 40)
    'xxxxxxxxxx...(1000 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 30, 10)]}...({len(text)} characters)"


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)`` in about ``limit`` characters, with the size of what was cut.

    >>> brief(int("7" * 4000))
    '777777777777...(4000 digits)'
    >>> brief({"nin": 2, "junk": "x" * 10_000})
    "{'nin': 2, 'junk': 'xxxxxxxxxxxx'...(10000 characters)}"
    >>> brief(list(range(100)))
    '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, ...(100 items)]'
    """
    if isinstance(value, int) and not isinstance(value, bool):
        digits = _digits(abs(value))
        if digits <= max(limit, 12):
            return repr(value)
        head = abs(value) // 10 ** (digits - 12)  # the first 12 digits, without str(value)
        return f"{'-' if value < 0 else ''}{head}...({digits} digits)"
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[: max(limit - 40, 12)]!r}...({len(value)} characters)"
    if isinstance(value, (list, tuple, dict)):
        return _brief_items(value, limit)
    return shorten(repr(value), limit)


def describe(value: Any) -> str:
    """``value`` for an error message: its type and a short repr (``str 'abc'``).

    >>> describe("abc"), describe(-(10**5000))
    ("str 'abc'", 'int -100000000000...(5001 digits)')
    """
    return f"{type(value).__name__} {brief(value)}"


def _digits(n: int) -> int:
    """How many decimal digits ``n >= 0`` has, from its bit length (str() may refuse it)."""
    digits = int(n.bit_length() * LOG10_2) + 1  # exact, or one too many
    power = 10 ** (digits - 1)
    if n < power and digits > 1:
        return digits - 1
    return digits + 1 if n >= power * 10 else digits  # float rounding, for safety


def _brief_items(items: list[Any] | tuple[Any, ...] | dict[Any, Any], limit: int) -> str:
    # Each item gets what is left of the budget, so a deep nesting stops after `limit` levels.
    is_dict = isinstance(items, dict)
    opening, closing = "{}" if is_dict else "()" if isinstance(items, tuple) else "[]"
    pairs = items.items() if isinstance(items, dict) else items
    parts: list[str] = []
    used = 2
    for item in pairs:
        if used >= limit:
            parts.append(f"...({len(items)} items)")
            break
        room = limit - used
        part = f"{brief(item[0], room)}: {brief(item[1], room)}" if is_dict else brief(item, room)
        parts.append(part)
        used += len(part) + 2
    trailing = "," if isinstance(items, tuple) and len(items) == 1 else ""
    return opening + ", ".join(parts) + trailing + closing


def not_a_value(needs: str, given: Any) -> str:
    """The message for something given where a gradstep ``Value`` is needed. Another engine's
    Value (micrograd's, or the lecture's own class) is named as such, with the swap to make.

    >>> class Value:  # the lecture's own class, say
    ...     def __init__(self, data, _children=(), _op=''):
    ...         self.data, self.grad, self._prev, self._op = data, 0.0, set(_children), _op
    >>> print(not_a_value("draw() needs a Value", Value(2.0)))  # doctest: +ELLIPSIS
    draw() needs a Value of gradstep's engine, got a Value of another engine (...): ...
    >>> not_a_value("tree() needs a Value", [1.0])
    'tree() needs a Value, got list [1.0]'
    """
    kind = type(given)
    if all(hasattr(given, name) for name in ("data", "grad", "_prev")):
        where = f"{kind.__module__}.{kind.__qualname__}"
        return (
            f"{needs} of gradstep's engine, got a Value of another engine ({where}): gradstep "
            "draws and differentiates only graphs its own Value recorded. Build the graph "
            "with gradstep's: replace the Value class cell (or 'from micrograd.engine import "
            "Value') with 'from autograd import Value' and run the cells again."
        )
    return f"{needs}, got {describe(given)}"


def card(v: Any) -> str:
    """A Value as a small HTML card for Jupyter: label, data, grad and what made it."""
    # Inline styles only: a notebook output has no stylesheet of ours. Everything the user
    # wrote (the label) is escaped; numbers are shown short, with the exact repr on hover.
    from html import escape  # only a notebook asks for this: keep it off the import path

    op = v._operation
    kind = "constant" if v.is_constant else ("leaf" if op is None else f"op {op.symbol}")
    cells = [
        ("", escape(v.label) if v.label else "<i>no label</i>"),
        ("data", f'<span title="{escape(repr(v.data))}">{v.data:.6g}</span>'),
    ]
    if not v.is_constant:
        cells.append(("grad", f'<span title="{escape(repr(v.grad))}">{v.grad:.6g}</span>'))
    cells.append(("", escape(kind)))
    body = "".join(
        f'<span style="padding:0 6px{";border-left:1px solid #ccc" if i else ""}">'
        f"{f'<small>{name}</small> ' if name else ''}{text}</span>"
        for i, (name, text) in enumerate(cells)
    )
    return (
        '<span class="gradstep-value" style="display:inline-block;font-family:monospace;'
        'border:1px solid #999;border-radius:5px;padding:2px 4px;background:#f8f9fa">'
        f"{body}</span>"
    )


def arity_error(node: Any, derivatives: Any) -> ValueError:
    """The error for a derivative rule that did not return one derivative per input."""
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
