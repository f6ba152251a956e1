"""When learning fails, fit says why: each diagnosis provoked, eager and compiled, and a
healthy run silent. The causes are made on purpose, so the diagnosis must name them."""

from __future__ import annotations

import math
import warnings

import pytest

import nn
from nn import MLP, SGD, Adam, Perceptron, TrainingWarning, data, diagnose, fit
from nn.diagnoses import (
    GRADIENT_RATIO,
    JUMP_FACTOR,
    RISING_EPOCHS,
    check_divergence,
    check_gradients,
)

COMPILE = [False, True]
MOONS = data.moons(100, seed=0)


def train(model, X, y, **kw):
    """fit, returning the History and the TrainingWarnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit(model, X, y, progress=False, **kw)
    said = [w for w in caught if issubclass(w.category, TrainingWarning)]
    return history, said


def kinds(history) -> list[str]:
    return [d.kind for d in history.diagnosis]


@pytest.mark.parametrize("compile", COMPILE)
def test_a_learning_rate_too_large_diverges_and_fit_stops_with_the_best_weights(compile):
    X, y = MOONS
    model = MLP(2, [16, 16, 1], seed=0)
    history, said = train(model, X, y, optimizer=SGD(model.parameters(), lr=50), compile=compile)
    assert kinds(history) == ["diverged"]
    assert len(history) < 100  # it stopped there
    (d,) = history.diagnosis
    assert d.epoch == len(history) and "learning rate" in d.message and "lr=5" in d.message
    assert len(said) == 1 and str(said[0].message) == d.message
    # the weights are those the best epoch started from: its cost is what they give again
    # (one batch per epoch: exactly)
    assert nn.mse([model(x) for x in X], y).data == pytest.approx(min(history.cost), rel=1e-9)


def test_a_cost_that_rises_epoch_after_epoch_or_jumps_is_divergence():
    rising = [1.0, 0.9, 0.95, 1.0, 1.1, 1.3, 1.6]
    assert check_divergence(rising[:-1], 0.1) is None  # four rises: not yet
    assert RISING_EPOCHS == 5 and check_divergence(rising, 0.1).kind == "diverged"
    assert check_divergence([1.0, 0.5, 0.5 * JUMP_FACTOR * 1.01], 0.1).kind == "diverged"
    assert check_divergence([1.0, 0.8, 0.7, 0.75, 0.6], 0.1) is None  # noise, not divergence
    assert "it became nan" in check_divergence([1.0, math.nan], 0.1).message


@pytest.mark.parametrize("compile", COMPILE)
def test_dead_relus_are_named_with_their_layer(compile):
    X, y = data.xor()
    model = MLP(2, [4, 1], seed=0)  # the first XOR try: it stalls at 75%
    history, _ = train(model, X, y, loss="bce_with_logits", epochs=300, compile=compile)
    assert "dead" in kinds(history)
    d = next(d for d in history.diagnosis if d.kind == "dead")
    assert d.layer == 1 and "of the 4 ReLU neurons of layer 1" in d.message
    assert "A1[" in d.message and "try" in d.message
    dead = [j for j, n in enumerate(model.layers[0].neurons) if all(
        n([*x]).data <= 0 for x in X)]  # fmt: skip
    assert f"{len(dead)} of the 4" in d.message


@pytest.mark.parametrize("compile", COMPILE)
def test_vanishing_gradients_through_many_sigmoid_layers(compile):
    X, y = MOONS
    model = MLP(2, [8] * 8 + [1], activation="sigmoid", seed=0)
    history, _ = train(model, X, y, loss="bce_with_logits", epochs=5, compile=compile)
    assert kinds(history) == ["vanishing"]
    first, last = history.grad_norms[0][0], history.grad_norms[0][-1]
    assert last / first > GRADIENT_RATIO
    assert "layer 1" in history.diagnosis[0].message and "sigmoid" in history.diagnosis[0].message


def exploding_model() -> MLP:
    model = MLP(2, [16, 16, 16, 1], activation="tanh", seed=0)
    for w in model.layers[0].parameters():
        w.data *= 1e-3  # the first layer's outputs tiny...
    for w in model.layers[-1].parameters():
        w.data *= 1e3  # ...and the last layer's weights huge: dJ/dW1 dwarfs dJ/dW4
    return model


@pytest.mark.parametrize("compile", COMPILE)
def test_exploding_gradients(compile):
    X, y = MOONS
    model = exploding_model()
    history, _ = train(
        model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=1e-7),
        epochs=6, compile=compile,
    )  # fmt: skip
    assert kinds(history) == ["exploding"]
    assert history.grad_norms[0][0] / history.grad_norms[0][-1] > GRADIENT_RATIO


@pytest.mark.parametrize("compile", COMPILE)
def test_a_plateau_short_of_the_goal(compile):
    X, y = data.xor()
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    history, _ = train(
        model, X, y, loss="bce_with_logits", optimizer=SGD(model.parameters(), lr=1e-7),
        epochs=40, compile=compile,
    )  # fmt: skip
    assert kinds(history) == ["plateau"]
    assert f"{history.accuracy[-1]:.0%}" in history.diagnosis[0].message


@pytest.mark.parametrize("compile", COMPILE)
def test_saturated_sigmoids_when_the_inputs_are_huge(compile):
    X, y = MOONS
    X = [[100 * a, 100 * b] for a, b in X]  # unscaled inputs: Z far from 0
    model = MLP(2, [8, 1], activation="sigmoid", seed=0)
    history, _ = train(model, X, y, loss="bce_with_logits", epochs=30, compile=compile)
    assert kinds(history) == ["saturated"]
    assert "standardize" in history.diagnosis[0].message


@pytest.mark.parametrize("compile", COMPILE)
def test_healthy_runs_say_nothing(compile):
    X, y = MOONS  # the demo's recipe
    model = MLP(2, [16, 16, 1], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        history = fit(
            model, X, y, loss="bce_with_logits", optimizer=Adam(model.parameters(), lr=0.05),
            progress=False, compile=compile,
        )  # fmt: skip
        assert history.diagnosis == [] and history.accuracy[-1] == 1.0
        Xx, yx = data.xor()  # a perceptron that cannot split XOR: the lesson, not a fault
        p = Perceptron(2, seed=0)
        fit(p, Xx, yx, loss="binary_cross_entropy", optimizer=Adam(p.parameters(), lr=0.1),
            epochs=200, progress=False, compile=compile)  # fmt: skip
        tanh = MLP(2, [8, 1], activation="tanh", output="sigmoid", seed=0)
        fit(tanh, Xx, yx, loss="binary_cross_entropy", optimizer=Adam(tanh.parameters(), lr=0.1),
            epochs=200, progress=False, compile=compile)  # fmt: skip
    assert len(history.grad_norms) == 100 and all(len(g) == 3 for g in history.grad_norms)


def test_the_history_card_shows_the_diagnosis_and_diagnose_false_is_quiet():
    X, y = MOONS
    model = MLP(2, [16, 16, 1], seed=0)
    history, _ = train(model, X, y, optimizer=SGD(model.parameters(), lr=50))
    card = history._repr_html_()
    assert "⚠" in card and "diverged" in card
    model = MLP(2, [16, 16, 1], seed=0)
    quiet, said = train(model, X, y, optimizer=SGD(model.parameters(), lr=50), epochs=3,
                        diagnose=False)  # fmt: skip
    assert quiet.diagnosis == [] and quiet.grad_norms == [] and said == []


def test_gradient_flow_is_judged_on_the_first_epochs():
    assert check_gradients([[1e-5, 1.0]] * 5, 5).kind == "vanishing"
    assert check_gradients([[1e4, 1.0]] * 5, 5).kind == "exploding"
    assert check_gradients([[1e-2, 1.0]] * 5, 5) is None
    assert check_gradients([[1.0]] * 5, 5) is None  # one layer: nothing to compare


def test_the_one_batch_check_up():
    X, y = MOONS
    deep = MLP(2, [8] * 8 + [1], activation="sigmoid", seed=0)
    for p in deep.parameters():
        p.grad = 0.25
    report = diagnose(deep, X, y, loss="bce_with_logits")
    assert [d.kind for d in report.findings] == ["vanishing"]
    assert len(report.grad_norms) == 9 and report.grad_norms[0] < report.grad_norms[-1]
    assert all(p.grad == 0.25 for p in deep.parameters())  # .grad left as it was
    text = str(report)
    assert text.startswith("check-up on one batch") and "layer 9: gradient norm" in text
    assert "vanishing" in report._repr_html_()
    healthy = diagnose(MLP(2, [16, 16, 1], seed=0), X, y, loss="bce_with_logits")
    assert healthy.findings == [] and "no problem found" in str(healthy)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_activity_agrees_with_and_without_numpy_and_with_the_graph(activation, monkeypatch):
    """The check-up's hidden values come from NumPy when it is there and from the float rules
    otherwise: both must find the neurons the model's own graph shows dead or saturated."""
    import builtins

    from nn.diagnoses import FLAT_SLOPE, SATURATED_EXAMPLES, activity

    X, _ = data.moons(60, seed=1)
    X = [[40 * a, 40 * b] for a, b in X]  # large inputs: some neurons saturate or die
    model = MLP(2, [12, 6, 1], activation=activation, seed=3)
    with_numpy = activity(model, X)
    real_import = builtins.__import__

    def no_numpy(name, *args, **kwargs):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("no numpy here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    without = activity(model, X)
    monkeypatch.undo()
    assert with_numpy == without
    # The oracle: the graph's own A per hidden neuron, example by example.
    outputs = [[], []]
    for x in X:
        values = x
        for i, layer in enumerate(model.layers[:2]):
            values = layer(values)
            outputs[i].append([v.data for v in values])
    for entry, rows in zip(with_numpy, outputs):
        columns = list(zip(*rows))
        if activation == "relu":
            assert entry.dead == [j for j, c in enumerate(columns) if all(a <= 0 for a in c)]
        else:
            slope = (lambda a: 1 - a * a) if activation == "tanh" else (lambda a: a * (1 - a))
            steepest = slope(0.0 if activation == "tanh" else 0.5)
            flat = [sum(slope(a) < FLAT_SLOPE * steepest for a in c) for c in columns]
            assert entry.saturated == [
                j for j, f in enumerate(flat) if f >= SATURATED_EXAMPLES * len(X)
            ]
    assert any(e.dead or e.saturated for e in with_numpy)  # the test sees something to find


def test_a_first_layer_with_no_gradient_at_all_is_vanishing_not_a_crash():
    found = check_gradients([[0.0, 0.5]] * 3, 3)
    assert found.kind == "vanishing"
    said = "layer 1's gradient is 0, against layer 2's (epoch 2, layer 1: 0, layer 2: 0.5)"
    assert said in found.message


@pytest.mark.parametrize(
    "activation, reason",
    [
        ("sigmoid", "σ' is at most 0.25"),
        ("tanh", "tanh' = 1 - A² is small"),
        ("relu", "A ReLU whose Z < 0 passes no gradient back"),
        (None, "where they are below 1 the product shrinks"),
    ],
)
def test_the_vanishing_message_explains_by_the_hidden_activation(activation, reason):
    assert reason in check_gradients([[1e-6, 1.0]] * 5, 5, activation).message


def test_a_dead_relu_network_is_not_blamed_on_sigmoids():
    model = MLP(2, [1, 1, 1], seed=0)
    for p in model.layers[1].parameters():
        p.data = -1.0  # layer 2's ReLU is off for every input: layer 1 gets no gradient
    report = diagnose(model, *data.moons(20, seed=0), loss="bce_with_logits")
    vanishing = [d for d in report.findings if d.kind == "vanishing"]
    assert vanishing and "ReLU whose Z < 0" in vanishing[0].message
    assert "σ'" not in vanishing[0].message


def test_the_figures_quoted_are_those_the_ratio_was_taken_from():
    import re

    norms = [[1e-6, 0.5], [4e-6, 0.4], [2e-6, 0.8], [3e-5, 0.6], [1e-6, 0.1]]
    message = check_gradients(norms, 5).message
    # ratios 2e-6, 1e-5, 2.5e-6, 5e-5, 1e-5: the median epoch is epoch 2 (or 5), 1/1e-5
    assert "100,000 times smaller" in message
    quoted = re.search(r"\(epoch (\d), layer 1: (\S+), layer 2: (\S+)\)", message)
    epoch, first, last = quoted.groups()
    assert norms[int(epoch) - 1] == [float(first), float(last)]
    assert round(float(last) / float(first)) == 100_000
