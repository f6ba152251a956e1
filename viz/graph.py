"""The computation graph as a Graphviz picture: one box per Value, one bubble per operation.

Each Value is a little table, its name over ``data 1.2345`` over ``grad 0.5000`` -- the
name every other view uses for it (:mod:`viz.names`: its label, bold, or a generated ``v3``
in grey); each operation is a small ellipse with its symbol (``*``, ``+``, ``σ``, ``Σw·x``,
``**2``); a constant (a plain number in the arithmetic) is a dashed grey box with its value.
Edges run ``parent -> op -> result``, in parent order (``x * x`` gets two edges from ``x``).
Node ids are topological positions, so the same graph always gives the same DOT text.

A network's graph is grouped: each neuron's parameters and operations sit in a box (``neuron
3``) inside its layer's box (``layer 1``), named in the article's notation (``W1[3,0]``); the
module path (``layers.0.neurons.3.w.0``) shows on hover, or as the name with ``names="path"``.
Inputs and targets show their value (``x[0] = 1``). ``detail="neuron"`` draws each neuron
call as ONE box (``a`` and its gradient), in index order, with an edge per weight coloured by
its sign and as thick as it is big, which keeps a 2-16-16-1 network in a notebook's column.

Drawings are made for a notebook's output column (~830 px wide, scrolling down): with
``rankdir=None`` a graph whose left-to-right layout would pass ``COLUMN_PX`` is drawn top to
bottom, a layer per row (:func:`choose_rankdir`); ``rankdir="LR"`` etc. still force one.

Usage::

    viz.graph.draw(loss)                      # in a notebook: displays inline (SVG)
    viz.graph.render(loss, "loss.svg")        # .svg .png .pdf, or .dot/.gv for the source
    print(viz.graph.to_dot(loss))             # the DOT source; needs nothing installed

Building the DOT text needs nothing; :func:`draw` needs the ``graphviz`` Python package;
turning it into a picture needs a ``dot``-compatible program, found in this order: the
``renderer=`` argument, the ``GRADSTEP_DOT`` environment variable, the system Graphviz ``dot``,
then ``graphviz-pure`` (``pip install "gradstep[viz]"``). graphviz-pure has no PDF output;
for ``.pdf`` it renders a high-resolution PNG and matplotlib wraps it in a (raster) PDF.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = x * x
>>> print(to_dot(y, show_grad=False))
digraph gradstep {
    graph [rankdir=LR ...]
    ...
    v0 [label=<...<TR><TD><B>x</B></TD></TR><TR><TD>data 3.0000</TD></TR>...tooltip="x"]
    v1 [label=<...<TD><FONT COLOR="#868e96">y</FONT></TD></TR><TR><TD>data 9.0000</TD>...]
    op1 [label=<*> ...]
    v0 -> op1 [id=e1_0]
    v0 -> op1 [id=e1_1]
    op1 -> v1
}
<BLANKLINE>
"""

from __future__ import annotations

import functools
import html
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd import Value, ops, topological_order
from autograd.messages import not_a_value
from nn import path_of

from .groups import Fold, NeuronCall, find_folds, find_neurons, parent_path, relative_path
from .names import STYLES, constant_text, names
from .tree import format_number

if TYPE_CHECKING:  # graphviz is optional: imported only inside the functions that need it
    import graphviz

__all__ = [
    "to_dot",
    "draw",
    "draw_dot",
    "render",
    "find_renderer",
    "renderer_name",
    "display_lines",
    "RANKDIRS",
    "COLUMN_PX",
    "choose_rankdir",
    "DETAILS",
    "FORMATS",
    "ENV_VAR",
]

#: Accepted layout directions: left-right, top-bottom, right-left, bottom-top (``None``: the
#: narrower of LR and TB for the graph, see :func:`choose_rankdir`).
RANKDIRS = ("LR", "TB", "RL", "BT")

#: A notebook's output column at 1280 px is about 830 CSS px wide: a left-to-right layout
#: estimated wider than this is drawn top to bottom.
COLUMN_PX = 800

#: How much to draw: every Value, or one box per neuron call.
DETAILS = ("value", "neuron")

#: The default ``max_nodes``: past this many boxes a drawing stops being readable.
MAX_NODES = 150

#: File suffix -> Graphviz output format (``None``: the DOT source itself is written).
FORMATS: dict[str, str | None] = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": None,
    ".gv": None,
}

#: Environment variable naming the renderer to use (a path or a command on PATH).
ENV_VAR = "GRADSTEP_DOT"

#: Seconds a renderer may run before it is stopped.
RENDER_TIMEOUT = 60.0

#: Pixels per inch of the PNG that goes inside a PDF when the renderer has no PDF output.
PDF_FALLBACK_DPI = 192

_FILL = "#f7f7f7"
_HIGHLIGHT_FILL = "#ffe08a"
_HIGHLIGHT_BORDER = "#d62728"
_GENERATED = "#868e96"  # a name gradstep made up (v3, L), as opposed to a label
_CONSTANT = "#6c757d"
_CLUSTER = "#adb5bd"
_CLUSTER_TEXT = "#495057"
_DENSE = "#868e96"
_POSITIVE = "#1971c2"  # a weight's edge in the neuron view: blue for w > 0, red for w < 0
_NEGATIVE = "#e03131"
_FONT = 11  # points: 14.7 CSS px at 100 %, still >= 9 px when a drawing is shown at 0.6

_NEWLINE = re.compile(r"\r\n|\r|\n")


# --- text -----------------------------------------------------------------------------------


def _visible(ch: str) -> str:
    """``ch``, or a ``\\x..`` escape for characters no renderer (or SVG/XML) can show."""
    code = ord(ch)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
    if unicodedata.category(ch) in ("Cc", "Cs") or noncharacter:
        if code <= 0xFF:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return ch


def display_lines(text: str) -> list[str]:
    """The lines a label is drawn as: split at newlines, tabs expanded, controls escaped.

    Everything else -- quotes, braces, ``<>``, ``|``, backslashes, any Unicode -- is drawn
    exactly as written.

    >>> display_lines('a\\tb\\n{"x"|<y>}\\x00')
    ['a   b', '{"x"|<y>}\\\\x00']
    """
    return ["".join(map(_visible, line.expandtabs(4))) for line in _NEWLINE.split(text)]


def _html(text: str) -> str:
    # HTML-like labels: Graphviz parses them as XML, so html.escape covers <, >, & and quotes,
    # and {, | and < have no second meaning as they do in record labels. Backslashes still
    # do: Graphviz substitutes \N (node name), \G, \E, \T, \H, \L and turns \\ into \ even
    # here, so every backslash is doubled. Graphviz 2.43 rejects a text that is just "]" (a
    # syntax error); as a character reference it is fine everywhere.
    return "<BR/>".join(
        html.escape(line).replace("\\", "\\\\").replace("]", "&#93;")
        for line in display_lines(text)
    )


def _quoted(text: str) -> str:
    """``text`` as a DOT quoted string (an escString: backslashes doubled, one line)."""
    line = " ".join(display_lines(text))
    return '"' + line.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- DOT --------------------------------------------------------------------------------------


def _highlighted(highlight: Value | Iterable[Value] | None) -> set[Value]:
    if highlight is None:
        return set()
    items = [highlight] if isinstance(highlight, Value) else list(highlight)
    for item in items:
        if not isinstance(item, Value):
            raise TypeError(
                f"highlight takes a Value or an iterable of Values, got {type(item).__name__}"
            )
    return set(items)


def _table(rows: list[str], lit: bool, padding: int = 2) -> str:
    # One cell per row: a box grows down, not across (name, then data, then grad).
    fill, border = (_HIGHLIGHT_FILL, _HIGHLIGHT_BORDER) if lit else (_FILL, "black")
    body = "".join(f"<TR>{cell}</TR>" for cell in rows)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="{padding}" '
        f'BGCOLOR="{fill}" COLOR="{border}">{body}</TABLE>>'
    )


def _name_cell(node: Value, name: str) -> str:
    # A name the user gave is bold; a generated one (v3, L) is grey, so the two read apart.
    if node.label:
        return f"<TD><B>{_html(name)}</B></TD>"
    return f'<TD><FONT COLOR="{_GENERATED}">{_html(name)}</FONT></TD>'


def _tooltip(node: Value, name: str) -> str:
    """The hover text of a box: the module path where ``nn`` knows one, else its name."""
    return f"tooltip={_quoted(path_of(node) or name)}"


def _constant_text(node: Value, name: str) -> str:
    # An input x[0] or a target y is a constant with a label: say both (x[0] = 1).
    value = constant_text(node.data)
    if not node.label or name == value:
        return value
    return f"{name} = {constant_text(float(f'{node.data:.4g}'))}"


def _value_node(node: Value, name: str, show_grad: bool, lit: bool) -> str:
    if node.is_constant:
        # A plain number in the arithmetic: its value, dashed and grey, no gradient.
        style, colour, fill = "rounded,dashed", _CONSTANT, ""
        if lit:
            style, colour = "rounded,dashed,filled", _HIGHLIGHT_BORDER
            fill = f' fillcolor="{_HIGHLIGHT_FILL}"'
        return (
            f'[label=<{_html(_constant_text(node, name))}> shape=box style="{style}" '
            f'color="{colour}"{fill} fontcolor="{_CONSTANT}" margin="0.06,0.03" width=0 '
            f"height=0 {_tooltip(node, name)}]"
        )
    rows = [_name_cell(node, name), f"<TD>data {format_number(node.data)}</TD>"]
    if show_grad:
        rows.append(f"<TD>grad {format_number(node.grad)}</TD>")
    return (
        f"[label={_table(rows, lit)} shape=none margin=0 width=0 height=0 {_tooltip(node, name)}]"
    )


def _op_node(symbol: str) -> str:
    # ordering=in keeps incoming edges in the order written, i.e. in parent order.
    return (
        f'[label=<{_html(symbol)}> shape=ellipse style=filled fillcolor="#dde8f5" '
        f'margin="0.03,0.01" width=0 height=0 ordering=in tooltip={_quoted(symbol)}]'
    )


def _fold_node(fold: Fold, name: str, show_grad: bool, lit: bool) -> str:
    # The head's value and gradient, and the operations folded into it, in forward order.
    symbols = [v.op.symbol for v in fold.members if v.op is not None]
    steps = " ".join(symbols if len(symbols) <= 6 else [*symbols[:5], "…"])
    head = fold.head
    rows = [
        _name_cell(head, name),
        f'<TD><FONT COLOR="{_GENERATED}">{_html(steps)}</FONT></TD>',
        f"<TD>data {format_number(head.data)}</TD>",
    ]
    if show_grad:
        rows.append(f"<TD>grad {format_number(head.grad)}</TD>")
    return (
        f"[label={_table(rows, lit)} shape=none margin=0 width=0 height=0 {_tooltip(head, name)}]"
    )


def _neuron_node(call: NeuronCall, title: str, show_grad: bool, lit: bool) -> str:
    a = call.a
    rows = [f"<TD><B>{_html(title)}</B></TD>", f"<TD>a {_short(a.data)}</TD>"]
    if show_grad:
        rows.append(f"<TD>g {_short(a.grad)}</TD>")
    # Compact: a layer of 16 of these side by side fits the column.
    tip = f"{call.path or 'neuron'}: a = {format_number(a.data)}"
    if show_grad:
        tip += f", grad {format_number(a.grad)}"
    return (
        f"[label={_table(rows, lit, padding=1)} shape=none margin=0 width=0 height=0 "
        f"tooltip={_quoted(tip)}]"
    )


def _short(x: float) -> str:
    """A number in at most 7 characters for the neuron view's narrow boxes: ``-0.301``.

    >>> _short(0.72681), _short(-0.0508), _short(12.345), _short(-1234.5), _short(0.0)
    ('0.727', '-0.0508', '12.3', '-1e+03', '0')
    """
    if x == 0:
        return "0"
    text = f"{x:.3g}"
    return text if len(text) <= 7 else f"{x:.0e}"


def _text_width(text: str, points: float) -> float:
    # Helvetica averages a little over half an em per character.
    return max(map(len, display_lines(text)), default=0) * points * 0.58


@dataclass
class _Drawing:
    """The DOT body of a drawing and what its short description needs."""

    lines: list[str]
    root_name: str
    values: int
    boxes: int
    detail: str
    rankdir: str


@dataclass
class _Plan:
    """What a view draws: its statements, and each box's estimated width and edges (for the
    choice of a direction)."""

    lines: list[str]
    widths: dict[str, float]  # DOT node id -> width in points
    edges: list[tuple[str, str]]
    columns: dict[str, float] = field(default_factory=dict)  # id -> its cluster's width


def _check_arguments(
    root: Any, rankdir: Any, max_nodes: Any, detail: Any, names_style: Any
) -> None:
    if not isinstance(root, Value):
        raise TypeError(not_a_value("expected a Value to draw", root))
    if rankdir is not None and rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)} or None; got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(map(repr, DETAILS))}; got {detail!r}")
    if names_style not in STYLES:
        raise ValueError(
            f"names must be one of {', '.join(map(repr, STYLES))}; got {names_style!r}"
        )


def _drawing(
    root: Value,
    rankdir: str | None,
    show_grad: bool,
    highlight: Any,
    max_nodes: int,
    detail: str,
    names_style: str = "article",
) -> _Drawing:
    _check_arguments(root, rankdir, max_nodes, detail, names_style)
    lit = _highlighted(highlight)
    order = topological_order(root)  # iterative and linear: cheap even for huge graphs
    index = {node: i for i, node in enumerate(order)}
    coarse = _coarse(root, order, index)
    boxes = len(order) if detail == "value" else coarse.boxes
    if boxes > max_nodes:
        raise ValueError(_too_big(boxes, coarse.boxes, max_nodes, detail, len(coarse.calls)))
    name = names(root, order=order, style=names_style)
    if detail == "value":
        plan = _value_view(order, index, name, coarse.calls, show_grad, lit, names_style)
    else:
        plan = _neuron_view(order, index, name, coarse, show_grad, lit, names_style)
    ranksep = 0.3 if detail == "value" else 0.25  # inches
    direction = rankdir or choose_rankdir(plan.widths, plan.edges, plan.columns, ranksep * 72)
    # remincross=false: dot's last pass across clusters would undo the neurons' index order.
    spacing = f"nodesep={0.05 if detail == 'value' else 0.04} ranksep={ranksep} remincross=false"
    if direction in ("LR", "RL"):
        # dot lays a flat chain out left to right before turning the picture: bottom to top
        # in LR. Reversed, a layer's neuron 0 is at the top.
        plan.lines = [_reverse_chain(line) for line in plan.lines]
    out = [
        f"graph [rankdir={direction} {spacing}]",
        f'node [fontname="Helvetica" fontsize={_FONT if detail == "value" else 10}]',
        "edge [arrowsize=0.6]",
        *plan.lines,
    ]
    return _Drawing(out, name[root], len(order), boxes, detail, direction)


_CHAIN = re.compile(r"^(\s*)\{rank=same ((?:\w+ -> )+\w+) \[style=invis\]\}$")


def _reverse_chain(line: str) -> str:
    match = _CHAIN.match(line)
    if match is None:
        return line
    boxes = match.group(2).split(" -> ")
    return f"{match.group(1)}{{rank=same {' -> '.join(reversed(boxes))} [style=invis]}}"


def _ranks(ids: Iterable[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """The rank dot is likely to give each node: the longest path from a source, a source
    pulled next to its first consumer (network simplex keeps edges short)."""
    into: dict[str, list[str]] = {}
    out_of: dict[str, list[str]] = {}
    for tail, head in edges:
        into.setdefault(head, []).append(tail)
        out_of.setdefault(tail, []).append(head)
    rank: dict[str, int] = {}
    for node in ids:  # ids come in topological order
        rank[node] = 1 + max((rank[t] for t in into.get(node, ()) if t in rank), default=-1)
    for node in rank:
        if node not in into and node in out_of:
            rank[node] = max(0, min(rank[h] for h in out_of[node]) - 1)
    return rank


def choose_rankdir(
    widths: dict[str, float],
    edges: list[tuple[str, str]],
    columns: dict[str, float] | None = None,
    ranksep: float = 22.0,
) -> str:
    """``"LR"`` when a left-to-right layout fits :data:`COLUMN_PX`, else the narrower of LR and
    TB (top to bottom, which grows down: a notebook column scrolls only downwards).

    ``widths`` are the boxes' widths in points, in topological order; ``edges`` (tail, head);
    ``columns`` the width left to right of a box's cluster where it is wider (its caption);
    ``ranksep`` the gap between ranks in points.

    >>> chain = {f"n{i}": 60.0 for i in range(4)}
    >>> choose_rankdir(chain, [(f"n{i}", f"n{i + 1}") for i in range(3)])
    'LR'
    >>> long = {f"n{i}": 60.0 for i in range(20)}
    >>> choose_rankdir(long, [(f"n{i}", f"n{i + 1}") for i in range(19)])
    'TB'
    """
    rank = _ranks(widths, edges)
    columns = columns or {}
    per_rank: dict[int, list[float]] = {}
    column: dict[int, float] = {}
    for node, r in rank.items():
        per_rank.setdefault(r, []).append(widths[node])
        column[r] = max(column.get(r, 0.0), widths[node], columns.get(node, 0.0))
    nodesep, margin = 9.0, 30.0  # points: dot's gap in a rank, and clusters' frames
    lr = sum(column.values()) + ranksep * (len(per_rank) - 1) + margin
    tb = max(sum(ws) + nodesep * (len(ws) - 1) for ws in per_rank.values()) + margin
    if lr * 4 / 3 <= COLUMN_PX or lr <= tb:
        return "LR"
    return "TB"


def _box_width(node: Value, name: str) -> float:
    if node.is_constant:
        return _text_width(_constant_text(node, name), _FONT) + 12
    return max(_text_width(name, _FONT), _text_width("grad -0.0000", _FONT)) + 8


@dataclass
class _Coarse:
    """The neuron view's plan: which nodes each box folds in, and what stays visible."""

    calls: list[NeuronCall]
    folds: list[Fold]
    box_of: dict[Value, str]  # a folded node (or a parameter inside its neuron) -> box id
    shown: list[Value]  # the nodes still drawn one by one (inputs, shared parameters)

    @property
    def boxes(self) -> int:
        return len(self.calls) + len(self.folds) + len(self.shown)


def _coarse(root: Value, order: list[Value], index: dict[Value, int]) -> _Coarse:
    calls = find_neurons(root, order)
    folds = find_folds(root, order, {v for call in calls for v in call.members})
    box_of: dict[Value, str] = {}
    for call in calls:
        for node in call.members:
            box_of[node] = f"nr{index[call.a]}"
    for fold in folds:
        for node in fold.members:
            box_of[node] = f"fd{index[fold.head]}"
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for p in node.parents:
            consumers.setdefault(p, []).append(node)
    # A parameter (or a constant) used only by boxes disappears into them; a parameter then
    # stands for its neuron, so an L2 term's box is fed by the neurons' boxes.
    inner: dict[Value, str] = {}
    for call in calls:
        for p in call.params:
            inner.setdefault(p, f"nr{index[call.a]}")
    for fold in folds:
        for c in fold.constants:
            inner.setdefault(c, f"fd{index[fold.head]}")
    for node, box in inner.items():
        if all(c in box_of for c in consumers.get(node, ())):
            box_of[node] = box
    shown = [node for node in order if node not in box_of]
    return _Coarse(calls, folds, box_of, shown)


def _value_view(
    order: list[Value],
    index: dict[Value, int],
    name: dict[Value, str],
    calls: list[NeuronCall],
    show_grad: bool,
    lit: set[Value],
    names_style: str,
) -> _Plan:
    """Every Value and operation; each neuron's inside a cluster, inside its layer's."""
    cluster_of: dict[Value, str] = {}
    for call in calls:
        for node in (*call.members, *call.params):
            cluster_of.setdefault(node, call.path)
    body: dict[str | None, list[str]] = {}  # cluster path (None: none) -> its statements
    widths: dict[str, float] = {}
    edges: list[tuple[str, str]] = []
    for node in order:
        i = index[node]
        statements = body.setdefault(cluster_of.get(node), [])
        statements.append(f"v{i} {_value_node(node, name[node], show_grad, node in lit)}")
        widths[f"v{i}"] = _box_width(node, name[node])
        if node.op is not None:
            statements.append(f"op{i} {_op_node(node.op.symbol)}")
            widths[f"op{i}"] = _text_width(node.op.symbol, _FONT) + 14
    out = _clusters(body, {}, names_style)
    for node in order:
        if node.op is None:
            continue
        i = index[node]
        for k, parent in enumerate(node.parents):
            out.append(f"v{index[parent]} -> op{i} [id=e{i}_{k}]")
            edges.append((f"v{index[parent]}", f"op{i}"))
        out.append(f"op{i} -> v{i}")
        edges.append((f"op{i}", f"v{i}"))
    placed: set[tuple[Value, Value]] = set()
    for call in calls:
        # A neuron's parameters come after what flows into it, so that a layer sits below (or
        # beside) the one before rather than next to it: the picture grows one way only.
        # An input of the first layer (x[0], x[1]) sits in a row above, not beside it.
        computed = [p for p in call.inputs if p.op is not None]
        pairs = [(computed[0], q) for q in call.params] if computed else []
        if not computed and call.params:
            pairs = [(p, call.params[0]) for p in call.inputs]
        for source, param in pairs:
            if (source, param) not in placed and cluster_of.get(param) == call.path:
                placed.add((source, param))
                out.append(f"v{index[source]} -> v{index[param]} [style=invis]")
                edges.append((f"v{index[source]}", f"v{index[param]}"))
    ids = [f"{kind}{index[node]}" for node in order for kind in ("op", "v") if kind == "v"
           or node.op is not None]  # fmt: skip
    return _Plan(out, {k: widths[k] for k in ids}, edges)


def _weights(call: NeuronCall) -> dict[Value, Value]:
    """Each input of a neuron call -> the weight it is multiplied by (compact or expanded)."""
    z = call.z
    if z.op is ops.DOT:
        n = len(z.parents) // 2
        return dict(zip(z.parents[n : 2 * n], z.parents[:n]))
    params = set(call.params)
    found: dict[Value, Value] = {}
    for m in call.members:
        if m.op is ops.MUL and len(m.parents) == 2:
            u, v = m.parents
            if (u in params) != (v in params):
                weight, x = (u, v) if u in params else (v, u)
                found.setdefault(x, weight)
    return found


def _weight_edge(weight: Value, name: str, strongest: float) -> str:
    # Colour is the sign, width and opacity the size: 256 edges between two layers of 16
    # read as a pattern, the small weights faint, instead of a solid grey band.
    share = abs(weight.data) / strongest if strongest > 0 else 0.0
    colour = _POSITIVE if weight.data >= 0 else _NEGATIVE
    alpha = round(0x30 + 0xCF * share)
    tip = _quoted(f"{name} = {format_number(weight.data)}")
    return f'color="{colour}{alpha:02x}" penwidth={0.3 + 2.2 * share:.2f} tooltip={tip}'


def _neuron_view(
    order: list[Value],
    index: dict[Value, int],
    name: dict[Value, str],
    coarse: _Coarse,
    show_grad: bool,
    lit: set[Value],
    names_style: str,
) -> _Plan:
    """One box per neuron call (in its layer's cluster, in index order), one per folded loss
    step; an edge per weight, drawn by its sign and size."""
    body: dict[str | None, list[str]] = {}
    widths: dict[str, float] = {}
    formulas: dict[str, set[str]] = {}
    rows: dict[str, list[str]] = {}  # layer -> its boxes, in index order
    example: dict[NeuronCall, int] = {}  # a batch: the k-th call of a path is example k
    counts: dict[str, int] = {}
    for call in coarse.calls:
        example[call] = counts[call.path] = counts.get(call.path, 0) + 1
    for call in sorted(coarse.calls, key=lambda c: (example[c], _path_key(c.path))):
        layer = parent_path(call.path)
        if names_style == "path":
            title = relative_path(call.path, layer) or "neuron"
        else:
            title = name[call.a]
        glow = not lit.isdisjoint((*call.members, *call.params))
        box = f"nr{index[call.a]}"
        body.setdefault(layer or None, []).append(
            f"{box} {_neuron_node(call, title, show_grad, glow)}"
        )
        widths[box] = max(_text_width(title, 10), _text_width("g -0.301", 10)) + 4
        rows.setdefault(layer, []).append(box)
        formulas.setdefault(layer, set()).add(call.formula)
    for layer, boxes in rows.items():
        if layer and len(boxes) > 1:
            # Flat invisible edges keep a layer's neurons in index order (dot would reorder).
            chain = " -> ".join(boxes)
            body.setdefault(layer, []).append(f"{{rank=same {chain} [style=invis]}}")
    captions = {
        layer: f"{_cluster_title(layer, names_style)}\na = {next(iter(found))}"
        for layer, found in formulas.items()
        if layer and len(found) == 1
    }
    for fold in coarse.folds:
        glow = not lit.isdisjoint(fold.members)
        box = f"fd{index[fold.head]}"
        body.setdefault(None, []).append(
            f"{box} {_fold_node(fold, name[fold.head], show_grad, glow)}"
        )
        widths[box] = _box_width(fold.head, name[fold.head])
    for node in coarse.shown:
        body.setdefault(None, []).append(
            f"v{index[node]} {_value_node(node, name[node], show_grad, node in lit)}"
        )
        widths[f"v{index[node]}"] = _box_width(node, name[node])
    out = _clusters(body, captions, names_style)
    columns = {  # left to right, a layer's column is as wide as its caption
        box: max(map(lambda t: _text_width(t, _FONT), captions[layer].split("\n"))) + 16
        for layer, boxes in rows.items()
        if layer in captions
        for box in boxes
    }
    edges: list[tuple[str, str]] = []
    strongest: dict[str, float] = {}
    weights = {call: _weights(call) for call in coarse.calls}
    for call in coarse.calls:
        layer = parent_path(call.path)
        biggest = max((abs(w.data) for w in weights[call].values()), default=0.0)
        strongest[layer] = max(strongest.get(layer, 0.0), biggest)
    sources: list[tuple[str, tuple[Value, ...], dict[Value, Value], str]] = [
        *((f"nr{index[c.a]}", c.inputs, weights[c], parent_path(c.path)) for c in coarse.calls),
        *((f"fd{index[f.head]}", f.inputs, {}, "") for f in coarse.folds),
    ]
    for box, inputs, weight_of, layer in sources:
        seen: set[str] = set()
        for p in inputs:
            source = coarse.box_of.get(p, f"v{index[p]}")
            if source == box or source in seen:
                continue
            seen.add(source)
            edges.append((source, box))
            weight = weight_of.get(p)
            if weight is None:
                out.append(f'{source} -> {box} [color="{_DENSE}" penwidth=0.7]')
            else:
                style = _weight_edge(weight, name[weight], strongest[layer])
                out.append(f"{source} -> {box} [{style}]")
    ids = sorted(widths, key=lambda k: int(k[2:] if k[:2] in ("nr", "fd") else k[1:]))
    return _Plan(out, {k: widths[k] for k in ids}, edges, columns)


def _cluster_title(path: str, names_style: str) -> str:
    """A module's title: ``layer 1`` for ``layers.0``, ``neuron 3`` for ``neurons.3`` (the
    article's numbering), or its path with ``names="path"``.

    >>> _cluster_title("layers.0", "article"), _cluster_title("layers.0.neurons.3", "article")
    ('layer 1', 'neuron 3')
    >>> _cluster_title("layers.0.neurons.3", "path")
    'neurons.3'
    """
    own = relative_path(path, parent_path(path)) or "neuron"
    if names_style == "path":
        return own
    match = re.fullmatch(r"(layers|neurons)\.(\d+)", own)
    if match is None:
        return own
    kind, i = match.groups()
    return f"layer {int(i) + 1}" if kind == "layers" else f"neuron {i}"


def _clusters(
    body: dict[str | None, list[str]], captions: dict[str, str], names_style: str = "article"
) -> list[str]:
    """The statements of ``body``, each cluster path's inside a (nested) graphviz cluster."""
    children: dict[str | None, list[str]] = {}
    pending = [path for path in body if path is not None]
    known = set(pending)
    while pending:  # every cluster, and the modules holding them (a layer holds its neurons)
        path = pending.pop()
        outer = parent_path(path) or None if path else None
        children.setdefault(outer, []).append(path)
        if outer is not None and outer not in known:
            known.add(outer)
            pending.append(outer)
    out = list(body.get(None, []))
    counter = 0

    def emit(path: str, depth: int) -> None:
        nonlocal counter
        counter += 1
        pad = "    " * depth
        title = captions.get(path) or _cluster_title(path, names_style)
        out.append(f"{pad}subgraph cluster_{counter} {{")
        out.append(
            f'{pad}    graph [label=<{_html(title)}> style=rounded color="{_CLUSTER}" '
            f'fontname="Helvetica" fontcolor="{_CLUSTER_TEXT}" fontsize={_FONT} labeljust=l '
            f"tooltip={_quoted(path)}]"
        )
        for statement in body.get(path, []):
            out.append(f"{pad}    {statement}")
        for inner in sorted(children.get(path, []), key=_path_key):
            emit(inner, depth + 1)
        out.append(f"{pad}}}")

    for path in sorted(children.get(None, []), key=_path_key):
        emit(path, 0)
    return out


def _path_key(path: str) -> list[Any]:
    # layers.2 before layers.10: numbers compare as numbers.
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in path.split(".")]


def _too_big(boxes: int, coarse: int, max_nodes: int, detail: str, neurons: int) -> str:
    what = "Values" if detail == "value" else "boxes"
    text = (
        f"this graph has {boxes} {what}, more than max_nodes={max_nodes}: a picture that "
        "big is unreadable (and slow to lay out). "
    )
    if detail == "value" and neurons:
        text += (
            f"It holds {neurons} neuron calls: draw one box per neuron call with "
            f"viz.draw(root, detail='neuron') ({coarse} boxes), "
        )
    elif neurons > 1:
        text += "Draw the graph of one example rather than a whole batch, "
    return text + (
        f"pass max_nodes={boxes} to draw it anyway, or read it as text: "
        "print(viz.tree(root, max_depth=3))"
    )


def _source(lines: list[str]) -> str:
    # The same text graphviz.Digraph(name="gradstep", body=...) produces, so that
    # to_dot(root) == draw(root).source.
    return "digraph gradstep {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"


def to_dot(
    root: Value,
    rankdir: str | None = None,
    show_grad: bool = True,
    highlight: Value | Iterable[Value] | None = None,
    max_nodes: int = MAX_NODES,
    detail: str = "value",
    names: str = "article",
) -> str:
    """The DOT source of the graph ending at ``root``; needs no package and no renderer.

    ``rankdir`` is one of ``RANKDIRS``, or ``None`` to choose by the graph's shape
    (:func:`choose_rankdir`); ``names`` is ``"article"`` or ``"path"`` (see
    :func:`viz.names.names`); ``show_grad=False`` leaves out the gradients;
    ``highlight`` is a Value or some Values to colour (say, the node a step-through is at).
    ``detail`` is ``"value"`` (every Value) or ``"neuron"`` (one box per neuron call, its
    parameters and operations inside). A drawing of more than ``max_nodes`` boxes raises a
    ValueError that says which coarser view to use, instead of a slow, unreadable layout.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b
    >>> "op2 [label=<*>" in to_dot(c), "v0 -> op2 [id=e2_0]" in to_dot(c)
    (True, True)
    >>> to_dot(c, rankdir="up")
    Traceback (most recent call last):
    ...
    ValueError: rankdir must be one of LR, TB, RL, BT or None; got 'up'
    """
    return _source(_drawing(root, rankdir, show_grad, highlight, max_nodes, detail, names).lines)


# --- renderers --------------------------------------------------------------------------------


def _environment_dirs() -> str:
    # pip puts graphviz-pure in the environment's scripts folder, which is on PATH only while
    # the environment is activated -- not in a Jupyter kernel or `.venv/bin/python script.py`.
    dirs = dict.fromkeys([sysconfig.get_path("scripts"), os.path.dirname(sys.executable)])
    return os.pathsep.join(dirs)


def find_renderer(renderer: str | os.PathLike[str] | None = None) -> str | None:
    """The full path of the program that would render, or ``None`` if there is none.

    Order: ``renderer`` (a path or a command name), then ``$GRADSTEP_DOT``, then the system
    Graphviz ``dot``, then ``graphviz-pure``. A renderer asked for by name that cannot be
    found is an error rather than a silent fallback.

    >>> find_renderer("surely-not-a-renderer")
    Traceback (most recent call last):
    ...
    RuntimeError: renderer 'surely-not-a-renderer' not found: ...
    """
    wanted = [(renderer, "renderer")] if renderer is not None else []
    env = os.environ.get(ENV_VAR)
    if renderer is None and env:
        wanted = [(env, f"{ENV_VAR}")]
    for name, source in wanted:
        path = shutil.which(os.fspath(name))
        if path is None:
            raise RuntimeError(
                f"{source} {os.fspath(name)!r} not found: give an executable path or a command "
                f"on PATH (for example 'dot' or 'graphviz-pure')"
            )
        return path
    here = _environment_dirs()
    for name in ("dot", "graphviz-pure"):
        path = shutil.which(name) or shutil.which(name, path=here)
        if path is not None:
            return path
    return None


def renderer_name(renderer: str | os.PathLike[str] | None = None) -> str | None:
    """The name of the renderer :func:`render` would use (``'dot'``, ``'graphviz-pure'``...).

    ``None`` means no renderer is installed; :func:`to_dot` still works.

    >>> renderer_name() in (None, "dot", "graphviz-pure") or "GRADSTEP_DOT" in os.environ
    True
    """
    path = find_renderer(renderer)
    if path is None:
        return None
    name = Path(path).name
    return name[:-4] if name.lower().endswith(".exe") else name


def _no_renderer_error() -> RuntimeError:
    return RuntimeError(
        "no Graphviz renderer found (looked for the renderer= argument, $GRADSTEP_DOT, 'dot' "
        "and 'graphviz-pure' on PATH). Install one: pip install \"gradstep[viz]\" (brings "
        "graphviz-pure, a dot-compatible renderer), or the system Graphviz (apt install "
        "graphviz / brew install graphviz). The DOT source needs no renderer: "
        "viz.graph.to_dot(root) or draw(root).source, or render(root, 'graph.dot')."
    )


def _run(
    source: str,
    fmt: str,
    renderer: str | os.PathLike[str] | None,
    extra: tuple[str, ...] = (),
    timeout: float = RENDER_TIMEOUT,
) -> bytes:
    """Render ``source`` to ``fmt`` with the resolved renderer; RuntimeError on any failure."""
    exe = find_renderer(renderer)
    if exe is None:
        raise _no_renderer_error()
    name = Path(exe).name
    try:
        proc = subprocess.run(
            [exe, f"-T{fmt}", *extra],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"{name} did not finish rendering {fmt} within {timeout:g} s; try a smaller graph "
            f"or viz.tree(root)"
        ) from None
    except OSError as exc:
        raise RuntimeError(f"could not run renderer {exe!r}: {exc}") from exc
    if proc.returncode != 0 or not proc.stdout:
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(
            f"{name} failed to render {fmt} (exit status {proc.returncode}): "
            f"{stderr or '(no message)'}"
        )
    return proc.stdout


_TITLED_LINK = re.compile(rb'<title>[^<]*</title>(\s*<g id="a_[^"]*"><a xlink:title="([^"]*)")')


def _svg_hover(svg: bytes) -> bytes:
    """``svg`` with each node's and edge's ``<title>`` (the DOT id, ``v3``) replaced by its
    tooltip (a module path, a name, a weight), so every browser shows that on hover.

    Both renderers write a tooltip as ``<a xlink:title=...>`` inside the element, after a
    ``<title>`` holding the DOT id; browsers disagree on which they show.

    >>> _svg_hover(b'<title>v0</title> <g id="a_node1"><a xlink:title="w.0">')
    b'<title>w.0</title> <g id="a_node1"><a xlink:title="w.0">'
    """
    return _TITLED_LINK.sub(lambda m: b"<title>" + m.group(2) + b"</title>" + m.group(1), svg)


def _png_to_pdf(png: bytes, dpi: int) -> bytes:
    """Wrap a PNG in a one-page PDF of the same physical size, with matplotlib."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.image import imread
    except ImportError:
        raise RuntimeError(
            "this renderer cannot write PDF and matplotlib (used to wrap a PNG in a PDF) is "
            "not installed. Alternatives: install the system Graphviz (apt install graphviz / "
            "brew install graphviz), pip install matplotlib, or save .svg or .png instead"
        ) from None
    image = imread(io.BytesIO(png), format="png")
    height, width = image.shape[:2]
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.imshow(image, interpolation="none", aspect="auto")
    axes.set_axis_off()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf", dpi=dpi)
    return buffer.getvalue()


def _pdf(source: str, renderer: Any, timeout: float) -> bytes:
    try:
        return _run(source, "pdf", renderer, timeout=timeout)
    except RuntimeError as exc:
        if "not recognized" not in str(exc):  # a real failure, not "no PDF output here"
            raise
    png = _run(source, "png", renderer, (f"-Gdpi={PDF_FALLBACK_DPI}",), timeout=timeout)
    return _png_to_pdf(png, PDF_FALLBACK_DPI)


def render(
    root: Value,
    path: str | os.PathLike[str],
    renderer: str | os.PathLike[str] | None = None,
    timeout: float = RENDER_TIMEOUT,
    **draw_kwargs: Any,
) -> Path:
    """Draw ``root``'s graph into ``path``; the suffix picks the format. Returns the path.

    ``.svg`` and ``.png`` come from the renderer (see :func:`find_renderer`); ``.dot``/``.gv``
    is the source and needs no renderer; ``.pdf`` is native with the system Graphviz, and
    with a renderer that has no PDF output (graphviz-pure) a PNG at ``PDF_FALLBACK_DPI``
    wrapped in a PDF by matplotlib. ``draw_kwargs`` are those of :func:`to_dot`.

    >>> from autograd import Value
    >>> render(Value(1.0), "graph.jpeg")
    Traceback (most recent call last):
    ...
    ValueError: cannot tell the format of 'graph.jpeg': use one of .svg, .png, .pdf, .dot, .gv
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {target.name!r}: use one of {', '.join(FORMATS)}"
        )
    source = to_dot(root, **draw_kwargs)
    fmt = FORMATS[suffix]
    if fmt is None:
        target.write_text(source, encoding="utf-8")
    elif fmt == "pdf":
        target.write_bytes(_pdf(source, renderer, timeout))
    elif fmt == "svg":
        target.write_bytes(_svg_hover(_run(source, fmt, renderer, timeout=timeout)))
    else:
        target.write_bytes(_run(source, fmt, renderer, timeout=timeout))
    return target


# --- graphviz.Digraph for notebooks -------------------------------------------------------------


@functools.cache
def _digraph_class() -> type[graphviz.Digraph]:
    import graphviz

    class GradstepDigraph(graphviz.Digraph):
        """A ``graphviz.Digraph`` that displays in Jupyter through gradstep's renderer lookup.

        graphviz's own display runs ``dot``, which may not be installed; this one also works
        with only graphviz-pure.
        """

        _gradstep_renderer: str | os.PathLike[str] | None = None
        _gradstep_summary: str = "a gradstep drawing"

        def __repr__(self) -> str:
            return f"<{self._gradstep_summary}: SVG in Jupyter, .source is the DOT text>"

        def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
            printer.text(repr(self))

        def _repr_svg_(self) -> str:
            return _svg_hover(_run(self.source, "svg", self._gradstep_renderer)).decode("utf-8")

        _repr_image_svg_xml = _repr_svg_

        # graphviz's own pipe/render/view run the system `dot` by name and fail without it
        # (micrograd's draw_dot classic); these go through gradstep's renderer lookup.

        def pipe(
            self,
            format: str | None = None,
            *,
            encoding: str | None = None,
            quiet: bool = False,
            **unsupported: Any,
        ) -> bytes | str:
            """The drawing rendered to ``format`` (default ``self.format``), as bytes or text."""
            _refuse(unsupported, "pipe")
            fmt = format or self.format
            if fmt == "pdf":
                data = _pdf(self.source, self._gradstep_renderer, RENDER_TIMEOUT)
            else:
                data = _run(self.source, fmt, self._gradstep_renderer)
                if fmt == "svg":
                    data = _svg_hover(data)
            return data.decode(encoding) if encoding else data

        def render(
            self,
            filename: str | os.PathLike[str] | None = None,
            directory: str | os.PathLike[str] | None = None,
            view: bool = False,
            cleanup: bool = False,
            format: str | None = None,
            quiet: bool = False,
            quiet_view: bool = False,
            *,
            outfile: str | os.PathLike[str] | None = None,
            **unsupported: Any,
        ) -> str:
            """Save the DOT source and the rendering, as ``graphviz`` does; returns its path.

            ``outfile="graph.svg"`` names the rendering (its suffix is the format); otherwise
            it is ``<directory>/<filename>.<format>`` beside the source ``<filename>``.
            """
            _refuse(unsupported, "render")
            if outfile is not None:
                out = Path(outfile)
                fmt = format or out.suffix.lstrip(".").lower() or self.format
                source_path = out.with_suffix(".gv")
            else:
                folder = Path(directory if directory is not None else self.directory or ".")
                source_path = folder / (filename or self.filename)
                fmt = format or self.format
                out = source_path.with_name(f"{source_path.name}.{fmt}")
            out.parent.mkdir(parents=True, exist_ok=True)
            source_path.write_text(self.source, encoding=self.encoding)
            data = self.pipe(format=fmt)
            out.write_bytes(data if isinstance(data, bytes) else data.encode())
            if cleanup:
                source_path.unlink()
            if view:
                import graphviz

                graphviz.view(out, quiet=quiet_view)
            return os.fspath(out)

        def view(
            self,
            filename: str | os.PathLike[str] | None = None,
            directory: str | os.PathLike[str] | None = None,
            cleanup: bool = False,
            quiet: bool = False,
            quiet_view: bool = False,
        ) -> str:
            """Render and open the result in the system's viewer."""
            return self.render(
                filename, directory, view=True, cleanup=cleanup, quiet_view=quiet_view
            )

        def _repr_mimebundle_(
            self,
            include: Iterable[str] | None = None,
            exclude: Iterable[str] | None = None,
            **_: Any,
        ) -> dict[str, str]:
            mime = "image/svg+xml"
            if (include is not None and mime not in include) or (
                exclude is not None and mime in exclude
            ):
                return {}
            return {mime: self._repr_svg_()}

    return GradstepDigraph


def _refuse(unsupported: dict[str, Any], method: str) -> None:
    given = sorted(k for k, v in unsupported.items() if v is not None)
    if given:
        raise TypeError(
            f"{method}() of a gradstep drawing renders with gradstep's own lookup (see "
            f"viz.graph.find_renderer); it does not take {', '.join(given)}"
        )


def draw(
    root: Value,
    rankdir: str | None = None,
    show_grad: bool = True,
    highlight: Value | Iterable[Value] | None = None,
    max_nodes: int = MAX_NODES,
    renderer: str | os.PathLike[str] | None = None,
    detail: str = "value",
    names: str = "article",
) -> graphviz.Digraph:
    """The graph as a ``graphviz.Digraph``: shows inline in Jupyter, ``.source`` is the DOT.

    Needs the ``graphviz`` Python package. Inline display renders SVG with ``renderer`` (or
    the usual lookup, see :func:`find_renderer`), so graphviz-pure alone is enough. The
    arguments are those of :func:`to_dot`.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> g = draw(x * x, show_grad=False)
    >>> g.source == to_dot(x * x, show_grad=False)
    True
    >>> g
    <drawing of L: 2 Values: SVG in Jupyter, .source is the DOT text>
    """
    drawing = _drawing(root, rankdir, show_grad, highlight, max_nodes, detail, names)
    graph = _digraph_class()(name="gradstep", body=[f"\t{line}\n" for line in drawing.lines])
    graph._gradstep_renderer = renderer
    what = f"{drawing.values} Values" + (
        f" in {drawing.boxes} boxes (one per neuron call)" if detail == "neuron" else ""
    )
    graph._gradstep_summary = f"drawing of {drawing.root_name}: {what}"
    return graph


#: The formats ``draw_dot`` renders to (its ``render()`` writes ``<name>.<format>``).
DRAW_DOT_FORMATS = ("svg", "png", "pdf")


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR") -> graphviz.Digraph:
    """The micrograd lecture's ``draw_dot(root, format='svg', rankdir='LR')``, drawn by gradstep.

    Swap the lecture's ``draw_dot`` cell for ``from viz import draw_dot`` and its cells run
    as they are: the result shows inline in Jupyter, ``.render("gout")`` writes ``gout.svg``
    (and the DOT source ``gout``), and no system Graphviz is needed (graphviz-pure does).
    It is :func:`draw` with the lecture's defaults: every node with its data and grad.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> dot = draw_dot(a * a)
    >>> dot.format, "rankdir=LR" in dot.source
    ('svg', True)
    """
    if format not in DRAW_DOT_FORMATS:
        raise ValueError(
            f"format must be one of {', '.join(map(repr, DRAW_DOT_FORMATS))}; got {format!r}"
        )
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}; got {rankdir!r}")
    graph = draw(root, rankdir=rankdir)
    graph.format = format
    return graph
