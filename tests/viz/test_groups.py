"""viz.groups: finding neurons and folding loss steps, for the coarse drawings."""

from __future__ import annotations

import pytest

from autograd import Value, topological_order
from nn import MLP, Neuron, bce_with_logits, mse, path_of
from viz.groups import find_folds, find_neurons, key, parent_path, relative_path


@pytest.mark.parametrize("expanded", [False, True])
def test_every_neuron_call_of_a_batch_is_found_with_its_parameters(expanded):
    model = MLP(2, [3, 2], activation="tanh", output="tanh", seed=0, expanded=expanded)
    outputs = [model([0.5, -1.0]), model([1.0, 2.0])]
    loss = mse([o for out in outputs for o in out], [0.0, 1.0, 1.0, 0.0])
    calls = find_neurons(loss)
    assert len(calls) == 2 * (3 + 2)  # every neuron, once per example
    named = dict(model.named_parameters())
    for call in calls:
        mine = {name for name in named if name.startswith(call.path + ".")}
        assert {path_of(p) for p in call.params} == mine
        assert path_of(call.a) == call.path + ".a" and path_of(call.z) == call.path + ".z"
        layer, j = int(call.path.split(".")[1]) + 1, call.path.split(".")[-1]
        assert (call.z.label, call.a.label) == (f"Z{layer}[{j}]", f"A{layer}[{j}]")
        assert call.formula == "tanh(Σ w·x + b)"
        ops = [m for m in call.members if m not in (call.z, call.a)]
        if expanded:  # b + w1*x1 + w2*x2 ...: n products and n - 1 sums besides z
            assert len(ops) == 2 * (len(call.params) - 1) - 1
        else:
            assert ops == []
    hidden = [c for c in calls if c.path.startswith("layers.0")]
    assert all(all(x.is_constant for x in c.inputs) for c in hidden)
    top = [c for c in calls if c.path.startswith("layers.1")]
    assert all({x.label for x in c.inputs} == {f"A1[{i}]" for i in range(3)} for c in top)
    # nothing is claimed twice
    members = [m for c in calls for m in c.members]
    assert len(members) == len(set(members))


def test_a_neuron_built_by_hand_and_an_unlabeled_graph():
    w, x, b = Value(0.5, label="w1"), Value(2.0, label="x1"), Value(-0.5, label="b")
    z = w * x + b
    z.label = "z"
    (call,) = find_neurons(z)  # no activation: a is z
    assert call.a is call.z and call.formula == "Σ w·x + b"
    assert [p.label for p in call.params] == ["w1", "b"] and call.inputs == (x,)
    assert find_neurons(w * x + b) == []  # no labels, no neurons


@pytest.mark.parametrize("weight", ["w", "w1", "w[0]"])
def test_hand_built_labels_in_either_notation(weight):
    w, x, b = Value(0.5, label=weight), Value(2.0, label="x[0]"), Value(-0.5, label="b")
    z = w * x + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    (call,) = find_neurons(a)
    assert call.a is a and call.params == (w, b) and call.inputs == (x,)


def test_a_lone_nn_neuron_is_found_by_its_paths():
    n = Neuron(3, seed=0)
    a = n([1.0, 2.0, 3.0])
    (call,) = find_neurons(a)
    assert call.path == "" and call.a is a and call.formula == "relu(Σ w·x + b)"
    assert [key(p) for p in call.params] == ["w.0", "w.1", "w.2", "b"]
    assert [p.label for p in call.params] == ["w[0]", "w[1]", "w[2]", "b"]


def test_folds_gather_the_unlabeled_steps_of_each_labelled_result():
    model = MLP(2, [2, 1], seed=0)
    loss = bce_with_logits([model([0.5, -1.0]), model([1.0, 0.0])], [1, 0])
    order = topological_order(loss)
    calls = find_neurons(loss, order)
    folds = find_folds(loss, order, {m for c in calls for m in c.members})
    assert [f.head.label for f in folds] == ["L", "L", "J"]  # one loss per example, the cost
    for fold in folds[:2]:
        assert all(not m.label for m in fold.members if m is not fold.head)
        (neuron_output,) = fold.inputs
        assert neuron_output.label == "Z2[0]"
        assert path_of(neuron_output) == "layers.1.neurons.0.z"
        assert all(c.is_constant for c in fold.constants)
    assert folds[2].inputs == tuple(f.head for f in folds[:2])
    # every operation ends up in exactly one neuron or one fold
    grouped = [m for c in calls for m in c.members] + [m for f in folds for m in f.members]
    assert sorted(map(id, grouped)) == sorted(id(v) for v in order if v.op is not None)


def test_paths():
    assert parent_path("layers.0.neurons.3") == "layers.0"
    assert parent_path("encoder.layers.1") == "encoder"
    assert parent_path("head") == "" and parent_path("") == ""
    assert relative_path("layers.0.neurons.3", "layers.0") == "neurons.3"
    assert relative_path("neurons.3", "") == "neurons.3"
