"""Backprop as a web page: the graph drawn in SVG, stepped through one chain-rule edge at a time.

:func:`backprop_html` writes one self-contained HTML file -- inline CSS, SVG and a little
JavaScript, nothing fetched from the network -- so a learner can open it from disk, press
*Next* (or the right arrow key) and watch each gradient arrive. Every number on the page
comes from :func:`viz.steps.backward_steps`, i.e. it is exactly what ``backward()`` computes.

>>> from autograd import Value
>>> from viz.html import backprop_html
>>> x = Value(3.0, label="x")
>>> page = backprop_html(x * x + x)
>>> "<svg" in page, "http" in page, page.count('<tspan class="grad')
(True, False, 3)
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from autograd import Value, topological_order

from .steps import backward_steps, forward_steps, names
from .tree import format_number

__all__ = ["backprop_html"]

# Geometry of the drawing, in SVG user units (pixels at 100% zoom).
_MARGIN = 24
_ROW = 84  # vertical distance between the centres of two boxes in one column
_BOX_H = 60
_BOX_MIN_W = 160  # fits "grad -1.2345e-100" in 13px monospace
_CHAR_W = 7.9  # width of one 13px monospace character, to size boxes to their names
_MAX_NAME = 48  # longer names are shortened in the box (the full name is in its tooltip)
_R = 17  # radius of an operation's circle
_OP_GAP = 34  # from an operation's circle to the box of its result
_COL_GAP = 70  # from a box to the next column


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_for_script(data: object) -> str:
    # Inside <script> nothing is escaped by the HTML parser, so "</script>" in a label would end
    # the tag. JSON allows \uXXXX for any character, so the text stays the same after parsing.
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
) -> str:
    """One self-contained HTML page that replays ``root``'s backward pass step by step.

    Step 0 is the forward pass done and the seed dL/dL = 1; each further step is one
    :class:`~viz.steps.BackwardStep`: the node being processed and the input receiving its
    share are highlighted, the chain-rule line is shown, and that input's gradient box
    updates. *Prev*/*Next* (or the arrow keys, Home and End) move through the steps. The page
    is returned, and also written to ``path`` (UTF-8) if one is given. Graphs with more than
    ``max_nodes`` nodes are refused with a ValueError: such a picture is unreadable.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> page = backprop_html(a * b)
    >>> page.startswith("<!DOCTYPE html>"), "<svg" in page, "http" in page
    (True, True, False)
    >>> 'data-grad="1.0"' in page   # the seed on the output, before any step
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"backprop_html() needs a Value, got {type(root).__name__} {root!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"backprop_html(): the graph has {len(order)} nodes, more than max_nodes="
            f"{max_nodes}; a picture that big is unreadable -- step through a smaller graph, "
            "or pass a larger max_nodes"
        )
    index = {node: i for i, node in enumerate(order)}
    name = names(root)
    root_name = name[root]
    layers = _layers(order, index)

    # --- geometry ------------------------------------------------------------------------
    width_of = {
        node: max(_BOX_MIN_W, round(_CHAR_W * len(_short(name[node], _MAX_NAME)) + 20))
        for node in order
    }
    tallest = max(len(layer) for layer in layers)
    box_x: dict[Value, float] = {}
    box_y: dict[Value, float] = {}
    op_x: dict[Value, float] = {}
    cursor = float(_MARGIN)
    for depth, layer in enumerate(layers):
        if depth > 0:
            for node in layer:
                op_x[node] = cursor + _R
            cursor += 2 * _R + _OP_GAP
        col_w = max(width_of[node] for node in layer)
        top = _MARGIN + (tallest - len(layer)) * _ROW / 2
        for row, node in enumerate(layer):
            box_x[node] = cursor + (col_w - width_of[node]) / 2 if depth == 0 else cursor
            box_y[node] = top + row * _ROW
        cursor += col_w + _COL_GAP
    svg_w = round(cursor - _COL_GAP + _MARGIN)
    svg_h = round(2 * _MARGIN + (tallest - 1) * _ROW + _BOX_H)

    def mid_y(node: Value) -> float:
        return box_y[node] + _BOX_H / 2

    # --- SVG -------------------------------------------------------------------------------
    edges: list[str] = []
    shapes: list[str] = []
    for node in order:
        i = index[node]
        if node.op is not None:
            cx, cy = op_x[node], mid_y(node)
            m = len(node.parents)
            spread = min(2 * _R * 0.6, 8.0 * (m - 1))  # x * x gets two visible edges
            for j, parent in enumerate(node.parents):
                x1, y1 = box_x[parent] + width_of[parent], mid_y(parent)
                x2 = cx - _R - 2
                y2 = cy + (spread * (j / (m - 1) - 0.5) if m > 1 else 0.0)
                bend = max(30.0, (x2 - x1) / 2)
                edges.append(
                    f'<path class="edge" id="e{i}-{j}" d="M{x1:.1f},{y1:.1f} '
                    f'C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"/>'
                )
            edges.append(
                f'<path class="edge" id="e{i}-out" d="M{cx + _R:.1f},{cy:.1f} '
                f'L{box_x[node] - 2:.1f},{cy:.1f}"/>'
            )
            symbol = node.op.symbol
            font = 13 if len(symbol) <= 2 else max(8, 26 // len(symbol) + 3)
            shapes.append(
                f'<g class="op" id="o{i}"><title>{_esc(node.op.name)}</title>'
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{_R}"/>'
                f'<text x="{cx:.1f}" y="{cy + font / 3:.1f}" text-anchor="middle" '
                f'style="font-size:{font}px">{_esc(symbol)}</text></g>'
            )
        x, y, w = box_x[node], box_y[node], width_of[node]
        grad_attr = ' data-grad="1.0"' if node is root else ""
        grad_text = format_number(1.0) if node is root else "?"
        grad_class = "grad done" if node is root else "grad"
        kind = "leaf" if node.op is None else "op"
        shapes.append(
            f'<g class="node {kind}" id="n{i}" data-node="{i}">'
            f"<title>{_esc(name[node])}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{_BOX_H}" rx="6"/>'
            f'<text class="name" x="{x + 10:.1f}" y="{y + 18:.1f}">'
            f"{_esc(_short(name[node], _MAX_NAME))}</text>"
            f'<text class="data" x="{x + 10:.1f}" y="{y + 35:.1f}" '
            f'data-data="{_esc(repr(node.data))}">data {_esc(format_number(node.data))}</text>'
            f'<text x="{x + 10:.1f}" y="{y + 52:.1f}">grad '
            f'<tspan class="{grad_class}" data-node="{i}"{grad_attr}>{grad_text}</tspan>'
            "</text></g>"
        )

    # --- steps -----------------------------------------------------------------------------
    steps = list(backward_steps(root))
    last_step_of: dict[Value, int] = {}
    for k, step in enumerate(steps):
        last_step_of[step.parent] = k
    step_data = [
        {
            "node": index[step.node],
            "parent": index[step.parent],
            "edge": f"e{index[step.node]}-{step.parent_index}",
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
    ]
    seed_line = f"dL/d{root_name} = {format_number(1.0)}"
    payload = {
        "root": index[root],
        "nodes": len(order),
        "seed": {
            "grad": repr(1.0),
            "text": format_number(1.0),
            "line": seed_line,
            "what": "Forward pass done; seed dL/dL = 1 on the output"
            + ("" if root_name == "L" else f" (L is {root_name})"),
        },
        "steps": step_data,
    }
    forward = "\n".join(_esc(str(s)) for s in forward_steps(root)) or "(no operations)"

    page = _TEMPLATE.format(
        title=_esc(title),
        css=_CSS,
        js=_JS,
        width=svg_w,
        height=svg_h,
        edges="\n".join(edges),
        shapes="\n".join(shapes),
        total=len(steps),
        line=_esc(seed_line),
        what=_esc(payload["seed"]["what"]),  # type: ignore[index]
        forward=forward,
        data=_json_for_script(payload),
    )
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page


_CSS = """
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; background: #fafafa; }
h1 { font-size: 20px; margin: 0 0 10px; }
.controls { display: flex; align-items: center; gap: 10px; margin-bottom: 8px; }
button { font-size: 15px; padding: 4px 14px; }
#counter { font-weight: 600; min-width: 110px; }
#what { color: #444; }
#line { font-family: ui-monospace, monospace; font-size: 15px; background: #fff;
  border: 1px solid #ccc; border-radius: 6px; padding: 8px 10px; margin: 6px 0 10px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.canvas { overflow: auto; border: 1px solid #ddd; background: #fff; border-radius: 6px; }
svg text { font-family: ui-monospace, monospace; font-size: 13px; fill: #222; }
.node rect { fill: #f1f3f5; stroke: #868e96; stroke-width: 1.2; }
.node.leaf rect { fill: #fff9db; }
.node .name { font-weight: 700; }
.node.active rect { stroke: #e8590c; stroke-width: 3; }
.node.target rect { stroke: #1c7ed6; stroke-width: 3; fill: #e7f5ff; }
.op circle { fill: #fff; stroke: #868e96; stroke-width: 1.2; }
.op.active circle { stroke: #e8590c; stroke-width: 3; fill: #fff4e6; }
.edge { fill: none; stroke: #adb5bd; stroke-width: 1.4; marker-end: url(#arrow); }
.edge.hot { stroke: #e8590c; stroke-width: 3; marker-end: url(#arrowhot); }
.grad { fill: #adb5bd; }
.grad.partial { fill: #e8590c; font-weight: 700; }
.grad.done { fill: #2b8a3e; font-weight: 700; }
.legend { font-size: 13px; color: #555; margin-top: 6px; }
.legend b.partial { color: #e8590c; } .legend b.done { color: #2b8a3e; }
details { margin-top: 10px; } pre { margin: 6px 0; }
"""

_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps").textContent);
  var steps = data.steps, total = steps.length, k = 0;
  var gradEls = [];
  document.querySelectorAll("tspan.grad[data-node]").forEach(function (el) {
    gradEls[Number(el.getAttribute("data-node"))] = el;
  });
  var hot = [];
  function mark(id, cls) {
    var el = document.getElementById(id);
    if (el) { el.classList.add(cls); hot.push([el, cls]); }
  }
  function render() {
    // The state of step k is rebuilt from scratch, so going back is exact.
    var shown = [], done = [];
    shown[data.root] = data.seed; done[data.root] = true;
    for (var i = 0; i < k; i++) {
      shown[steps[i].parent] = steps[i];
      if (steps[i].final) { done[steps[i].parent] = true; }
    }
    for (var n = 0; n < data.nodes; n++) {
      var el = gradEls[n];
      if (!el) { continue; }
      var s = shown[n];
      el.textContent = s ? s.text : "?";
      if (s) { el.setAttribute("data-grad", s.grad); } else { el.removeAttribute("data-grad"); }
      el.setAttribute("class", "grad" + (s ? (done[n] ? " done" : " partial") : ""));
    }
    hot.forEach(function (pair) { pair[0].classList.remove(pair[1]); });
    hot = [];
    var cur = k === 0 ? data.seed : steps[k - 1];
    if (k > 0) {
      mark("n" + cur.node, "active");
      mark("o" + cur.node, "active");
      mark("n" + cur.parent, "target");
      mark(cur.edge, "hot");
      mark("e" + cur.node + "-out", "hot");
    }
    document.getElementById("line").textContent = cur.line;
    document.getElementById("what").textContent = cur.what;
    document.getElementById("counter").textContent = "step " + k + " / " + total;
    document.getElementById("prev").disabled = k === 0;
    document.getElementById("next").disabled = k === total;
  }
  function go(to) { k = Math.max(0, Math.min(total, to)); render(); }
  document.getElementById("prev").addEventListener("click", function () { go(k - 1); });
  document.getElementById("next").addEventListener("click", function () { go(k + 1); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { go(k + 1); }
    else if (e.key === "ArrowLeft") { go(k - 1); }
    else if (e.key === "Home") { go(0); }
    else if (e.key === "End") { go(total); }
    else { return; }
    e.preventDefault();
  });
  render();
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<h1>{title}</h1>
<div class="controls">
<button id="prev" type="button" disabled>&larr; Prev</button>
<button id="next" type="button">Next &rarr;</button>
<span id="counter">step 0 / {total}</span>
<span id="what">{what}</span>
</div>
<div id="line">{line}</div>
<div class="canvas">
<svg id="graph" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" \
orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#adb5bd"/></marker>
<marker id="arrowhot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" \
orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#e8590c"/></marker>
</defs>
<g class="edges">
{edges}
</g>
<g class="shapes">
{shapes}
</g>
</svg>
</div>
<div class="legend">Keys: &larr; / &rarr; step, Home / End jump. Gradient: ? not reached yet,
<b class="partial">orange</b> still accumulating, <b class="done">green</b> complete.
Highlighted: <span style="color:#e8590c">node being processed</span> and
<span style="color:#1c7ed6">input receiving its gradient</span>.</div>
<details><summary>Forward pass</summary><pre>{forward}</pre></details>
<script type="application/json" id="steps">{data}</script>
<script>{js}</script>
</body>
</html>
"""
