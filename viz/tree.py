"""A text picture of a computation graph: the output on top, its inputs indented below.

Usage -- no graphviz, works in any terminal or notebook::

    viz.tree(v)          # at the prompt or as a notebook cell's last line
    print(viz.tree(v))

Each node is shown once under its name (the same name the steps, the stepper and the drawing
use, see :mod:`viz.names`); a node reached again (a shared subexpression, the ``x`` of
``x * x``) is shown as ``(see above)`` instead of being expanded twice. Constants -- the plain
numbers in the arithmetic -- are shown by their value. The walk is iterative, so any depth
works, and ``max_lines`` bounds the output of a huge graph.

>>> from autograd import Value
>>> from viz.tree import tree
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + 1
>>> c.label = "c"
>>> c.backward()
>>> tree(c)
c  +  data=-5.0000  grad=1.0000
├── v1  *  data=-6.0000  grad=1.0000
│   ├── a  leaf  data=2.0000  grad=-3.0000
│   └── b  leaf  data=-3.0000  grad=2.0000
└── 1  constant
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from autograd import Value, topological_order
from autograd.messages import not_a_value

from .display import Text
from .names import constant_text
from .names import names as _node_names

__all__ = ["tree", "iter_tree_lines", "format_number"]

_BRANCH, _LAST = "├── ", "└── "
_PIPE, _SPACE = "│   ", "    "
ELLIPSIS = "…"
#: Levels drawn with tree lines; deeper nodes keep this indentation and show their depth, so
#: a very deep graph neither runs off the screen nor costs memory quadratic in its depth.
MAX_INDENT = 40
#: The default for ``tree(max_lines=...)``: enough for any graph a person reads line by line.
DEFAULT_MAX_LINES = 500


def format_number(x: float) -> str:
    """``x`` in a short fixed width: 4 decimals, or scientific notation when very big/small.

    >>> format_number(-6.0), format_number(1e-7), format_number(2.5e9), format_number(-0.0)
    ('-6.0000', '1.0000e-07', '2.5000e+09', '0.0000')
    """
    if x == 0:
        x = 0.0  # -0.0 (from negating a zero) reads as a different number to a learner
    magnitude = abs(x)
    if magnitude != 0 and (magnitude >= 1e6 or magnitude < 1e-4):
        return f"{x:.4e}"
    return f"{x:.4f}"


def _parents(node: Value) -> tuple[Value, ...]:
    # One seam for reading the graph, so tests can count how much of it a walk touched.
    return node.parents


def _describe(node: Value, name: str) -> str:
    if node.is_constant:
        value = constant_text(node.data)
        return f"{name} = {value}  constant" if node.label else f"{value}  constant"
    kind = node.op.symbol if node.op is not None else "leaf"
    return f"{name}  {kind}  data={format_number(node.data)}  grad={format_number(node.grad)}"


def iter_tree_lines(
    root: Value, max_depth: int | None = None, names: str = "article"
) -> Iterator[str]:
    """Yield the node lines of :func:`tree` one at a time.

    Nodes deeper than ``max_depth`` are not expanded; their line ends in ``…``.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> next(iter_tree_lines(x * x))
    'L  *  data=9.0000  grad=0.0000'
    """
    return _walk(root, max_depth, set(), [False], names)


def _walk(
    root: Value, max_depth: int | None, shown: set[Value], cut: list[bool], style: str
) -> Iterator[str]:
    # ``shown`` collects the printed nodes; ``cut[0]`` turns True when max_depth hid something.
    if not isinstance(root, Value):
        raise TypeError(not_a_value("tree() needs a Value", root))
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"max_depth must be >= 0 or None, got {max_depth!r}")
    name = _node_names(root, style=style)
    # (node, depth, prefix for this line, prefix for its children's lines)
    stack: list[tuple[Value, int, str, str]] = [(root, 0, "", "")]
    while stack:
        node, depth, prefix, child_prefix = stack.pop()
        if node in shown and not node.is_constant:
            yield f"{prefix}{name[node]}  (see above)"
            continue
        shown.add(node)
        line = prefix + _describe(node, name[node])
        parents = _parents(node)
        if parents and max_depth is not None and depth >= max_depth:
            cut[0] = True
            yield line + f"  {ELLIPSIS}"
            continue
        yield line
        last = len(parents) - 1
        # Pushed in reverse so the first parent is printed first.
        for i in range(last, -1, -1):
            if depth + 1 > MAX_INDENT:
                marker = f"{_LAST if i == last else _BRANCH}[depth {depth + 1}] "
                stack.append((parents[i], depth + 1, child_prefix + marker, child_prefix))
            elif i == last:
                stack.append((parents[i], depth + 1, child_prefix + _LAST, child_prefix + _SPACE))
            else:
                stack.append((parents[i], depth + 1, child_prefix + _BRANCH, child_prefix + _PIPE))


def tree(
    root: Value,
    max_depth: int | None = None,
    max_lines: int | None = DEFAULT_MAX_LINES,
    names: str = "article",
) -> Text:
    """The graph ending at ``root`` as a Unicode tree, one line per node.

    The result is a ``str`` that shows itself: at the prompt, printed, or as a notebook
    cell's last line (a monospace block) it is the tree. ``max_depth`` stops expanding below
    that many levels (the root is level 0) and ends the text with ``… N more nodes`` (the
    nodes never shown). ``max_lines`` (500 unless you say otherwise; None for no limit) keeps
    at most that many node lines and ends with ``…`` when more would follow. Below level 40
    the indentation stops growing and each line shows its depth instead. Nodes are named as
    in every view (:mod:`viz.names`); ``names="path"`` calls a model's by their module path.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x + x
    >>> print(tree(y))                  # y: the name of your variable
    y  +  data=12.0000  grad=0.0000
    ├── v1  *  data=9.0000  grad=0.0000
    │   ├── x  leaf  data=3.0000  grad=0.0000
    │   └── x  (see above)
    └── x  (see above)
    >>> print(tree(y, max_depth=0))
    y  +  data=12.0000  grad=0.0000  …
    … 2 more nodes
    >>> print(tree(y, max_lines=2))
    y  +  data=12.0000  grad=0.0000
    ├── v1  *  data=9.0000  grad=0.0000
    …
    """
    if max_lines is not None and max_lines < 1:
        raise ValueError(f"max_lines must be >= 1 or None, got {max_lines!r}")
    shown: set[Value] = set()
    cut = [False]
    lines_iter = _walk(root, max_depth, shown, cut, names)
    if max_lines is None:
        lines = list(lines_iter)
    else:
        lines = list(islice(lines_iter, max_lines + 1))
        if len(lines) > max_lines:
            return Text("\n".join([*lines[:max_lines], ELLIPSIS]))
    if cut[0]:
        more = len(topological_order(root)) - len(shown)
        if more:
            lines.append(f"{ELLIPSIS} {more} more node{'s' if more != 1 else ''}")
    return Text("\n".join(lines))
