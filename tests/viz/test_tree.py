"""viz.tree: the text picture of a graph."""

from __future__ import annotations

import importlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
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
        "#1 * c  data=-6.0000  grad=1.0000",
        "├── #2 leaf a  data=2.0000  grad=-3.0000",
        "└── #3 leaf b  data=-3.0000  grad=2.0000",
    ]


def test_shared_node_printed_once_then_referenced():
    x = Value(3.0, label="x")
    h = (x * x).tanh()
    h.label = "h"
    y = h + h * x  # diamond: h twice, x three times
    text = tree(y)
    lines = text.splitlines()
    assert sum(line.count("#") - line.count("(see #") for line in lines) == len(
        topological_order(y)
    )
    (x_line,) = [line for line in lines if "leaf x  data" in line]
    x_id = re.search(r"#(\d+) leaf x", x_line).group(1)
    assert text.count(f"(see #{x_id})") == 2
    (h_line,) = [line for line in lines if "tanh h  data" in line]
    h_id = re.search(r"#(\d+) tanh h", h_line).group(1)
    assert text.count(f"(see #{h_id})") == 1
    # the reference comes after the full line
    assert text.index(h_line) < text.index(f"(see #{h_id})")


def test_connectors_draw_a_tree():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    y = (a + b) * c
    assert tree(y).splitlines() == [
        "#1 *  data=9.0000  grad=0.0000",
        "├── #2 +  data=3.0000  grad=0.0000",
        "│   ├── #3 leaf a  data=1.0000  grad=0.0000",
        "│   └── #4 leaf b  data=2.0000  grad=0.0000",
        "└── #5 leaf c  data=3.0000  grad=0.0000",
    ]


def test_max_depth_reports_hidden_nodes():
    y = _chain(10)
    lines = tree(y, max_depth=2).splitlines()
    assert len(lines) == 6
    assert lines[2].endswith("…") and not lines[1].endswith("…")
    # 21 nodes in all (10 ops, 10 constants, x); 5 shown: root, its 2 inputs, 2 below
    assert lines[-1] == "… 16 more nodes"


def test_max_depth_zero_and_leaf_root():
    assert tree(Value(1.0, label="x"), max_depth=0) == "#1 leaf x  data=1.0000  grad=0.0000"
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


def test_huge_chain_head_is_lazy(monkeypatch):
    y = _chain(100_000)
    visited = []

    def counting_parents(node):
        visited.append(node)
        return node.parents

    monkeypatch.setattr(tree_module, "_parents", counting_parents)
    text = tree(y, max_lines=50)
    lines = text.splitlines()
    assert len(lines) == 51 and lines[-1] == "…"
    assert len(visited) <= 51  # stopped walking: never touched the rest of the graph


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
def test_every_node_gets_exactly_one_id(pairs):
    nodes = [Value(1.0, label="a"), Value(2.0, label="b")]
    for i, j in pairs:
        nodes.append(nodes[i % len(nodes)] + nodes[j % len(nodes)])
    root = nodes[-1]
    text = tree(root)
    ids = re.findall(r"^[│├└─ ]*#(\d+) ", text, flags=re.M)
    assert [int(i) for i in ids] == list(range(1, len(topological_order(root)) + 1))
    for ref in re.findall(r"\(see #(\d+)\)", text):
        assert int(ref) <= len(ids)


def test_default_line_limit_and_bounded_indentation():
    x = Value(1.0)
    v = x
    for _ in range(3000):
        v = v * 1.0 + x
    head = tree(v)  # the default keeps a learner's terminal usable
    assert len(head.splitlines()) == tree_module.DEFAULT_MAX_LINES + 1
    assert head.splitlines()[-1] == "…"
    full = tree(v, max_lines=None).splitlines()
    # per step: the add, the mul, its constant 1.0 and a "(see #n)" for x; plus x itself once
    assert len(full) == 4 * 3000 + 1
    # Below MAX_INDENT the indentation stops growing and the depth is written instead.
    assert max(len(line) for line in full) < 4 * tree_module.MAX_INDENT + 80
    assert any("[depth 5000]" in line for line in full)
