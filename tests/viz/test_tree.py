"""viz.tree: the text picture of a graph."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from viz.names import names
from viz.steps import backward_steps
from viz.tree import iter_tree_lines, tree

# ``viz.tree`` is also the name of the function exported by ``viz``; fetch the module itself.
tree_module = importlib.import_module("viz.tree")


def _chain(n: int) -> Value:
    v = Value(0.5, label="x")
    for _ in range(n):
        v = v * 1.0
    return v


def test_example_line_format():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    assert tree(c).splitlines() == [
        "c  *  data=-6.0000  grad=1.0000",
        "├── a  leaf  data=2.0000  grad=-3.0000",
        "└── b  leaf  data=-3.0000  grad=2.0000",
    ]


def test_names_are_the_steps_names_and_constants_show_their_value():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    loss = (w * x - 1.0) ** 2
    assert tree(loss).splitlines() == [
        "loss  **2  data=0.0000  grad=0.0000",  # the output: the caller's variable's name
        "└── v2  +  data=0.0000  grad=0.0000",
        "    ├── v1  *  data=1.0000  grad=0.0000",
        "    │   ├── w  leaf  data=0.5000  grad=0.0000",
        "    │   └── x  leaf  data=2.0000  grad=0.0000",
        "    └── -1  constant",
    ]
    # the names in the tree are exactly those of the chain-rule lines
    tree_names = set(re.findall(r"(\w+)  (?:[*+]|\*\*2|leaf)", tree(loss)))
    step_names = {s.parent_name for s in backward_steps(loss)} | {"loss"}
    assert tree_names == step_names


def test_displays_itself_in_a_repl_and_a_notebook():
    x = Value(3.0, label="x")
    text = tree(x * x)
    assert isinstance(text, str)
    assert repr(text) == str(text)  # at the prompt: the tree, not a quoted one-liner
    html = text._repr_html_()
    assert html.startswith("<pre") and "x  leaf" in html
    hostile = Value(1.0, label="<b>&</b>")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in tree(hostile)._repr_html_()


def test_shared_node_printed_once_then_referenced():
    x = Value(3.0, label="x")
    h = (x * x).tanh()
    h.label = "h"
    y = h + h * x  # diamond: h twice, x three times
    text = tree(y)
    lines = text.splitlines()
    assert sum("data=" in line for line in lines) == len(topological_order(y))
    (x_line,) = [line for line in lines if "x  leaf  data" in line]
    assert text.count("x  (see above)") == 2
    (h_line,) = [line for line in lines if "h  tanh  data" in line]
    assert text.count("h  (see above)") == 1
    # the reference comes after the full line
    assert text.index(h_line) < text.index("h  (see above)")
    assert text.index(x_line) < text.index("x  (see above)")


def test_connectors_draw_a_tree():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    y = (a + b) * c
    assert tree(y).splitlines() == [
        "y  *  data=9.0000  grad=0.0000",
        "├── v1  +  data=3.0000  grad=0.0000",
        "│   ├── a  leaf  data=1.0000  grad=0.0000",
        "│   └── b  leaf  data=2.0000  grad=0.0000",
        "└── c  leaf  data=3.0000  grad=0.0000",
    ]


def test_max_depth_reports_hidden_nodes():
    y = _chain(10)
    lines = tree(y, max_depth=2).splitlines()
    assert len(lines) == 6
    assert lines[2].endswith("…") and not lines[1].endswith("…")
    # 21 nodes in all (10 ops, 10 constants, x); 5 shown: root, its 2 inputs, 2 below
    assert lines[-1] == "… 16 more nodes"


def test_max_depth_zero_and_leaf_root():
    assert tree(Value(1.0, label="x"), max_depth=0) == "x  leaf  data=1.0000  grad=0.0000"
    assert tree(_chain(1), max_depth=0).splitlines()[-1] == "… 2 more nodes"


def test_max_lines_marker():
    text = tree(_chain(10), max_lines=3)
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[-1] == "…"
    assert tree(_chain(1), max_lines=3).splitlines()[-1] != "…"  # exactly 3 lines: no marker


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_lines"):
        tree(Value(1.0), max_lines=0)
    with pytest.raises(ValueError, match="max_depth"):
        tree(Value(1.0), max_depth=-1)
    with pytest.raises(TypeError, match="Value"):
        tree(3.0)  # type: ignore[arg-type]


def test_huge_chain_head_stops_printing(monkeypatch):
    y = _chain(100_000)
    visited = []

    def counting_parents(node):
        visited.append(node)
        return node.parents

    monkeypatch.setattr(tree_module, "_parents", counting_parents)
    text = tree(y, max_lines=50)
    lines = text.splitlines()
    assert len(lines) == 51 and lines[-1] == "…"
    # Naming the nodes walks the graph once; the drawing itself stops after 51 lines.
    assert len(visited) <= 51


def test_huge_chain_full_walk_has_no_recursion_limit():
    y = _chain(100_000)
    # the whole graph, lazily: indentation makes printing all of it quadratic, so count lines
    n = 0
    for n, _ in enumerate(iter_tree_lines(y), start=1):
        if n > 2_000:
            break
    assert n > 2_000
    assert tree(y, max_depth=3).splitlines()[-1] == f"… {200_001 - 7} more nodes"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=1, max_size=12))
def test_every_node_is_shown_once_under_its_name(pairs):
    nodes = [Value(1.0, label="a"), Value(2.0, label="b")]
    for i, j in pairs:
        nodes.append(nodes[i % len(nodes)] + nodes[j % len(nodes)])
    root = nodes[-1]
    text = tree(root, max_lines=None)
    shown = re.findall(r"^[│├└─ ]*(\S+)  (?:\+|leaf)  data=", text, flags=re.M)
    assert sorted(shown) == sorted(names(root).values())  # each node once, by its name
    for ref in re.findall(r"^[│├└─ ]*(\S+)  \(see above\)", text, flags=re.M):
        assert text.index(f"{ref}  (see above)") > text.index(f"{ref}  ")


def test_default_line_limit_and_bounded_indentation():
    x = Value(1.0)
    v = x
    for _ in range(3000):
        v = v * 1.0 + x
    head = tree(v)  # the default keeps a learner's terminal usable
    assert len(head.splitlines()) == tree_module.DEFAULT_MAX_LINES + 1
    assert head.splitlines()[-1] == "…"
    full = tree(v, max_lines=None).splitlines()
    # per step: the add, the mul, its constant 1 and a "(see above)" for x; plus x itself once
    assert len(full) == 4 * 3000 + 1
    # Below MAX_INDENT the indentation stops growing and the depth is written instead.
    assert max(len(line) for line in full) < 4 * tree_module.MAX_INDENT + 80
    assert any("[depth 5000]" in line for line in full)


def test_a_lone_surrogate_in_a_label_stays_printable():
    from viz.steps import explain

    x = Value(1.0, label="bad\ud800label")
    y = x * 2
    for text in (tree(y), explain(y)):
        text.encode("utf-8")  # would raise UnicodeEncodeError with the raw surrogate
        assert "bad\\ud800label" in text
