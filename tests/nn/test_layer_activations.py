"""An MLP with a different activation per layer: how it is written, what it computes, how it
saves, shows itself and is diagnosed."""

from __future__ import annotations

import math

import pytest

from nn import MLP, Layer, data, diagnose


def test_one_name_per_hidden_layer_builds_those_layers():
    model = MLP(2, [4, 3, 1], activation=["tanh", "relu"], output="sigmoid", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "relu", "sigmoid"]
    assert model.activations == ["tanh", "relu", "sigmoid"]
    assert all(n.activation == "tanh" for n in model.layers[0].neurons)
    assert model.output_activation == "sigmoid"


def test_one_name_per_layer_puts_the_last_on_the_output():
    every = MLP(2, [4, 3, 1], activation=["tanh", "relu", "sigmoid"], seed=0)
    split = MLP(2, [4, 3, 1], activation=["tanh", "relu"], output="sigmoid", seed=0)
    assert every.activations == split.activations
    assert every.config() == split.config() and every.state_dict() == split.state_dict()


def test_a_mixed_network_computes_each_layer_with_its_own_activation():
    model = MLP(2, [3, 2, 1], activation=["tanh", "sigmoid"], output="relu", seed=4)
    x = [0.3, -1.7]
    # By hand, from the weights: layer after layer, each with its activation.
    acts = [math.tanh, lambda z: 1 / (1 + math.exp(-z)), lambda z: max(z, 0.0)]
    a = x
    for layer, act in zip(model.layers, acts):
        a = [act(sum(w.data * v for w, v in zip(n.w, a)) + n.b.data) for n in layer.neurons]
    assert model(x).data == pytest.approx(a[0], abs=1e-12)


def test_a_list_of_one_name_is_that_name_and_old_calls_are_unchanged():
    plain = MLP(2, [4, 4, 1], activation="tanh", seed=3)
    listed = MLP(2, [4, 4, 1], activation=["tanh", "tanh"], seed=3)
    assert listed.activation == "tanh" and repr(listed) == repr(plain)
    assert listed.state_dict() == plain.state_dict()
    # The default network still draws He weights for its ReLUs, with the same numbers.
    default = MLP(2, [4, 1], seed=0)
    assert default.init == "he" and default.activation == "relu"
    assert MLP(2, [4, 1], activation=["relu"], seed=0).state_dict() == default.state_dict()


def test_a_mixed_network_shows_and_saves_its_activations(tmp_path):
    model = MLP(2, [4, 4, 1], activation=["tanh", "relu"], output="sigmoid", seed=1)
    assert "activation=['tanh', 'relu']" in repr(model) and "output='sigmoid'" in repr(model)
    assert model.init == "xavier"
    path = tmp_path / "mixed.json"
    model.save(path)
    twin = MLP(2, [4, 4, 1], activation=["tanh", "relu"], output="sigmoid", seed=2)
    twin.load(path)
    assert twin.state_dict() == model.state_dict()
    rebuilt = MLP(**model.config())  # what a saved config rebuilds
    assert rebuilt.activations == model.activations
    other = MLP(2, [4, 4, 1], activation=["relu", "tanh"], output="sigmoid", seed=2)
    with pytest.raises(ValueError, match="but this model"):
        other.load(path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activation": ["tanh"]}, r"1 names for a network of 2 hidden layers"),
        ({"activation": ["tanh", "relu", "relu", "relu"]}, r"one per layer with the output"),
        ({"activation": ["tanh", "swish"]}, r"unknown activation 'swish'"),
        ({"activation": ["tanh", "relu", "tanh"], "output": "sigmoid"}, r"give the output's"),
        ({"activation": 3}, r"a name or a list of names"),
    ],
)
def test_wrong_activation_lists_say_what_is_accepted(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        MLP(2, [4, 4, 1], **kwargs)


def test_diagnoses_read_each_hidden_layer_by_its_own_activation():
    X, y = data.moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], activation=["relu", "tanh"], seed=0)
    # Kill layer 1's ReLUs: a large negative bias puts every Z below 0.
    for neuron in model.layers[0].neurons:
        neuron.b.data = -100.0
    report = diagnose(model, X, y, loss="bce_with_logits")
    assert [(a.layer, a.activation) for a in report.layers] == [(1, "relu"), (2, "tanh")]
    assert len(report.layers[0].dead) == 8
    assert any(d.kind == "dead" and d.layer == 1 for d in report.findings)
    # tanh of layer 2 reads constants (b only): its slope there decides saturation, not ReLU's.
    assert report.layers[1].dead == []


def test_a_mixed_deep_network_is_explained_without_blaming_one_activation():
    X, y = data.moons(50, noise=0.1, seed=0)
    model = MLP(2, [8] * 8 + [1], activation=["sigmoid"] * 7 + ["tanh"], seed=0)
    found = {d.kind: d for d in diagnose(model, X, y, loss="bce_with_logits").findings}
    assert "vanishing" in found
    message = found["vanishing"].message
    assert "σ' is at most 0.25" not in message  # that is the all-sigmoid explanation
    assert "one local derivative per layer" in message


def test_layer_keeps_one_activation_for_all_its_neurons():
    layer = Layer(2, 3, "sigmoid", seed=0)
    assert {n.activation for n in layer.neurons} == {"sigmoid"}
