"""One name per node, the article's and the learner's own, the same in every view."""

from __future__ import annotations

import pytest

import nn
import viz
from autograd import Value
from nn import MLP, Perceptron, mse
from viz.names import caller_variables, names


def test_a_network_s_graph_speaks_the_article():
    model = MLP(2, [2, 1], seed=0)
    J = mse([model([1.0, 2.0])], [1.0])
    n = names(J, variables={})
    shown = set(n.values())
    assert {"J", "L", "Z2[0]", "A1[0]", "A1[1]", "Z1[1]", "W1[0,1]", "b2[0]"} <= shown
    assert {"x[0]", "x[1]", "-y"} <= shown  # the input and the target, told apart
    assert not any("layers." in name for name in shown)


def test_several_examples_are_numbered_as_the_article_s_superscript():
    model = MLP(2, [1], seed=0)
    J = mse([model([1.0, 2.0]), model([3.0, 4.0])], [1.0, 0.0])
    n = names(J, variables={})
    values = sorted(n.values())
    assert "L(1)" in values and "L(2)" in values and "L" not in values
    assert {"Z1[0](1)", "Z1[0](2)", "x[0](1)", "x[0](2)"} <= set(values)
    assert len(set(n.values())) == len(n)  # a name still means one node
    first = next(v for v, name in n.items() if name == "x[0](1)")
    assert first.data == 1.0  # numbered in forward order: the first example is (1)


def test_a_label_you_give_wins_over_the_article_and_over_your_variables():
    p = Perceptron(2, seed=0)
    p.b.label = "bias"
    out = p([1.0, 1.0])
    n = names(out, variables={})
    assert "bias" in n.values() and "b" not in n.values()
    assert n[out] == "a"


def test_your_variables_name_what_has_no_label():
    a = Value(2.0)
    b = a * a + 1
    n = names(b)
    assert (n[a], n[b]) == ("a", "b")
    assert viz.tree(b).splitlines()[0].startswith("b  +")
    assert "a  leaf" in viz.tree(b)


def test_a_value_without_a_variable_is_numbered_and_the_output_is_L():
    def build():
        return (Value(1.0) * 2).tanh()

    out = build()
    n = names(build())  # nothing of this graph is held by a variable here
    assert sorted(n.values()) == ["2", "L", "v1", "v2"]
    assert names(out)[out] == "out"


GLOBAL_VALUE = Value(5.0)


def test_locals_shadow_globals_and_underscore_names_are_skipped():
    GLOBAL_VALUE = Value(7.0)  # the same name as the global: another Value
    _hidden = Value(1.0)
    y = GLOBAL_VALUE * _hidden
    found = caller_variables([y, GLOBAL_VALUE, _hidden])
    assert found == {y: "y", GLOBAL_VALUE: "GLOBAL_VALUE"}
    glob = caller_variables([globals()["GLOBAL_VALUE"]])
    assert glob == {}  # here its name is the local's: the global is not what "GLOBAL_VALUE" means


def test_a_value_held_by_two_names_takes_the_first():
    first = Value(1.0)
    second = first  # noqa: F841 -- the second name for the same Value
    assert names(first * 2)[first] == "first"


def test_names_path_shows_the_module_path():
    model = MLP(2, [1], seed=0)
    out = model([1.0, 2.0])
    assert names(out, style="path", variables={})[out] == "layers.0.neurons.0.z"
    text = viz.tree(out, names="path")
    assert "layers.0.neurons.0.w.1" in text and "W1[0,1]" not in text
    steps = list(viz.backward_steps(out, names="path"))
    assert any(s.parent_name == "layers.0.neurons.0.b" for s in steps)
    with pytest.raises(ValueError, match="names must be one of 'article', 'path'"):
        viz.tree(out, names="module")


def test_every_view_calls_a_node_by_the_same_name():
    model = MLP(2, [2, 1], seed=0)
    J = mse([model([1.0, 2.0])], [1.0])
    J.backward()
    tree_text = viz.tree(J)
    step_names = {s.parent_name for s in viz.backward_steps(J)}
    assert all(name in tree_text for name in step_names)
    assert "W2[0,1]" in step_names and "A1[0]" in step_names
    assert "dJ/dW2[0,1]" in viz.explain(J) or "W2[0,1]" in viz.explain(J)


def test_path_of_is_none_for_what_no_model_named():
    assert nn.path_of(Value(1.0, label="w")) is None
