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

from .names import names, printable
from .steps import backward_steps, forward_steps
from .tree import format_number

__all__ = ["backprop_html", "Stepper"]

# Geometry of the drawing, in SVG user units (pixels at 100% zoom).
_MARGIN = 20
_ROW = 76  # vertical distance between the centres of two boxes in one column
_BOX_H = 58
_CONST_H = 24
_BOX_MIN_W = 132  # fits "grad -1.2345e-100" in 12px monospace
_CHAR_W = 7.3  # width of one 12px monospace character, to size boxes to their names
_MAX_NAME = 48  # longer names are shortened in the box (the full name is in its tooltip)
_R = 15  # radius of an operation's circle
_OP_GAP = 22  # from an operation's circle to the box of its result
_COL_GAP = 40  # from a box to the next column

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
    max_nodes: int = 300,
) -> Stepper:
    """A self-contained stepper that replays ``root``'s backward pass step by step.

    Step 0 is the forward pass done and the seed dL/dL = 1 on the output; each further step
    is one :class:`~viz.steps.BackwardStep`: the node being processed (marked
    ``aria-current="step"``) and the input receiving its share are highlighted and scrolled
    into view, the chain-rule line is shown, and that input's gradient updates. *Prev* /
    *Next*, the arrow keys, Home and End move through the steps; a zoom control scales the
    drawing (*fit* fits it to the width). Constants -- plain numbers in the arithmetic -- are
    drawn as grey boxes with their value and receive no step.

    Returns a :class:`Stepper`: the page as a ``str``, shown inline by Jupyter. With ``path``
    the page is also written there (UTF-8). A graph of more than ``max_nodes`` nodes is
    refused with a ValueError: such a picture is unreadable.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> page = backprop_html(a * b)
    >>> page.startswith("<!DOCTYPE html>"), "<svg" in page, "http" in page
    (True, True, False)
    >>> 'data-grad="1.0"' in page   # the seed on the output, before any step
    True
    >>> page._repr_html_().startswith('<div class="gradstep-stepper" id="gs')
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"backprop_html() needs a Value, got {type(root).__name__} {root!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"backprop_html(): the graph has {len(order)} nodes, more than max_nodes="
            f"{max_nodes}; a picture that big is unreadable -- step through a smaller graph "
            "(one example rather than a batch), or pass a larger max_nodes"
        )
    index = {node: i for i, node in enumerate(order)}
    name = names(root, order=order)
    root_name = name[root]
    layers = _layers(order, index)
    steps = list(backward_steps(root))
    svg = _svg(order, index, name, layers, root)
    payload = _payload(steps, index, name, root, len(order))
    forward = "\n".join(_esc(str(s)) for s in forward_steps(root)) or "(no operations)"
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


def _svg(
    order: list[Value],
    index: dict[Value, int],
    name: dict[Value, str],
    layers: list[list[Value]],
    root: Value,
) -> str:
    """The drawing: one box per node (a small grey one per constant), one circle per op."""

    def box_h(node: Value) -> int:
        return _CONST_H if node.is_constant else _BOX_H

    width_of = {
        node: max(
            48 if node.is_constant else _BOX_MIN_W,
            round(_CHAR_W * len(_short(name[node], _MAX_NAME)) + 20),
        )
        for node in order
    }
    tallest = max(len(layer) for layer in layers)
    box_x: dict[Value, float] = {}
    mid_y: dict[Value, float] = {}
    op_x: dict[Value, float] = {}
    cursor = float(_MARGIN)
    for layer in layers:
        if any(node.op is not None for node in layer):
            for node in layer:
                op_x[node] = cursor + _R
            cursor += 2 * _R + _OP_GAP
        col_w = max(width_of[node] for node in layer)
        top = _MARGIN + (tallest - len(layer)) * _ROW / 2
        for row, node in enumerate(layer):
            # Inputs are right-aligned in their column, next to what uses them.
            box_x[node] = cursor + (col_w - width_of[node] if node.op is None else 0)
            mid_y[node] = top + row * _ROW + _BOX_H / 2
        cursor += col_w + _COL_GAP
    svg_w = round(cursor - _COL_GAP + _MARGIN)
    svg_h = round(2 * _MARGIN + (tallest - 1) * _ROW + _BOX_H)

    edges: list[str] = []
    shapes: list[str] = []
    for node in order:
        i = index[node]
        if node.op is not None:
            cx, cy = op_x[node], mid_y[node]
            m = len(node.parents)
            spread = min(2 * _R * 0.6, 8.0 * (m - 1))  # x * x gets two visible edges
            for j, parent in enumerate(node.parents):
                x1, y1 = box_x[parent] + width_of[parent], mid_y[parent]
                x2 = cx - _R - 2
                y2 = cy + (spread * (j / (m - 1) - 0.5) if m > 1 else 0.0)
                bend = max(24.0, (x2 - x1) / 2)
                kind = "gs-edge const" if parent.is_constant else "gs-edge"
                edges.append(
                    f'<path class="{kind}" data-edge="{i}-{j}" marker-end="url(#{_UID}-arrow)" '
                    f'd="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} '
                    f'{x2:.1f},{y2:.1f}"/>'
                )
            edges.append(
                f'<path class="gs-edge" data-edge="{i}-out" marker-end="url(#{_UID}-arrow)" '
                f'd="M{cx + _R:.1f},{cy:.1f} L{box_x[node] - 2:.1f},{cy:.1f}"/>'
            )
            symbol = node.op.symbol
            font = 12 if len(symbol) <= 2 else max(8, 24 // len(symbol) + 3)
            shapes.append(
                f'<g class="gs-op" data-node="{i}"><title>{_esc(node.op.name)}</title>'
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{_R}"/>'
                f'<text x="{cx:.1f}" y="{cy + font / 3:.1f}" text-anchor="middle" '
                f'style="font-size:{font}px">{_esc(symbol)}</text></g>'
            )
        x, w, h = box_x[node], width_of[node], box_h(node)
        y = mid_y[node] - h / 2
        shown = _esc(_short(name[node], _MAX_NAME))
        if node.is_constant:
            shapes.append(
                f'<g class="gs-node const" data-node="{i}"><title>constant {_esc(name[node])}'
                f'</title><rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="10"/>'
                f'<text x="{x + w / 2:.1f}" y="{y + 16:.1f}" text-anchor="middle" '
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
            f'<g class="gs-node {kind}" data-node="{i}"><title>{_esc(name[node])}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h}" rx="6"/>'
            f'<text class="{name_class}" x="{x + 9:.1f}" y="{y + 17:.1f}">{shown}</text>'
            f'<text class="data" x="{x + 9:.1f}" y="{y + 34:.1f}" '
            f'data-data="{_esc(repr(node.data))}">data {_esc(format_number(node.data))}</text>'
            f'<text x="{x + 9:.1f}" y="{y + 51:.1f}">grad {grad}</text></g>'
        )
    svg = (
        f'<svg width="{svg_w}" height="{svg_h}" viewBox="0 0 {svg_w} {svg_h}" role="img" '
        f'aria-label="computation graph" data-arrow="url(#{_UID}-arrow)" '
        f'data-arrow-hot="url(#{_UID}-arrowhot)"><defs>'
        f'<marker id="{_UID}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#adb5bd"/></marker>'
        f'<marker id="{_UID}-arrowhot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" '
        'markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#e8590c"/></marker>'
        "</defs>\n<g>\n" + "\n".join(edges) + "\n</g>\n<g>\n" + "\n".join(shapes) + "\n</g></svg>"
    )
    return svg


def _payload(
    steps: list[Any], index: dict[Value, int], name: dict[Value, str], root: Value, nodes: int
) -> dict[str, Any]:
    """What the page's script replays: the seed, then one entry per backward step."""
    last_step_of: dict[Value, int] = {}
    for k, step in enumerate(steps):
        last_step_of[step.parent] = k
    root_name = name[root]
    return {
        "root": index[root],
        "nodes": nodes,
        "seed": {
            "grad": repr(1.0),
            "text": format_number(1.0),
            "line": f"dL/d{root_name} = {format_number(1.0)}",
            "what": "Forward pass done; seed dL/dL = 1 on the output"
            + ("" if root_name == "L" else f" (L is {root_name})"),
        },
        "steps": [
            {
                "node": index[step.node],
                "parent": index[step.parent],
                "edge": f"{index[step.node]}-{step.parent_index}",
                "line": str(step),
                "what": (
                    f"{name[step.node]} = {step.node.op.name}(…) sends its gradient to input "
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
  var steps = data.steps, total = steps.length, k = 0;
  var canvas = root.querySelector(".gs-canvas"), svg = canvas.querySelector("svg");
  var baseW = Number(svg.getAttribute("width")), baseH = Number(svg.getAttribute("height"));
  var arrow = svg.getAttribute("data-arrow"), arrowHot = svg.getAttribute("data-arrow-hot");
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
  var edges = {};
  root.querySelectorAll("path.gs-edge[data-edge]").forEach(function (el) {
    edges[el.getAttribute("data-edge")] = el;
  });
  var prev = one("gs-prev"), next = one("gs-next"), zoomLevel = one("gs-zoom-level");
  var lit = [], current = null, zoom = 1, userZoom = 1, minZoom = 0.2;

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
  function focusSet() {
    if (k === 0) { return [nodes[data.root]]; }
    var s = steps[k - 1];
    return [nodes[s.node], ops[s.node], nodes[s.parent]];
  }
  // Show every element of `els` (the node being processed, its operation, the input
  // receiving the gradient): scroll the canvas to them and, if they cannot all fit at the
  // zoom the learner chose, zoom out just enough -- back in as soon as the next step allows.
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
    var active = nodes[k === 0 ? data.root : cur.node];
    if (current) { current.removeAttribute("aria-current"); }
    current = active;
    active.setAttribute("aria-current", "step");
    if (k === 0) {
      light(active, "seed");
    } else {
      light(active, "active");
      light(ops[cur.node], "active");
      light(nodes[cur.parent], "target");
      light(edges[cur.edge], "hot");
      light(edges[cur.node + "-out"], "hot");
    }
    one("gs-line").textContent = cur.line;
    one("gs-what").textContent = cur.what;
    one("gs-counter").textContent = "step " + k + " / " + total;
    prev.disabled = k === 0;
    next.disabled = k === total;
    follow(focusSet(), scrollPage);
  }
  function go(to) { k = Math.max(0, Math.min(total, to)); render(true); }
  function fitZoom() { return Math.min(1, (canvas.clientWidth - 2) / baseW); }
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
  // A graph that fits at 75% or more starts fitted to the width; a wider one starts at 100%
  // and the view follows the steps.
  if (canvas.clientWidth && fitZoom() >= 0.75) { setZoom(fitZoom()); } else { setZoom(1); }
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
