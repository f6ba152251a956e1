"""One name per node, the same in every view: tree, steps, ``explain``, the stepper and ``draw``.

A node is called, in this order of preference:

1. by its label -- your ``label=``, or the article's notation ``nn`` gives a network (``W1[j,k]``,
   ``b1[j]``, ``Z1[j]``, ``A1[j]``, the inputs ``x[k]``, the target ``y``, one example's loss
   ``L``, the cost ``J``; a lone neuron's ``w[k]``, ``b``, ``z``, ``a``);
2. by the name of your variable that holds it, where the view was asked for (``b = a * a + 1``
   then ``viz.tree(b)`` calls them ``a`` and ``b``) -- looked up once, when the view is made;
3. the output as ``L`` (what every ``dL/d...`` is the derivative of), anything else ``v1, v2,
   ...`` in the order the forward pass computes it.

When several nodes carry one label -- the same neuron's ``Z1[0]`` for each example of a batch
-- each gets its example's number, as the article's superscript: ``Z1[0](1)``, ``Z1[0](2)``, in
forward order, so a name still means one node. A :class:`~autograd.Constant` (a plain number
in the arithmetic) is called by its label, or its value; it never collects gradient in a view.
With ``style="path"`` a model's nodes are called by their module path instead
(``layers.0.neurons.1.w.0``: the key of ``state_dict()`` and saved files).

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> loss = (w * x - 1.0) ** 2
>>> sorted(names(loss).values())            # loss: your variable's name
['-1', 'loss', 'v1', 'v2', 'w', 'x']
>>> sorted(names(loss, variables={}).values())
['-1', 'L', 'v1', 'v2', 'w', 'x']
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from autograd import Value, topological_order
from autograd.messages import not_a_value
from autograd.mode import in_library

__all__ = ["names", "constant_text", "printable", "STYLES"]

#: What ``style=`` (``names=`` in the views) accepts.
STYLES = ("article", "path")


def printable(text: str) -> str:
    r"""``text`` with lone surrogates written out as ``\udXXX``: no encoding can carry them,
    so a label holding one would make a page unwritable and a tree unprintable.

    >>> printable("a\ud800b")
    'a\\ud800b'
    """
    if text.isascii():
        return text
    return "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def constant_text(x: float) -> str:
    """A constant's value as a short name: ``1``, ``-0.5``, ``1e-12``.

    >>> constant_text(1.0), constant_text(-0.5), constant_text(1e-12), constant_text(1.78)
    ('1', '-0.5', '1e-12', '1.78')
    """
    if x == 0:
        x = 0.0  # -0.0 reads as a different number to a learner
    return f"{x:.6g}"


def names(
    root: Value,
    output_name: str = "L",
    order: list[Value] | None = None,
    style: str = "article",
    variables: dict[Value, str] | None = None,
) -> dict[Value, str]:
    """A name for every node of ``root``'s graph (see the module docstring for the rules).

    ``order`` is ``topological_order(root)`` if the caller has it already; ``variables``
    are the names of the caller's variables (:func:`caller_variables`, looked up here when
    not given).

    >>> from autograd import Value
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="a")   # two nodes, one label
    >>> y = (a * b).tanh()
    >>> n = names(y, variables={})
    >>> n[a], n[b], n[y.parents[0]], n[y]
    ('a(1)', 'a(2)', 'v1', 'L')
    >>> c = Value(3.0)
    >>> d = c * c + 1
    >>> n = names(d)                                          # your variables' names
    >>> n[c], n[d]
    ('c', 'd')
    """
    if not isinstance(root, Value):
        raise TypeError(not_a_value("names() needs a Value", root))
    if style not in STYLES:
        raise ValueError(f"names must be one of {', '.join(map(repr, STYLES))}; got {style!r}")
    if order is None:
        order = topological_order(root)
    if variables is None:
        variables = caller_variables(order)
    path_of = _path_of() if style == "path" else None
    labels: dict[Value, str] = {}
    for node in order:
        label = (path_of(node) if path_of is not None else None) or node.label
        if label:
            labels[node] = printable(label)
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    out: dict[Value, str] = {}
    seen: dict[str, int] = {}
    # Labels first, numbered per example where several nodes share one, so that a variable's
    # or a generated name never takes a label's place.
    for node, label in labels.items():
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            label = f"{label}({seen[label]})"
        out[node] = label
    for node in order:
        if node.is_constant and node not in out:
            out[node] = constant_text(node.data)
    taken = set(out.values())
    for node, name in variables.items():
        if node not in out and name not in taken:
            out[node] = name
            taken.add(name)
    if root not in out:
        out[root] = _free(output_name, taken)
        taken.add(out[root])
    counter = 0
    for node in order:
        if node in out:
            continue
        counter += 1
        candidate = f"v{counter}"
        while candidate in taken:
            counter += 1
            candidate = f"v{counter}"
        out[node] = candidate
        taken.add(candidate)
    return out


def _free(candidate: str, taken: set[str]) -> str:
    if candidate not in taken:
        return candidate
    k = 2
    while f"{candidate}({k})" in taken:
        k += 1
    return f"{candidate}({k})"


def _path_of() -> Any:
    from nn import path_of  # viz may import nn; only the path style needs it

    return path_of


def caller_variables(order: list[Value]) -> dict[Value, str]:
    """The names your variables give the unlabelled Values of ``order``, where the view was
    asked for: the first frame outside gradstep (and libraries registered with
    ``autograd.register_library_code``) -- your function's locals, then its module's (a
    notebook's or the REPL's) globals. A Value held by two names takes the first; a name
    starting with ``_`` (IPython's ``_``, ``_1``...) is skipped.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and in_library(frame):
        frame = frame.f_back
    if frame is None:
        return {}
    wanted = {id(v): v for v in order if not v.label and not v.is_constant}
    if not wanted:
        return {}
    found: dict[Value, str] = {}
    shadowed: set[str] = set()
    scopes = [frame.f_locals]
    if frame.f_globals is not frame.f_locals:
        scopes.append(frame.f_globals)
    for scope in scopes:
        for name, value in list(scope.items()):
            if name in shadowed or name.startswith("_"):
                continue
            shadowed.add(name)  # an outer scope's variable of this name is not the one meant
            node = wanted.get(id(value))
            if node is not None and node is value and node not in found:
                found[node] = name
    return found
