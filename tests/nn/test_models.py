"""Modules, layers, networks, saving and loading, training -- the acceptance criteria."""

from __future__ import annotations

import json
import math
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from nn import MLP, SGD, Adam, History, Layer, Neuron, Perceptron, accuracy, data, fit, predict
from nn.module import Module, path_of


def test_named_parameters_are_stable_and_readable():
    model = MLP(2, [3, 1], seed=0)
    names = [n for n, _ in model.named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.0.b"
    assert model.num_parameters() == len(names) == 3 * 3 + 4
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_seeded_init_is_reproducible_and_seed_dependent():
    a, b, c = MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=5), MLP(2, [4, 1], seed=6)
    assert a.state_dict() == b.state_dict() != c.state_dict()


@pytest.mark.parametrize(
    "init, check",
    [
        ("xavier", lambda ws, nin, nout: all(abs(w) <= math.sqrt(6 / (nin + nout)) for w in ws)),
        ("uniform", lambda ws, nin, nout: all(abs(w) <= 1 for w in ws)),
        ("he", lambda ws, nin, nout: 0.5 < (sum(w * w for w in ws) / len(ws)) / (2 / nin) < 1.5),
    ],
)
def test_initialisations(init, check):
    layer = Layer(50, 40, init=init, seed=0)
    ws = [w.data for n in layer.neurons for w in n.w]
    assert check(ws, 50, 40)
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_default_init_follows_the_activation():
    assert MLP(2, [3, 1]).init == "he"
    assert MLP(2, [3, 1], activation="tanh").init == "xavier"


def test_layer_always_returns_a_list_and_mlp_a_value_for_one_output():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    assert len(MLP(2, [3, 4])([1.0, 2.0])) == 4


def test_repr_shows_the_architecture():
    assert repr(MLP(2, [16, 16, 1])) == (
        "MLP(nin=2, sizes=[16, 16, 1], activation='relu', output=None, init='he')"
    )
    assert repr(Perceptron(3)) == "Perceptron(nin=3, activation='sigmoid', init='xavier')"


def test_neuron_is_one_sigma_node_and_expanded_is_2n():
    n = Neuron(4, activation="linear", seed=0)
    z = n([1.0, 2.0, 3.0, 4.0])
    assert z.op.name == "dot" and len(z.parents) == 9
    e = Neuron(4, activation="linear", seed=0, expanded=True)
    z2 = e([1.0, 2.0, 3.0, 4.0])
    ops = [v.op.name for v in autograd.topological_order(z2) if v.op is not None]
    assert ops.count("mul") == 4 and ops.count("add") == 4


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6), st.integers(0, 1000), st.sampled_from(["sigmoid", "tanh", "relu"]), st.data()
)
def test_n_ary_neuron_gives_the_gradients_of_the_expanded_graph(nin, seed, act, data_):
    x = data_.draw(st.lists(st.floats(-3, 3), min_size=nin, max_size=nin))
    fast, slow = Neuron(nin, act, seed=seed), Neuron(nin, act, seed=seed, expanded=True)
    a, b = fast(x), slow(x)
    assert a.data == pytest.approx(b.data, abs=1e-12)
    a.backward()
    b.backward()
    for p, q in zip(fast.parameters(), slow.parameters()):
        assert p.grad == pytest.approx(q.grad, abs=1e-12)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="nin must be an int >= 1, got 0"):
        Neuron(0)
    with pytest.raises(ValueError, match="unknown activation 'gelu'; choose one of sigmoid"):
        MLP(2, [3], activation="gelu")
    with pytest.raises(ValueError, match="sizes must be a non-empty list"):
        MLP(2, [])
    with pytest.raises(ValueError, match="unknown init 'zeros'"):
        Layer(2, 2, init="zeros")
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        MLP(2, [3])([1.0, 2.0, 3.0])


def test_step_activation_is_gradient_free():
    p = Perceptron(2, activation="step", seed=0)
    out = p([1.0, 1.0])
    assert out.data in (0.0, 1.0) and out.is_leaf


# --- save and load ------------------------------------------------------------------------


def test_save_load_round_trip_gives_identical_predictions(tmp_path):
    X, _ = data.moons(30, seed=1)
    model = MLP(2, [8, 8, 1], seed=1)
    path = tmp_path / "m.json"
    model.save(path)
    twin = MLP(2, [8, 8, 1], seed=99)
    twin.load(path)
    assert predict(twin, X) == predict(model, X)
    assert json.loads(path.read_text())["format"] == "gradstep-model"


def _saved(tmp_path, mutate):
    model = MLP(2, [3, 1], seed=0)
    path = tmp_path / "m.json"
    model.save(path)
    doc = json.loads(path.read_text())
    text = mutate(doc)
    path.write_text(text if isinstance(text, str) else json.dumps(doc))
    return path


def _set_first(doc, value):
    key = next(iter(doc["parameters"]))
    doc["parameters"][key] = value


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: "{not json", "is not valid JSON"),
        (lambda d: "[1, 2]", "is not a gradstep model file"),
        (lambda d: d.update(version=7), "format version 7"),
        (lambda d: d.update(config={**d["config"], "sizes": [4, 1]}), "holds a MLP with"),
        (lambda d: d.update(model="Layer"), "holds a Layer"),
        (lambda d: d["parameters"].popitem(), "missing 'layers.1.neurons.0.b'"),
        (lambda d: d["parameters"].update(extra=1.0), "unexpected 'extra'"),
        (lambda d: _set_first(d, "1.0"), "must be a number, got '1.0'"),
        (lambda d: _set_first(d, True), "must be a number, got True"),
        (
            lambda d: json.dumps(d).replace(
                json.dumps(next(iter(d["parameters"].values()))), "NaN", 1
            ),
            "finite numbers only",
        ),
        (
            lambda d: json.dumps(d).replace(
                json.dumps(next(iter(d["parameters"].values()))), "1e999", 1
            ),
            "must be finite",
        ),
    ],
)
def test_bad_files_are_rejected_and_the_model_is_unchanged(tmp_path, mutate, message):
    path = _saved(tmp_path, mutate)
    model = MLP(2, [3, 1], seed=42)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        model.load(path)
    assert model.state_dict() == before


def test_binary_garbage_is_rejected(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError):
        MLP(2, [3, 1]).load(path)


# --- training: the acceptance criteria ------------------------------------------------------


def test_mlp_reaches_100_percent_on_moons_within_100_epochs():
    X, y = data.moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    hist = fit(
        model,
        X,
        y,
        loss="bce_with_logits",
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=100,
        progress=False,
    )
    assert len(hist) == 100 and hist.cost[-1] < hist.cost[0]
    assert accuracy(model, X, y) == 1.0


@pytest.mark.parametrize("gate", ["and", "or"])
def test_perceptron_learns_and_or(gate):
    X, y = data.logic(gate)
    p = Perceptron(2, seed=0)
    fit(
        p,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=Adam(p.parameters(), lr=0.1),
        epochs=200,
        progress=False,
    )
    assert accuracy(p, X, y) == 1.0


def test_perceptron_learns_linearly_separable_data():
    X, y = data.linearly_separable(100, seed=3)
    p = Perceptron(2, seed=0)
    fit(
        p,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=Adam(p.parameters(), lr=0.1),
        epochs=100,
        progress=False,
    )
    assert accuracy(p, X, y) >= 0.98


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_cannot_learn_xor(seed):
    X, y = data.xor()
    p = Perceptron(2, seed=seed)
    fit(p, X, y, loss="mse", optimizer=Adam(p.parameters(), lr=0.1), epochs=300, progress=False)
    assert accuracy(p, X, y) <= 0.75


def test_mlp_learns_xor():
    X, y = data.xor()
    m = MLP(2, [8, 1], activation="tanh", output="sigmoid", seed=0)
    fit(
        m,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=Adam(m.parameters(), lr=0.1),
        epochs=200,
        progress=False,
    )
    assert accuracy(m, X, y) == 1.0


def test_multiclass_blobs_with_cross_entropy():
    X, y = data.blobs(60, k=3, seed=0)
    m = MLP(2, [8, 3], seed=0)
    hist = fit(
        m,
        X,
        y,
        loss="cross_entropy",
        optimizer=Adam(m.parameters(), lr=0.05),
        epochs=40,
        batch_size=16,
        progress=False,
    )
    assert hist.accuracy[-1] >= 0.95 and accuracy(m, X, y) >= 0.95


def test_regression_on_sine_has_no_accuracy():
    X, y = data.sine(40, seed=0)
    m = MLP(1, [16, 1], activation="tanh", seed=0)
    hist = fit(
        m, X, y, loss="mse", optimizer=Adam(m.parameters(), lr=0.02), epochs=100, progress=False
    )
    assert hist.accuracy[-1] is None and hist.cost[-1] < 0.2 * hist.cost[0]


def test_fit_is_reproducible_and_callback_can_stop():
    X, y = data.moons(40, seed=0)
    runs = []
    for _ in range(2):
        m = MLP(2, [4, 1], seed=0)
        runs.append(
            fit(
                m,
                X,
                y,
                loss="hinge" if False else "bce_with_logits",
                epochs=5,
                batch_size=8,
                progress=False,
            ).cost
        )
    assert runs[0] == runs[1]
    seen = []
    m = MLP(2, [4, 1], seed=0)
    hist = fit(
        m,
        X,
        y,
        loss="bce_with_logits",
        epochs=50,
        progress=False,
        callback=lambda e, c, a: seen.append(e) or e < 3,
    )
    assert seen == [1, 2, 3] and len(hist) == 3


def test_l2_term_is_added_to_the_cost():
    X, y = data.moons(20, seed=0)
    plain = fit(MLP(2, [4, 1], seed=0), X, y, loss="bce_with_logits", epochs=1, progress=False)
    reg = fit(
        MLP(2, [4, 1], seed=0), X, y, loss="bce_with_logits", epochs=1, progress=False, l2_alpha=0.5
    )
    assert reg.cost[0] > plain.cost[0]


@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[1.0, 2.0], [1.0]], [0, 1], "X is ragged: example #0 has 2 features, #1 has 1"),
        ([[1.0, 2.0]], [0, 1], "X has 1 examples but y has 2 targets"),
        ([[1.0, 2.0, 3.0]], [0], "the model takes 2 features per example, X has 3"),
        ([[1.0, float("nan")]], [0], "example #0 has a NaN or infinite feature"),
        ([[1.0, 2.0]], [float("nan")], "target #0 must be a finite number"),
        ([], [], "X is empty"),
    ],
)
def test_bad_data_is_refused_before_training(X, y, message):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        fit(model, X, y, epochs=3, progress=False)
    assert model.state_dict() == before


def test_bad_fit_arguments():
    X, y = data.xor()
    m = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got 0"):
        fit(m, X, y, epochs=0)
    with pytest.raises(ValueError, match="batch_size must be None or an int >= 1"):
        fit(m, X, y, batch_size=0)


def test_progress_bar_shows_epoch_cost_and_accuracy(capsys):
    X, y = data.xor()
    fit(MLP(2, [3, 1], seed=0), X, y, loss="bce_with_logits", epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "cost=" in err and "acc=" in err


def test_sgd_training_step_matches_a_hand_update():
    p = Perceptron(1, activation="linear", seed=0)
    w0, b0 = p.w[0].data, p.b.data
    X, y = [[2.0]], [1.0]
    fit(p, X, y, loss="mse", optimizer=SGD(p.parameters(), lr=0.1), epochs=1, progress=False)
    err = w0 * 2.0 + b0 - 1.0  # d/dw (w x + b - y)^2 = 2 err x
    assert p.w[0].data == pytest.approx(w0 - 0.1 * 2 * err * 2.0)
    assert p.b.data == pytest.approx(b0 - 0.1 * 2 * err)


def test_nn_never_imports_plotting_or_graphviz():
    import subprocess
    import sys

    code = (
        "import sys, nn; bad = [m for m in ('matplotlib', 'graphviz', 'numpy', 'viz') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
    assert nn.__name__ == "nn"


def test_accuracy_reads_outputs_the_way_the_model_was_trained():
    X, y = data.moons(100, noise=0.1, seed=0)
    on_values = MLP(2, [16, 16, 1], seed=0)  # linear output trained towards 0 and 1
    fit(
        on_values,
        X,
        y,
        loss="mse",
        optimizer=Adam(on_values.parameters(), lr=0.05),
        epochs=100,
        progress=False,
    )
    assert on_values.decision_threshold == 0.5
    assert accuracy(on_values, X, y) >= 0.97
    assert accuracy(on_values, X, y, threshold=0.0) < accuracy(on_values, X, y)
    on_logits = MLP(2, [16, 16, 1], seed=0)
    fit(on_logits, X, y, loss="bce_with_logits", epochs=1, progress=False)
    assert on_logits.decision_threshold == 0.0
    untrained = Perceptron(2, seed=0)  # a sigmoid: a probability, split at 0.5
    assert nn.predict_labels(untrained, [[9.0, 9.0]]) == [int(untrained([9.0, 9.0]).data >= 0.5)]


def test_load_accepts_the_same_architecture_with_another_init(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], init="he", seed=0).save(path)
    other = MLP(2, [3, 1], init="xavier", seed=1)
    other.load(path)
    assert other.state_dict() == MLP(2, [3, 1], init="he", seed=0).state_dict()


def test_fit_takes_numpy_arrays():
    import numpy as np

    X, y = data.moons(20, seed=0)
    m = MLP(2, [4, 1], seed=0)
    hist = fit(m, np.array(X), np.array(y), loss="bce_with_logits", epochs=2, progress=False)
    assert len(hist) == 2 and accuracy(m, X, np.array(y)) == accuracy(m, X, y)


def test_networks_are_named_in_the_article_s_notation_and_keep_their_paths():
    model = MLP(2, [3, 1], activation="tanh", output="sigmoid", seed=0)
    assert [p.label for p in model.parameters()] == [
        *(f"W1[{j},{k}]" if k < 2 else f"b1[{j}]" for j in range(3) for k in range(3)),
        "W2[0,0]", "W2[0,1]", "W2[0,2]", "b2[0]",
    ]  # fmt: skip
    # the module path stays the key of named_parameters() and state_dict(), and path_of's
    assert [path_of(p) for p in model.parameters()] == [n for n, _ in model.named_parameters()]
    assert list(model.state_dict()) == [n for n, _ in model.named_parameters()]
    assert list(model.state_dict())[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                                            "layers.0.neurons.0.b"]  # fmt: skip
    out = model([1.0, -1.0])
    assert (out.label, path_of(out)) == ("A2[0]", "layers.1.neurons.0.a")
    z = out.parents[0]
    assert (z.label, path_of(z)) == ("Z2[0]", "layers.1.neurons.0.z")
    hidden = z.parents[3:6]  # the dot node's inputs: the hidden layer's activations
    assert [h.label for h in hidden] == [f"A1[{j}]" for j in range(3)]
    inputs = hidden[0].parents[0].parents[2:4]
    assert [(x.is_constant, x.label, x.data) for x in inputs] == [
        (True, "x[0]", 1.0), (True, "x[1]", -1.0)
    ]  # fmt: skip
    # a lone neuron speaks the article too, 0-based as the inputs are
    p = Perceptron(2, seed=0)
    assert [v.label for v in p.parameters()] == ["w[0]", "w[1]", "b"]
    assert [path_of(v) for v in p.parameters()] == ["w.0", "w.1", "b"]
    a = p([0.5, 0.5])
    assert (a.label, a.parents[0].label) == ("a", "z")
    assert p.preactivation([0.5, 0.5]).label == "z"
    assert [v.label for v in Layer(2, 2, seed=0).parameters()] == [
        "W[0,0]", "W[0,1]", "b[0]", "W[1,0]", "W[1,1]", "b[1]"
    ]  # fmt: skip
    linear = MLP(2, [1], seed=0)([1.0, 1.0])
    assert linear.label == "Z1[0]"  # no activation: Z is the output
    assert [name for name, _ in MLP(2, [1]).named_modules()] == [
        "",
        "layers.0",
        "layers.0.neurons.0",
    ]


def test_a_model_of_your_own_names_its_parts_by_attribute_and_a_label_you_give_wins():
    class TwoHeads(Module):
        def __init__(self):
            self.trunk = MLP(2, [2], seed=0)
            self.scale = Value(1.0)
            self.label_parameters()

    model = TwoHeads()
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["trunk.W1[0,0]", "trunk.W1[0,1]", "trunk.b1[0]"]
    assert labels[-1] == "scale" and path_of(model.scale) == "scale"
    assert path_of(model.trunk.layers[0].neurons[1].b) == "trunk.layers.0.neurons.1.b"
    model.scale.label = "gain"  # yours: kept by every view
    assert model.scale.label == "gain"


def test_saved_files_keep_their_keys_and_old_files_load(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    path = tmp_path / "m.json"
    model.save(path)
    saved = json.loads(path.read_text())["parameters"]
    assert list(saved) == [n for n, _ in model.named_parameters()]
    assert "layers.1.neurons.0.b" in saved
    other = MLP(2, [2, 1], seed=5)
    other.load(path)
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]
    assert other.layers[1].neurons[0].b.label == "b2[0]"  # loading leaves the names alone


def test_history_has_a_compact_repr_and_a_notebook_card():
    h = History(cost=[0.6931, 0.25, 0.0123], accuracy=[0.5, 0.75, 1.0])
    assert repr(h) == "History(3 epochs, cost J 0.6931 -> 0.0123, accuracy 100%)"
    assert repr(History()) == "History(0 epochs)"
    assert repr(History(cost=[2.0], accuracy=[None])) == "History(1 epoch, cost J 2 -> 2)"
    card = h._repr_html_()
    assert card.count("<svg") == 2 and card.count("<polyline") == 2
    # the cost curve falls from the top left to the bottom right
    points = re.search(r'points="([^"]+)"', card).group(1).split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys == sorted(ys)
    assert History(cost=[1.0, 0.5], accuracy=[None, None])._repr_html_().count("<svg") == 1


@pytest.mark.parametrize(
    "notebook, tty, progress, shown",
    [
        (False, False, None, False),  # a script writing to a file or a CI log
        (False, True, None, True),  # a terminal
        (True, False, None, True),  # a Jupyter kernel (stderr is not a terminal there)
        (True, False, False, False),
        (False, False, True, True),
    ],
)
def test_progress_bar_appears_where_someone_watches(monkeypatch, notebook, tty, progress, shown):
    from nn import train

    monkeypatch.setattr(train, "_in_notebook", lambda: notebook)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
    bar = train._progress_bar(3, progress)
    assert (not isinstance(bar, range)) == shown
    if shown:
        bar.close()


def test_in_notebook_looks_for_a_kernel_without_importing_ipython(monkeypatch):
    import types

    from nn import train

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert train._in_notebook() is False and "IPython" not in sys.modules
    shell = types.SimpleNamespace(kernel=object())
    fake = types.SimpleNamespace(get_ipython=lambda: shell)
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert train._in_notebook() is True
    fake.get_ipython = lambda: types.SimpleNamespace()  # a terminal IPython: no kernel
    assert train._in_notebook() is False
