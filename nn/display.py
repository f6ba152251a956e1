"""How ``nn`` objects show themselves in Jupyter: plain HTML and SVG, no plotting library.

``nn`` never imports ``viz`` (or matplotlib): a training history draws its own little curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["history_card", "sparkline"]

_WIDTH, _HEIGHT, _PAD = 260, 70, 6


def sparkline(
    values: Sequence[float | None], colour: str, low: float | None = None, high: float | None = None
) -> str:
    """An inline SVG polyline of ``values`` (epoch 1 on the left); None or NaN leave gaps.

    >>> svg = sparkline([3.0, 2.0, 1.0], "#1c7ed6")
    >>> svg.startswith("<svg") and "polyline" in svg
    True
    """
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    if not points:
        return ""
    lo = min(v for _, v in points) if low is None else low
    hi = max(v for _, v in points) if high is None else high
    span = hi - lo or 1.0
    last = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> str:
        x = _PAD + (_WIDTH - 2 * _PAD) * i / last
        y = _PAD + (_HEIGHT - 2 * _PAD) * (1 - (v - lo) / span)
        return f"{x:.1f},{y:.1f}"

    runs: list[list[str]] = [[]]
    previous = None
    for i, v in points:
        if previous is not None and i != previous + 1:
            runs.append([])  # a gap: start a new line
        runs[-1].append(xy(i, v))
        previous = i
    lines = "".join(
        f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{" ".join(run)}"/>'
        for run in runs
    )
    return (
        f'<svg width="{_WIDTH}" height="{_HEIGHT}" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'style="background:#fff;border:1px solid #dee2e6;border-radius:4px">{lines}</svg>'
    )


def _panel(title: str, first: str, last: str, svg: str) -> str:
    return (
        '<div style="display:inline-block;margin-right:14px;vertical-align:top">'
        f'<div style="font-size:12px;color:#495057">{escape(title)}: {escape(first)} &rarr; '
        f"<b>{escape(last)}</b></div>{svg}</div>"
    )


def history_card(
    summary: str,
    cost: Sequence[float],
    accuracy: Sequence[float | None],
    diagnosis: Sequence[str] = (),
    val_cost: Sequence[float] = (),
    val_accuracy: Sequence[float | None] = (),
) -> str:
    """A training history as HTML: its summary line, the cost curve and the accuracy curve.

    >>> html = history_card("2 epochs", [0.7, 0.4], [0.5, 1.0])
    >>> html.count("<svg"), "cost J" in html
    (2, True)
    """
    parts = [
        '<div class="gradstep-history" style="font-family:system-ui,sans-serif">',
        f'<div style="font-family:monospace;margin-bottom:4px">History({escape(summary)})</div>',
    ]
    # (title, values, colour, as a percentage): a panel each for what the history holds
    panels = [
        ("cost J per epoch", cost, "#1c7ed6", False),
        ("validation cost per epoch", val_cost, "#e8590c", False),
        ("accuracy per epoch", accuracy, "#2b8a3e", True),
        ("validation accuracy", val_accuracy, "#e8590c", True),
    ]
    for title, values, colour, share in panels:
        known = [v for v in values if v is not None]
        if not known:
            continue
        shown = "{:.0%}" if share else "{:.4g}"
        low, high = (0.0, 1.0) if share else (None, None)
        parts.append(
            _panel(
                title,
                shown.format(known[0]),
                shown.format(known[-1]),
                sparkline(values, colour, low, high),
            )
        )
    for message in diagnosis:  # what went wrong, under the curves that show it
        parts.append(
            '<div style="margin-top:6px;padding:4px 8px;border-left:4px solid #e8590c;'
            f'background:#fff4e6;max-width:760px">⚠ {escape(message)}</div>'
        )
    parts.append("</div>")
    return "".join(parts)
