"""Backprop as a web page: the graph drawn in SVG, stepped through one chain-rule edge at a time.

:func:`backprop_html` builds a self-contained stepper -- inline CSS, SVG and a little
JavaScript, nothing fetched from the network. Press *Next* (or the right arrow key) and watch
each gradient arrive; the view scrolls to follow the step. Every number on it comes from
:func:`viz.steps.backward_steps`, i.e. it is exactly what ``backward()`` computes, and every
node carries the name the other views use (:mod:`viz.names`).

The result is a ``str`` holding the whole page (write it to a file, serve it), and it shows
itself: as a notebook cell's last line the stepper appears inline. Any number of steppers work
side by side in one notebook or page: each display gets its own ids, and keys go to the
stepper that has the focus.

>>> from autograd import Value
>>> from viz.html import backprop_html
>>> x = Value(3.0, label="x")
>>> page = backprop_html(x * x + x)
>>> "<svg" in page, "http" in page, page.count('<tspan class="gs-grad')
(True, False, 3)
>>> page
<backprop stepper for L: 3 nodes, 4 steps: inline in Jupyter, str() is the whole page>
"""

from __future__ import annotations

import html
import json
import uuid
from pathlib import Path
from typing import Any

from autograd import Value, topological_order
from autograd.messages import not_a_value
from nn import path_of

from .names import names as _names
from .names import printable
from .steps import BackwardStep, _num, backward_steps, forward_steps
from .tree import format_number

__all__ = ["backprop_html", "Stepper"]

# Geometry of the drawing, in SVG user units (pixels at 100% zoom). The output flows from the
# bottom (inputs) to the top (the output), so the backward pass reads downward; rows wrap at
# _WIDTH, which fits a notebook's ~830px output column: the drawing grows down, never sideways.
_MARGIN = 16
_WIDTH = 790
_BOX_H = 58
_CONST_H = 24
_BOX_MIN_W = 132  # fits "grad -1.2345e-100" in 12px monospace
_CHAR_W = 7.3  # width of one 12px monospace character, to size boxes to their names
_MAX_NAME = 48  # longer names are shortened in the box (the full name is in its tooltip)
_R = 15  # radius of an operation's circle
_OP_GAP = 8  # from a box's bottom to the top of its operation's circle
_GAP_X = 14  # between two boxes of a row
_ROW_GAP = 30  # between a row (with its operations' circles) and the next
#: A drawing taller than this shows the current step's neighbourhood instead of everything.
_HOOD_ABOVE = 1500

#: Stands for a stepper's own id in its markup; replaced by a fresh id at every display.
#: Escaping turns "<" into "&lt;" (markup) or "\u003c" (JSON), so no label can contain it.
_UID = "<UID>"


def _esc(text: str) -> str:
    return html.escape(printable(text), quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_for_script(data: object) -> str:
    # Inside <script> nothing is escaped by the HTML parser, so "</script>" in a label would end
    # the tag. JSON allows \uXXXX for any character, so the text stays the same after parsing.
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Stepper(str):
    """The backprop stepper: a ``str`` holding the whole page, that shows itself in Jupyter.

    ``str(stepper)`` is the self-contained HTML page; as a notebook cell's last line the
    stepper appears inline (each display with ids of its own, so several work side by side);
    its ``repr`` is one line instead of 20 KB of HTML.
    """

    _fragment: str
    _summary: str

    def __new__(cls, page: str, fragment: str, summary: str) -> Stepper:
        self = super().__new__(cls, page)
        self._fragment = fragment
        self._summary = summary
        return self

    def __repr__(self) -> str:
        return f"<{self._summary}: inline in Jupyter, str() is the whole page>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        return self._fragment.replace(_UID, f"gs{uuid.uuid4().hex[:12]}")


def _layers(order: list[Value], index: dict[Value, int]) -> list[list[Value]]:
    """Columns by longest path from the inputs, each node then moved as far right as its
    consumers allow; rows ordered by a few barycenter sweeps."""
    depth: dict[Value, int] = {}
    for node in order:  # parents come first in topological order
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1)
    children: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for p in node.parents:
            if node not in children[p]:  # x * x uses x once as far as layout goes
                children[p].append(node)
    # Then pull every node right, next to its first consumer: an input used late (the
    # constant in ``a - 1``) sits beside its use instead of sending a long edge behind boxes.
    for node in reversed(order):
        if children[node]:
            depth[node] = min(depth[c] for c in children[node]) - 1
    layers: list[list[Value]] = [[] for _ in range(max(depth.values()) + 1)]
    for node in order:
        layers[depth[node]].append(node)

    # Each node's vertical position: its row, centred on the column's middle.
    y: dict[Value, float] = {}

    def place(layer: list[Value]) -> None:
        mid = (len(layer) - 1) / 2
        for row, node in enumerate(layer):
            y[node] = row - mid

    for layer in layers:
        place(layer)

    def sweep(layer: list[Value], neighbours: dict[Value, list[Value]]) -> None:
        def key(node: Value) -> tuple[float, int]:
            near = neighbours[node]
            centre = sum(y[n] for n in near) / len(near) if near else y[node]
            return (centre, index[node])  # the index breaks ties: same graph, same picture

        layer.sort(key=key)
        place(layer)

    parents_of = {node: list(node.parents) for node in order}
    for _ in range(2):
        for layer in layers[1:]:
            sweep(layer, parents_of)
        for layer in reversed(layers[:-1]):
            sweep(layer, children)
    for layer in layers[1:]:
        sweep(layer, parents_of)
    return layers


def backprop_html(
    root: Value,
    path: str | Path | None = None,
    title: str = "Backprop, step by step",
    max_nodes: int = 2000,
    names: str = "article",
) -> Stepper:
    """A self-contained stepper that replays ``root``'s backward pass step by step.

    Step 0 is the forward pass done and the seed on the output (``∂J/∂J = 1`` for a cost
    ``J``: every derivative is of the output by its own name); each further step is one
    :class:`~viz.steps.BackwardStep`: the node being processed (marked
    ``aria-current="step"``) and the input receiving its share are highlighted and scrolled
    into view, the chain-rule line is shown with the gradient *from above* and the *local*
    derivative told apart, and that input's gradient updates. *Prev* / *Next*, the arrow
    keys, Home and End move through the steps. Constants -- plain numbers in the arithmetic
    -- are drawn as grey boxes with their value and receive no step.

    The drawing flows upward, inputs at the bottom and the output on top, so the backward
    pass reads downward; rows wrap at a notebook's width, so it grows down, never sideways,
    and its text stays at 12px (the zoom never goes below 75%). A graph drawn taller than
    ~2 screens shows, at each step, the neighbourhood of the node being processed -- the node,
    its inputs and what uses it -- at full size, instead of everything shrunk. Hovering a box
    shows its name, and a model's module path (``nn.path_of``); ``names="path"`` names the
    boxes by module path instead (:mod:`viz.names`).

    Returns a :class:`Stepper`: the page as a ``str``, shown inline by Jupyter. With ``path``
    the page is also written there (UTF-8). A graph of more than ``max_nodes`` nodes is
    refused with a ValueError: stepping through thousands of edges teaches nothing.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> page = backprop_html(a * b)
    >>> page.startswith("<!DOCTYPE html>"), "<svg" in page, "http" in page
    (True, True, False)
    >>> 'data-grad="1.0"' in page   # the seed on the output, before any step
    True
    >>> page._repr_html_().startswith('<div class="gradstep-stepper" id="gs')
    True
    >>> from nn import Neuron
    >>> n = Neuron(1, seed=0)
    >>> "module path: w.0" in backprop_html(n([1.0]))   # on hover over w[0]
    True
    """
    if not isinstance(root, Value):
        raise TypeError(not_a_value("backprop_html() needs a Value", root))
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"backprop_html(): the graph has {len(order)} nodes, more than max_nodes="
            f"{max_nodes}; a picture that big is unreadable -- step through a smaller graph "
            "(one example rather than a batch), or pass a larger max_nodes"
        )
    index = {node: i for i, node in enumerate(order)}
    name = _names(root, order=order, style=names)
    root_name = name[root]
    layers = _layers(order, index)
    box, svg_w, svg_h = _geometry(order, name, layers)
    steps = list(backward_steps(root, names=names))
    svg = _svg(order, index, name, box, (svg_w, svg_h), root)
    payload = _payload(steps, index, name, root, order, box)
    payload["view"] = "hood" if svg_h > _HOOD_ABOVE else "full"
    fwd = forward_steps(root, names=names)
    forward = "\n".join(_esc(str(s)) for s in fwd) or "(no operations)"
    seed = payload["seed"]
    parts = {
        "title": _esc(title),
        "css": _CSS,
        "js": _JS,
        "svg": svg,
        "total": len(steps),
        "line": _esc(seed["line"]),
        "what": _esc(seed["what"]),
        "forward": forward,
        "data": _json_for_script(payload),
        "label": _esc(f"{title}: {len(steps)} steps over {len(order)} nodes"),
    }
    fragment = _FRAGMENT.format(page="", **parts)
    page = _PAGE.format(
        title=parts["title"],
        fragment=_FRAGMENT.format(page=" data-page", **parts).replace(_UID, "gs"),
    )
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    summary = f"backprop stepper for {root_name}: {len(order)} nodes, {len(steps)} steps"
    return Stepper(page, fragment, summary)


def _geometry(
    order: list[Value], name: dict[Value, str], layers: list[list[Value]]
) -> tuple[dict[Value, tuple[float, float, int, int]], int, int]:
    """Each node's box (x, y, width, height): the output's layer on top, each layer's row
    wrapped at the drawing's width; its operation's circle sits under its box."""
    box: dict[Value, tuple[float, float, int, int]] = {}
    inner = _WIDTH - 2 * _MARGIN
    y = float(_MARGIN)
    for layer in reversed(layers):
        rows: list[list[Value]] = [[]]
        used = 0.0
        for node in layer:
            w = _box_w(node, name)
            if rows[-1] and used + _GAP_X + w > inner:
                rows.append([])
                used = 0.0
            used += (_GAP_X if rows[-1] else 0) + w
            rows[-1].append(node)
        for row in rows:
            total = sum(_box_w(n, name) for n in row) + _GAP_X * (len(row) - 1)
            x = _MARGIN + (inner - total) / 2
            for node in row:
                w, h = _box_w(node, name), _box_h(node)
                box[node] = (x, y, w, h)
                x += w + _GAP_X
            y += max(_box_h(n) for n in row) + _ROW_GAP
            if any(n.op is not None for n in row):
                y += _OP_GAP + 2 * _R
    return box, _WIDTH, round(y - _ROW_GAP + _MARGIN)


def _box_w(node: Value, name: dict[Value, str]) -> int:
    least = 48 if node.is_constant else _BOX_MIN_W
    return max(least, round(_CHAR_W * len(_short(name[node], _MAX_NAME)) + 20))


def _box_h(node: Value) -> int:
    return _CONST_H if node.is_constant else _BOX_H


def _op_centre(b: tuple[float, float, int, int]) -> tuple[float, float]:
    x, y, w, h = b
    return x + w / 2, y + h + _OP_GAP + _R


def _edge_d(x1: float, y1: float, x2: float, y2: float) -> str:
    """An edge going up from (x1, y1) -- the top of an input's box -- to (x2, y2)."""
    bend = max(18.0, (y1 - y2) / 2)
    return (
        f"M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 - bend:.1f} {x2:.1f},{y2 + bend:.1f} "
        f"{x2:.1f},{y2:.1f}"
    )


def _spread(j: int, m: int) -> float:
    return 2 * _R * 0.6 * (j / (m - 1) - 0.5) if m > 1 else 0.0  # x * x gets two edges


def _tooltip(node: Value, shown: str) -> str:
    """A box's hover text: its name, its label if another name is shown, its module path."""
    lines = ["constant " + shown if node.is_constant else shown]
    if node.label and printable(node.label) != shown and not shown.startswith(node.label):
        lines.append(f"label: {printable(node.label)}")
    path = path_of(node)
    if path and path != shown:
        lines.append(f"module path: {path}")
    return _esc("\n".join(lines))


def _svg(
    order: list[Value],
    index: dict[Value, int],
    name: dict[Value, str],
    box: dict[Value, tuple[float, float, int, int]],
    size: tuple[int, int],
    root: Value,
) -> str:
    """The drawing: one box per node (a small grey one per constant), one circle per op.

    Every box and circle is a group placed by its ``transform``, so that the page's script
    can move them into a step's neighbourhood."""
    edges: list[str] = []
    shapes: list[str] = []
    for node in order:
        i = index[node]
        x, y, w, h = box[node]
        if node.op is not None:
            cx, cy = _op_centre(box[node])
            m = len(node.parents)
            for j, parent in enumerate(node.parents):
                px, py, pw, _ = box[parent]
                kind = "gs-edge const" if parent.is_constant else "gs-edge"
                d = _edge_d(px + pw / 2, py, cx + _spread(j, m), cy + _R + 2)
                edges.append(
                    f'<path class="{kind}" data-edge="{i}-{j}" marker-end="url(#{_UID}-arrow)" '
                    f'd="{d}"/>'
                )
            edges.append(
                f'<path class="gs-edge" data-edge="{i}-out" marker-end="url(#{_UID}-arrow)" '
                f'd="M{cx:.1f},{cy - _R:.1f} L{cx:.1f},{y + h + 2:.1f}"/>'
            )
            symbol = node.op.symbol
            font = 12 if len(symbol) <= 2 else max(10, 24 // len(symbol) + 3)
            shapes.append(
                f'<g class="gs-op" data-node="{i}" transform="translate({cx:.1f},{cy:.1f})">'
                f"<title>{_esc(node.op.name)}</title>"
                f'<circle cx="0" cy="0" r="{_R}"/>'
                f'<text x="0" y="{font / 3:.1f}" text-anchor="middle" '
                f'style="font-size:{font}px">{_esc(symbol)}</text></g>'
            )
        shown = _esc(_short(name[node], _MAX_NAME))
        place = f'transform="translate({x:.1f},{y:.1f})"'
        title = f"<title>{_tooltip(node, name[node])}</title>"
        if node.is_constant:
            shapes.append(
                f'<g class="gs-node const" data-node="{i}" {place}>{title}'
                f'<rect x="0" y="0" width="{w}" height="{h}" rx="10"/>'
                f'<text x="{w / 2:.1f}" y="16" text-anchor="middle" '
                f'data-data="{_esc(repr(node.data))}">{shown}</text></g>'
            )
            continue
        if node is root:  # the seed dL/dL = 1 is known before any step
            grad = f'<tspan class="gs-grad done" data-node="{i}" data-grad="1.0">1.0000</tspan>'
        else:
            grad = f'<tspan class="gs-grad" data-node="{i}">?</tspan>'
        kind = "leaf" if node.op is None else "op"
        name_class = "name" if node.label else "name made"
        shapes.append(
            f'<g class="gs-node {kind}" data-node="{i}" {place}>{title}'
            f'<rect x="0" y="0" width="{w}" height="{h}" rx="6"/>'
            f'<text class="{name_class}" x="9" y="17">{shown}</text>'
            f'<text class="data" x="9" y="34" '
            f'data-data="{_esc(repr(node.data))}">data {_esc(format_number(node.data))}</text>'
            f'<text x="9" y="51">grad {grad}</text></g>'
        )
    svg_w, svg_h = size
    svg = (
        f'<svg width="{svg_w}" height="{svg_h}" viewBox="0 0 {svg_w} {svg_h}" role="img" '
        f'aria-label="computation graph" data-arrow="url(#{_UID}-arrow)" '
        f'data-arrow-hot="url(#{_UID}-arrowhot)"><defs>'
        f'<marker id="{_UID}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#adb5bd"/></marker>'
        f'<marker id="{_UID}-arrowhot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" '
        'markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#e8590c"/></marker>'
        '</defs>\n<g class="gs-edges">\n' + "\n".join(edges) + '\n</g>\n<g class="gs-dyn"></g>'
        '\n<g class="gs-shapes">\n' + "\n".join(shapes) + "\n</g></svg>"
    )
    return svg


def _payload(
    steps: list[BackwardStep],
    index: dict[Value, int],
    name: dict[Value, str],
    root: Value,
    order: list[Value],
    box: dict[Value, tuple[float, float, int, int]],
) -> dict[str, Any]:
    """What the page's script replays: the seed, then one entry per backward step; and the
    graph (each box and each node's inputs) for the neighbourhood view."""
    last_step_of: dict[Value, int] = {}
    for k, step in enumerate(steps):
        last_step_of[step.parent] = k
    root_name = name[root]
    return {
        "root": index[root],
        "nodes": len(order),
        "geometry": {
            "width": _WIDTH, "margin": _MARGIN, "gap": _GAP_X, "rowGap": _ROW_GAP,
            "opGap": _OP_GAP, "r": _R,
        },
        "box": [[round(c, 1) for c in box[node]] for node in order],
        "parents": [[index[p] for p in node.parents] for node in order],
        "names": [name[node] for node in order],
        "seed": {
            "grad": repr(1.0),
            "text": format_number(1.0),
            "line": f"∂{root_name}/∂{root_name} = {format_number(1.0)}",
            "what": f"Forward pass done; the seed: ∂{root_name}/∂{root_name} = 1 on the output "
            f"{root_name}",
        },
        "steps": [
            {
                "node": index[step.node],
                "parent": index[step.parent],
                "edge": f"{index[step.node]}-{step.parent_index}",
                "sym": list(step.symbols("∂")),
                "nums": [_num(x) for x in (step.upstream, step.local, step.product)],
                "line": str(step),
                "what": (
                    f"{name[step.node]} = {step.node.op.name if step.node.op else ''}(…) "
                    "sends its gradient to input "
                    f"#{step.parent_index}, {name[step.parent]}"
                    + ("  — its gradient is now complete" if last_step_of[step.parent] == k else "")
                ),
                "grad": repr(step.after),
                "text": format_number(step.after),
                "final": last_step_of[step.parent] == k,
            }
            for k, step in enumerate(steps)
        ],
    }


def html_line(step: dict[str, Any]) -> str:
    """The text the stepper's chain-rule line shows for one step of its payload (for tests:
    what a reader sees, captions included).

    >>> html_line({"sym": ["∂J/∂b", "∂J/∂z", "∂z/∂b"], "nums": ["0.5", "1", "0.5"]})
    '∂J/∂b += ∂J/∂z from above · ∂z/∂b local = 0.5 · 1 = 0.5'
    """
    target, up, local = step["sym"]
    a, b, c = step["nums"]
    return f"{target} += {up} from above · {local} local = {a} · {b} = {c}"


_CSS = """
.gradstep-stepper { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  max-width: 100%; outline: none; }
.gradstep-stepper:focus-visible { outline: 2px solid #74c0fc; outline-offset: 4px; }
.gradstep-stepper .gs-title { font-weight: 600; font-size: 15px; margin: 0 0 6px; }
.gradstep-stepper .gs-controls { display: flex; flex-wrap: wrap; align-items: center;
  gap: 8px; margin-bottom: 6px; }
.gradstep-stepper button { font-size: 14px; padding: 3px 12px; cursor: pointer; }
.gradstep-stepper button:disabled { cursor: default; }
.gradstep-stepper .gs-counter { font-weight: 600; min-width: 100px; }
.gradstep-stepper .gs-zoom { margin-left: auto; display: flex; align-items: center; gap: 4px; }
.gradstep-stepper .gs-zoom button { padding: 2px 9px; }
.gradstep-stepper .gs-zoom-level { min-width: 44px; text-align: center; font-size: 13px; }
.gradstep-stepper .gs-what { color: #444; font-size: 14px; min-height: 1.3em; }
.gradstep-stepper .gs-line { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 14px; background: #fff; border: 1px solid #ccc; border-radius: 6px;
  padding: 6px 10px; margin: 4px 0 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.gradstep-stepper .gs-canvas { overflow: auto; border: 1px solid #ddd; background: #fff;
  border-radius: 6px; max-height: 70vh; }
.gradstep-stepper[data-page] .gs-canvas { max-height: max(220px, calc(100vh - 175px)); }
/* Jupyter styles every output svg with max-width: 100%; the zoom control decides here. */
.gradstep-stepper .gs-canvas svg { display: block; max-width: none; height: auto; }
.gradstep-stepper svg text { font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 12px; fill: #222; }
.gradstep-stepper .gs-node rect { fill: #f1f3f5; stroke: #868e96; stroke-width: 1.2; }
.gradstep-stepper .gs-node.leaf rect { fill: #fff9db; }
.gradstep-stepper .gs-node.const rect { fill: #fff; stroke: #adb5bd; stroke-dasharray: 4 3; }
.gradstep-stepper .gs-node.const text { fill: #6c757d; }
.gradstep-stepper .gs-node .name { font-weight: 700; }
.gradstep-stepper .gs-node .name.made { font-weight: 400; fill: #868e96; }
.gradstep-stepper .gs-node.active rect { stroke: #e8590c; stroke-width: 3; }
.gradstep-stepper .gs-node.seed rect { stroke: #2b8a3e; stroke-width: 3; }
.gradstep-stepper .gs-node.target rect { stroke: #1c7ed6; stroke-width: 3; fill: #e7f5ff; }
.gradstep-stepper .gs-op circle { fill: #fff; stroke: #868e96; stroke-width: 1.2; }
.gradstep-stepper .gs-op.active circle { stroke: #e8590c; stroke-width: 3; fill: #fff4e6; }
.gradstep-stepper .gs-edge { fill: none; stroke: #adb5bd; stroke-width: 1.4; }
.gradstep-stepper .gs-edge.const { stroke-dasharray: 4 3; }
.gradstep-stepper .gs-edge.hot { stroke: #e8590c; stroke-width: 3; stroke-dasharray: none; }
.gradstep-stepper .gs-grad { fill: #adb5bd; }
.gradstep-stepper .gs-grad.partial { fill: #e8590c; font-weight: 700; }
.gradstep-stepper .gs-grad.done { fill: #2b8a3e; font-weight: 700; }
.gradstep-stepper .gs-line .gs-up, .gradstep-stepper .gs-line .gs-local {
  display: inline-flex; flex-direction: column; align-items: center; vertical-align: top;
  border-radius: 4px; padding: 0 3px; }
.gradstep-stepper .gs-line .gs-up { color: #5f3dc4; background: #f3f0ff; }
.gradstep-stepper .gs-line .gs-local { color: #0b7285; background: #e3fafc; }
.gradstep-stepper .gs-line .gs-target { color: #1c7ed6; font-weight: 700; }
.gradstep-stepper .gs-line small { font-family: system-ui, sans-serif; font-size: 11px;
  line-height: 1.1; }
.gradstep-stepper .gs-view { color: #555; font-size: 13px; font-style: italic; }
.gradstep-stepper .gs-view:empty { display: none; }
.gradstep-stepper .gs-legend { font-size: 13px; color: #555; margin-top: 6px; }
.gradstep-stepper .gs-legend b.partial { color: #e8590c; }
.gradstep-stepper .gs-legend b.done { color: #2b8a3e; }
.gradstep-stepper details { margin-top: 8px; font-size: 14px; }
.gradstep-stepper pre { margin: 6px 0; font-size: 13px; overflow-x: auto; }
"""

_JS = """
(function (root) {
  "use strict";
  if (!root || root.getAttribute("data-ready") === "1") { return; }
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(root.querySelector("script.gs-data").textContent);
  var steps = data.steps, total = steps.length, k = 0, G = data.geometry;
  var canvas = root.querySelector(".gs-canvas"), svg = canvas.querySelector("svg");
  var baseW = Number(svg.getAttribute("width")), baseH = Number(svg.getAttribute("height"));
  var arrow = svg.getAttribute("data-arrow"), arrowHot = svg.getAttribute("data-arrow-hot");
  var hood = data.view === "hood", dyn = svg.querySelector("g.gs-dyn");
  var staticEdges = svg.querySelector("g.gs-edges");
  function one(cls) { return root.querySelector("." + cls); }
  function byNode(selector) {
    var out = [];
    root.querySelectorAll(selector).forEach(function (el) {
      out[Number(el.getAttribute("data-node"))] = el;
    });
    return out;
  }
  var nodes = byNode("g.gs-node[data-node]"), ops = byNode("g.gs-op[data-node]");
  var grads = byNode("tspan.gs-grad[data-node]");
  var consumers = data.parents.map(function () { return []; });
  data.parents.forEach(function (ps, n) {
    ps.forEach(function (p) { if (consumers[p].indexOf(n) < 0) { consumers[p].push(n); } });
  });
  var prev = one("gs-prev"), next = one("gs-next"), zoomLevel = one("gs-zoom-level");
  var lit = [], current = null, zoom = 1, userZoom = 1, minZoom = 0.75;  // 12px text >= 9px

  function edgeEl(id) {
    return svg.querySelector((hood ? "g.gs-dyn" : "g.gs-edges") + ' [data-edge="' + id + '"]');
  }
  function light(el, cls) {
    if (!el) { return; }
    el.classList.add(cls);
    if (cls === "hot") { el.setAttribute("marker-end", arrowHot); }
    lit.push([el, cls]);
  }
  function unlightAll() {
    lit.forEach(function (pair) {
      pair[0].classList.remove(pair[1]);
      if (pair[1] === "hot") { pair[0].setAttribute("marker-end", arrow); }
    });
    lit = [];
  }
  // The neighbourhood of node c, drawn at full size: what uses c on top (with their
  // operations), c and its operation, then c's inputs -- rows wrapped at the drawing's width.
  function layoutHood(c) {
    nodes.forEach(function (el) { if (el) { el.style.display = "none"; } });
    ops.forEach(function (el) { if (el) { el.style.display = "none"; } });
    staticEdges.style.display = "none";
    while (dyn.firstChild) { dyn.removeChild(dyn.firstChild); }
    var at = {}, y = G.margin, inner = G.width - 2 * G.margin;
    function row(list, withOps) {
      var i = 0;
      while (i < list.length) {
        var line = [], used = 0;
        while (i < list.length) {
          var w = data.box[list[i]][2];
          if (line.length && used + G.gap + w > inner) { break; }
          used += (line.length ? G.gap : 0) + w; line.push(list[i]); i++;
        }
        var x = G.margin + (inner - used) / 2, h = 0, anyOp = false;
        line.forEach(function (n) {
          var b = data.box[n];
          at[n] = [x, y, b[2], b[3]];
          nodes[n].style.display = "";
          nodes[n].setAttribute("transform", "translate(" + x + "," + y + ")");
          if (withOps && ops[n]) {
            anyOp = true;
            ops[n].style.display = "";
            ops[n].setAttribute("transform", "translate(" + (x + b[2] / 2) + "," +
              (y + b[3] + G.opGap + G.r) + ")");
          }
          x += b[2] + G.gap; h = Math.max(h, b[3]);
        });
        y += h + G.rowGap + (anyOp ? G.opGap + 2 * G.r : 0);
      }
    }
    var inputs = [];
    data.parents[c].forEach(function (p) { if (inputs.indexOf(p) < 0) { inputs.push(p); } });
    row(consumers[c], true); row([c], true); row(inputs, false);
    function path(id, cls, x1, y1, x2, y2) {
      var el = document.createElementNS(svg.namespaceURI, "path");
      var bend = Math.max(18, (y1 - y2) / 2);
      el.setAttribute("class", cls);
      el.setAttribute("data-edge", id);
      el.setAttribute("marker-end", arrow);
      el.setAttribute("d", "M" + x1 + "," + y1 + " C" + x1 + "," + (y1 - bend) + " " + x2 + "," +
        (y2 + bend) + " " + x2 + "," + y2);
      dyn.appendChild(el);
    }
    function into(q, only) {  // the edges into q's operation (from `only`, if given)
      var b = at[q], cx = b[0] + b[2] / 2, cy = b[1] + b[3] + G.opGap + G.r;
      var ps = data.parents[q], m = ps.length;
      ps.forEach(function (p, j) {
        if ((only !== undefined && p !== only) || !at[p]) { return; }
        var s = m > 1 ? 2 * G.r * 0.6 * (j / (m - 1) - 0.5) : 0, a = at[p];
        path(q + "-" + j, data.box[p][3] < 40 ? "gs-edge const" : "gs-edge",
          a[0] + a[2] / 2, a[1], cx + s, cy + G.r + 2);
      });
      path(q + "-out", "gs-edge", cx, cy - G.r, cx, b[1] + b[3] + 2);
    }
    consumers[c].forEach(function (q) { into(q, c); });
    if (data.parents[c].length) { into(c); }
    baseW = G.width; baseH = Math.round(y - G.rowGap + G.margin);
    svg.setAttribute("viewBox", "0 0 " + baseW + " " + baseH);
    applyZoom(zoom);
    one("gs-view").textContent = "The graph (" + data.nodes + " nodes) is too big to read " +
      "whole: showing " + data.names[c] + ", its inputs and what uses it.";
  }
  function focusSet() {
    if (k === 0) { return [nodes[data.root]]; }
    var s = steps[k - 1];
    return [nodes[s.node], ops[s.node], nodes[s.parent]];
  }
  // Show every element of `els` (the node being processed, its operation, the input
  // receiving the gradient): scroll the canvas to them and, if they cannot all fit at the
  // zoom the learner chose, zoom out a little (never below 75%: text stays >= 9px).
  // With `scrollPage`, also scroll the page so that they are inside the window.
  function measure(els) {
    var c = canvas.getBoundingClientRect(), b = null;
    els.forEach(function (el) {
      var r = el.getBoundingClientRect();
      var x0 = r.left - c.left + canvas.scrollLeft, y0 = r.top - c.top + canvas.scrollTop;
      var x1 = x0 + r.width, y1 = y0 + r.height;
      b = b ? [Math.min(b[0], x0), Math.min(b[1], y0), Math.max(b[2], x1), Math.max(b[3], y1)]
            : [x0, y0, x1, y1];
    });
    return b;
  }
  function follow(els, scrollPage) {
    els = els.filter(Boolean);
    if (!els.length || !canvas.clientWidth) { return; }
    var pad = 12, w = canvas.clientWidth, h = canvas.clientHeight, b = measure(els);
    var wide = (b[2] - b[0]) / zoom, tall = (b[3] - b[1]) / zoom;  // at 100%
    var fits = Math.min(userZoom, (w - 2 * pad) / wide, (h - 2 * pad) / tall);
    var want = Math.max(minZoom, fits);
    if (Math.abs(want - zoom) > 0.001) { applyZoom(want); b = measure(els); }
    var left = canvas.scrollLeft, top = canvas.scrollTop;
    if (b[0] - pad < left) { left = b[0] - pad; }
    else if (b[2] + pad > left + w) { left = b[2] + pad - w; }
    if (b[1] - pad < top) { top = b[1] - pad; }
    else if (b[3] + pad > top + h) { top = b[3] + pad - h; }
    canvas.scrollLeft = Math.max(0, left);
    canvas.scrollTop = Math.max(0, top);
    if (scrollPage) {
      var r = canvas.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) {
        canvas.scrollIntoView({block: r.height > window.innerHeight ? "start" : "nearest"});
      }
    }
  }
  function span(cls, text, caption) {
    var el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    if (caption) {
      var small = document.createElement("small");
      small.textContent = caption;
      el.appendChild(small);
    }
    return el;
  }
  function showLine(cur) {
    var line = one("gs-line");
    while (line.firstChild) { line.removeChild(line.firstChild); }
    if (!cur.sym) { line.appendChild(span("gs-seed", cur.line)); return; }
    line.appendChild(span("gs-target", cur.sym[0]));
    line.appendChild(document.createTextNode(" += "));
    line.appendChild(span("gs-up", cur.sym[1], "from above"));
    line.appendChild(document.createTextNode(" · "));
    line.appendChild(span("gs-local", cur.sym[2], "local"));
    line.appendChild(document.createTextNode(" = "));
    line.appendChild(span("gs-up", cur.nums[0]));
    line.appendChild(document.createTextNode(" · "));
    line.appendChild(span("gs-local", cur.nums[1]));
    line.appendChild(document.createTextNode(" = " + cur.nums[2]));
  }
  function render(scrollPage) {
    // The state of step k is rebuilt from scratch, so going back is exact.
    var shown = [], done = [];
    shown[data.root] = data.seed; done[data.root] = true;
    for (var i = 0; i < k; i++) {
      shown[steps[i].parent] = steps[i];
      if (steps[i].final) { done[steps[i].parent] = true; }
    }
    for (var n = 0; n < data.nodes; n++) {
      var el = grads[n];
      if (!el) { continue; }
      var s = shown[n];
      el.textContent = s ? s.text : "?";
      if (s) { el.setAttribute("data-grad", s.grad); } else { el.removeAttribute("data-grad"); }
      el.setAttribute("class", "gs-grad" + (s ? (done[n] ? " done" : " partial") : ""));
    }
    unlightAll();
    var cur = k === 0 ? data.seed : steps[k - 1];
    var c = k === 0 ? data.root : cur.node;
    if (hood) { layoutHood(c); }
    var active = nodes[c];
    if (current) { current.removeAttribute("aria-current"); }
    current = active;
    active.setAttribute("aria-current", "step");
    if (k === 0) {
      light(active, "seed");
    } else {
      light(active, "active");
      light(ops[cur.node], "active");
      light(nodes[cur.parent], "target");
      light(edgeEl(cur.edge), "hot");
      light(edgeEl(cur.node + "-out"), "hot");
    }
    showLine(cur);
    one("gs-what").textContent = cur.what;
    one("gs-counter").textContent = "step " + k + " / " + total;
    prev.disabled = k === 0;
    next.disabled = k === total;
    follow(focusSet(), scrollPage);
  }
  function go(to) { k = Math.max(0, Math.min(total, to)); render(true); }
  function fitZoom() { return Math.max(minZoom, Math.min(1, (canvas.clientWidth - 2) / baseW)); }
  function applyZoom(z) {
    zoom = z;
    svg.setAttribute("width", String(Math.round(baseW * zoom)));
    svg.setAttribute("height", String(Math.round(baseH * zoom)));
    zoomLevel.textContent = Math.round(zoom * 100) + "%";
  }
  function setZoom(z) {  // the learner's choice (or the start): kept until they change it
    userZoom = Math.max(minZoom, Math.min(3, z));
    applyZoom(userZoom);
    follow(focusSet(), false);
  }
  prev.addEventListener("click", function () { go(k - 1); });
  next.addEventListener("click", function () { go(k + 1); });
  one("gs-zoom-in").addEventListener("click", function () { setZoom(zoom * 1.25); });
  one("gs-zoom-out").addEventListener("click", function () { setZoom(zoom / 1.25); });
  one("gs-fit").addEventListener("click", function () { setZoom(fitZoom()); });
  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (e.key === "ArrowRight") { go(k + 1); }
    else if (e.key === "ArrowLeft") { go(k - 1); }
    else if (e.key === "Home") { go(0); }
    else if (e.key === "End") { go(total); }
    else { return; }
    e.preventDefault();
    e.stopPropagation();
  }
  root.addEventListener("keydown", onKey);
  if (root.hasAttribute("data-page")) {
    // A page of its own: keys work before anything is clicked.
    document.addEventListener("keydown", function (e) {
      if (e.target === document.body || e.target === document.documentElement) { onKey(e); }
    });
  }
  if (hood) { layoutHood(data.root); }
  // The drawing is never wider than a notebook column: it starts at 100% (or fitted to a
  // narrower stepper, down to 75%) and the view follows the steps downward.
  if (canvas.clientWidth) { setZoom(fitZoom()); } else { setZoom(1); }
  render(false);
})(document.getElementById("<UID>"));
"""

_FRAGMENT = """<div class="gradstep-stepper" id="<UID>" tabindex="0" role="group" \
aria-label="{label}"{page}>
<style>{css}</style>
<div class="gs-title">{title}</div>
<div class="gs-controls">
<button class="gs-prev" type="button" disabled>&larr; Prev</button>
<button class="gs-next" type="button">Next &rarr;</button>
<span class="gs-counter" aria-live="polite">step 0 / {total}</span>
<span class="gs-zoom"><button class="gs-zoom-out" type="button" aria-label="zoom out">&minus;\
</button><span class="gs-zoom-level">100%</span><button class="gs-zoom-in" type="button" \
aria-label="zoom in">+</button><button class="gs-fit" type="button">fit to width</button></span>
</div>
<div class="gs-what">{what}</div>
<div class="gs-line">{line}</div>
<div class="gs-view"></div>
<div class="gs-canvas">
{svg}
</div>
<div class="gs-legend">Keys (click the stepper first): &larr; / &rarr; step, Home / End jump.
Gradient: ? not reached yet, <b class="partial">orange</b> still accumulating,
<b class="done">green</b> complete. Highlighted: <span style="color:#e8590c">node being
processed</span> and <span style="color:#1c7ed6">input receiving its gradient</span>; dashed
grey boxes are constants.</div>
<details><summary>Forward pass</summary><pre>{forward}</pre></details>
<script type="application/json" class="gs-data">{data}</script>
<script>{js}</script>
</div>"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ margin: 14px 18px; background: #fafafa; }}
.gradstep-stepper .gs-title {{ font-size: 20px; }}</style>
</head>
<body>
{fragment}
</body>
</html>
"""
