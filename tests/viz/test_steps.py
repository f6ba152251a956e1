"""viz.steps: backprop replayed step by step must be the engine's backprop, bit for bit."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, topological_order
from viz.names import names
from viz.steps import BackwardStep, backward_steps, explain, forward_steps

UNARY = ("tanh", "sigmoid", "relu", "exp", "neg")
BINARY = ("+", "*", "-", "/")


def build(inputs: list[float], program: list[tuple[str, int, int]]) -> Value:
    """Run a little program; every instruction reads any earlier value (so nodes get shared)."""
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "+":
            out = a + b
        elif op == "*":
            out = a * b
        elif op == "-":
            out = a - b
        elif op == "/":
            out = a / b if b.data != 0 else a * b
        elif op == "neg":
            out = -a
        else:
            out = getattr(a, op)()
        nodes.append(out)
    return nodes[-1]


def final_pass_grads(root: Value, steps: list[BackwardStep]) -> dict[Value, float]:
    grads = dict.fromkeys(topological_order(root), 0.0)
    grads[root] = 1.0
    for step in steps:
        grads[step.parent] = step.after
    return grads


def assert_matches_engine(make_root) -> list[BackwardStep]:
    replayed, reference = make_root(), make_root()
    steps = list(backward_steps(replayed, constants=True))  # every edge, constants too
    reference.backward()
    grads = final_pass_grads(replayed, steps)
    order, ref_order = topological_order(replayed), topological_order(reference)
    assert len(order) == len(ref_order)
    for node, ref in zip(order, ref_order):
        assert node.grad == 0.0  # the replay never writes .grad
        # backward() adds the pass gradient to a fresh 0.0; compare bits (also NaN, -0.0)
        assert (0.0 + grads[node]).hex() == ref.grad.hex()
    edges = sum(len(n.parents) for n in order if n.op is not None)
    assert len(steps) == edges
    skipped = sum(p.is_constant for n in order for p in n.parents)
    assert len(list(backward_steps(replayed))) == edges - skipped
    return steps


def test_example_lines_for_c_equals_a_times_b():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    steps = list(backward_steps(c))
    assert [str(s) for s in steps] == [
        "dc/da += dc/dc (from above) * dc/da (local) = 1.0000 * -3.0000 = -3.0000  "
        "(a.grad: 0 -> -3.0000)",
        "dc/db += dc/dc (from above) * dc/db (local) = 1.0000 * 2.0000 = 2.0000  "
        "(b.grad: 0 -> 2.0000)",
    ]
    assert [str(s) for s in forward_steps(c)] == ["c = a * b = 2.0000 * -3.0000 = -6.0000"]
    first = steps[0]
    assert (first.node, first.parent, first.parent_index) == (c, a, 0)
    assert (first.upstream, first.local, first.product, first.before, first.after) == (
        1.0,
        -3.0,
        -3.0,
        0.0,
        -3.0,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.after = 0.0  # type: ignore[misc]
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)


def test_forward_lines_for_unary_and_nary_ops():
    z = Value(0.7, label="z")
    A = z.sigmoid()
    A.label = "A"
    assert str(next(forward_steps(A))) == "A = sigmoid(z) = sigmoid(0.7000) = 0.6682"
    ws = [Value(float(i), label=f"w{i}") for i in range(8)]
    xs = [Value(1.0, label=f"x{i}") for i in range(8)]
    s = autograd.dot(ws, xs, bias=Value(0.5, label="b"))
    s.label = "s"
    line = str(next(forward_steps(s)))
    assert line.startswith("s = Σ w0·x0 + w1·x1 + w2·x2 + … + w6·x6 + w7·x7 + b = Σ 0.0000·1.0000")
    assert line.endswith("= 28.5000")
    x = Value(2.0, label="x")
    y = x**2 - 1 / x
    lines = [str(step) for step in forward_steps(y)]
    assert "v1 = x**2 = 2.0000**2 = 4.0000" in lines
    assert "v3 = -v2 = -(0.5000) = -0.5000" in lines
    assert "v2 = 1 / x = 1.0000 / 2.0000 = 0.5000" in lines  # the constant by its value


def test_names_label_else_numbered_in_forward_order_root_is_L():
    x = Value(1.0, label="x")
    y = (x + 2.0) * x
    got = names(y, variables={})  # not the names of this test's variables
    assert [got[n] for n in topological_order(y)] == ["x", "2", "v1", "L"]
    y.label = "y"
    assert names(y)[y] == "y"


def test_shared_labels_are_told_apart_in_forward_order():
    a1, a2 = Value(1.0, label="a"), Value(2.0, label="a")
    v = Value(3.0, label="v1")  # a label that looks like a generated name keeps it
    y = (a1 * a2 + v) * Value(4.0)
    got = names(y, variables={})
    assert (got[a1], got[a2], got[v]) == ("a(1)", "a(2)", "v1")
    assert sorted(got.values()) == ["L", "a(1)", "a(2)", "v1", "v2", "v3", "v4"]


def test_steps_skip_constants_unless_asked():
    w = Value(0.5, label="w")
    loss = (w * 2.0 - 1.0) ** 2
    default = list(backward_steps(loss))
    every = list(backward_steps(loss, constants=True))
    assert [s.parent_name for s in default] == ["v2", "v1", "w"]
    skipped = [s for s in every if s.parent.is_constant]
    assert [s.parent.data for s in skipped] == [-1.0, 2.0]
    assert [s for s in every if not s.parent.is_constant] == default
    assert "dloss/d2" not in explain(loss) and "dloss/d-1" not in explain(loss)


def test_explain_has_both_passes():
    x = Value(3.0, label="x")
    text = explain((x * x).tanh())
    lines = text.splitlines()
    assert lines[0] == "Forward pass"
    assert lines[3] == "Backward pass"
    assert len(lines) == 1 + 2 + 1 + 1 + 3  # headers, 2 forward, seed, 3 edges


@pytest.mark.parametrize(
    "make_root",
    [
        lambda: autograd.dot([Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)], Value(0.5)),
        lambda: autograd.mean([Value(1.0), Value(2.0), Value(6.0)]).log(),
        lambda: autograd.sum([Value(0.1)] * 3) ** Value(1.5),
        lambda: abs(Value(-0.3) * 3) ** 2,
    ],
    ids=["dot", "mean-log", "sum-shared-pow", "abs-power"],
)
def test_nary_and_other_ops_match_engine(make_root):
    assert_matches_engine(make_root)


def test_leaf_root_has_no_steps():
    assert list(backward_steps(Value(1.0))) == []
    assert list(forward_steps(Value(1.0))) == []


def test_deep_chain_does_not_recurse():
    v = Value(0.5)
    for _ in range(20_000):
        v = v * 1.0
    steps = backward_steps(v)
    assert next(steps).upstream == 1.0
    assert sum(1 for _ in forward_steps(v)) == 20_000


programs = st.lists(
    st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 20), st.integers(0, 20)),
    min_size=1,
    max_size=12,
)
inputs = st.lists(
    st.floats(-3, 3, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)),
    min_size=1,
    max_size=3,
)


@settings(max_examples=50, deadline=None)
@given(inputs, programs)
def test_replayed_steps_are_the_engines_gradients_exactly(xs, program):
    assert_matches_engine(lambda: build(xs, program))


@settings(max_examples=50, deadline=None)
@given(inputs, programs)
def test_forward_steps_show_each_op_node_value(xs, program):
    root = build(xs, program)
    fsteps = list(forward_steps(root))
    op_nodes = [n for n in topological_order(root) if n.op is not None]
    assert [s.node for s in fsteps] == op_nodes
    for step in fsteps:
        assert step.value == step.node.data or step.value != step.value  # NaN allowed
        assert str(step).startswith(f"{step.name} = ")


def test_every_line_is_of_the_outputs_own_name():
    """A cost labelled J: dJ/d... throughout, and the seed is dJ/dJ = 1 (not 'dL/dL (L is J)')."""
    from nn import MLP, mse

    net = MLP(2, [2, 1], activation="sigmoid", output="sigmoid", seed=0)
    J = mse([net([1.0, -0.5]), net([0.5, 2.0])], [1, 0])
    assert J.label == "J"
    steps = list(backward_steps(J))
    assert {s.output_name for s in steps} == {"J"}
    text = explain(J)
    backward = text.split("Backward pass\n")[1].splitlines()
    assert backward[0].startswith("  dJ/dJ = 1.0000")
    assert all(line.startswith("  dJ/d") for line in backward)
    assert "dL/" not in text and " is J" not in text
    # an unlabelled output held by no variable is L, the seed included
    x = Value(3.0, label="x")
    assert explain(x * x).splitlines()[2:4] == [
        "Backward pass",
        "  dL/dL = 1.0000  (the seed: the output's gradient with respect to itself)",
    ]


def test_the_line_tells_the_gradient_from_above_from_the_local_factor():
    from nn import MLP, mse

    net = MLP(2, [2, 1], seed=0)
    J = mse([net([1.0, -0.5])], [1])
    step = next(s for s in backward_steps(J) if s.parent_name == "b2[0]")
    assert step.node_name == "Z2[0]"
    assert step.symbols() == ("dJ/db2[0]", "dJ/dZ2[0]", "dZ2[0]/db2[0]")
    assert step.symbols("∂") == ("∂J/∂b2[0]", "∂J/∂Z2[0]", "∂Z2[0]/∂b2[0]")
    assert str(step).startswith(
        "dJ/db2[0] += dJ/dZ2[0] (from above) * dZ2[0]/db2[0] (local) = "
    )
    assert step.upstream * step.local == step.product
    # names="path": the module path instead
    paths = {s.parent_name for s in backward_steps(J, names="path")}
    assert "layers.1.neurons.0.b" in paths
