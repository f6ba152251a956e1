"""viz.Playground's Python API: every control is a call, as a lesson or a test drives it."""

from __future__ import annotations

import math

import pytest

import nn
from viz import Playground
from viz.playground import DATASETS, FEATURES, GRID
from viz.playground_views import explain_neuron, mimebundle, network_svg, output_svg


def test_defaults_build_a_split_model_and_epoch_zero():
    pg = Playground()
    (Xtr, _), (Xte, yte) = pg.train_data, pg.test_data
    assert len(Xtr) + len(Xte) == 200 and len(Xte) == 100  # test_fraction 0.5, stratified
    assert sum(yte) == 50
    assert pg.epoch == 0 and len(pg.history) == 0
    assert [layer.nout for layer in pg.model.layers] == [4, 4, 1]
    assert pg.model.layers[0].activation == "tanh" and pg.model.nin == 2


def test_train_records_train_and_test_cost_and_accuracy_as_the_graph_gives_them():
    pg = Playground(seed=1)
    history = pg.train(epochs=5)
    assert pg.epoch == 5 and history is pg.history
    assert len(history.cost) == len(history.val_cost) == len(history.val_accuracy) == 5
    # The last entries are the mean cross-entropy and accuracy of the model as it is now,
    # measured eagerly on gradstep's graph, point by point.
    for (X, y), cost, acc in (
        (pg.train_data, history.cost[-1], history.accuracy[-1]),
        (pg.test_data, history.val_cost[-1], history.val_accuracy[-1]),
    ):
        outs = [pg.model(f) for f in pg.features_of(X)]
        assert nn.bce_with_logits(outs, y).data == pytest.approx(cost, rel=1e-9)
        assert sum((o.data > 0) == bool(t) for o, t in zip(outs, y)) / len(y) == acc
    assert history.cost[-1] < history.cost[0]


def test_the_same_seed_gives_the_same_run_and_reset_goes_back_to_it():
    a, b = Playground(seed=3), Playground(seed=3)
    a.train(3)
    b.train(3)
    assert a.history.cost == b.history.cost
    first = a.history.cost[0]
    a.train(2)
    a.reset()
    assert a.epoch == 0 and a.history.cost == []
    a.train(1)
    assert a.history.cost[0] == first


def test_lr_l2_and_batch_size_keep_the_weights_the_rest_rebuild():
    pg = Playground(seed=0)
    pg.train(3)
    weights = [p.data for p in pg.model.parameters()]
    pg.set(lr=0.1, l2=0.01, batch_size=5)
    assert pg.epoch == 3 and [p.data for p in pg.model.parameters()] == weights
    assert pg.settings["lr"] == 0.1 and pg._optimizer.lr == 0.1
    pg.train(1)
    assert pg.epoch == 4
    pg.set(activation="relu")
    assert pg.epoch == 0 and pg.model.layers[0].activation == "relu"
    pg.set(hidden=[], features=("x1", "x2", "x1*x2"))
    assert pg.epoch == 0 and len(pg.model.layers) == 1 and pg.model.nin == 3
    before = pg.train_data
    pg.set(dataset="spiral")
    assert pg.train_data != before


def test_xor_with_no_hidden_layer_needs_the_feature_x1_x2():
    plain = Playground("xor", hidden=[], features=("x1", "x2"), lr=0.3, seed=0)
    plain.train(40)
    product = Playground("xor", hidden=[], features=("x1*x2",), lr=0.3, seed=0)
    product.train(40)
    assert plain.history.val_accuracy[-1] < 0.7 < 0.9 < product.history.val_accuracy[-1]


def test_circles_need_the_squares_with_no_hidden_layer():
    squares = Playground("circles", hidden=[], features=("x1^2", "x2^2"), lr=0.3, seed=0)
    squares.train(60)
    assert squares.history.val_accuracy[-1] > 0.9


def test_too_large_a_learning_rate_is_seen_in_the_cost():
    calm = Playground(lr=0.03, seed=0)
    wild = Playground(lr=10.0, seed=0)
    calm.train(20)
    wild.train(20)
    assert max(wild.history.cost) > 2 * max(calm.history.cost)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_is_two_classes_around_the_origin(name):
    pg = Playground(name, seed=0)
    X = pg.train_data[0] + pg.test_data[0]
    assert set(pg.train_data[1]) == set(pg.test_data[1]) == {0, 1}
    for k in range(2):
        mean = sum(x[k] for x in X) / len(X)
        assert abs(mean) < 0.5
    x0, x1, y0, y1 = pg.extent
    assert all(x0 < a < x1 and y0 < b < y1 for a, b in X)


def test_features_are_computed_from_x1_and_x2():
    pg = Playground(features=tuple(FEATURES), seed=0)
    (row,) = pg.features_of([[0.5, -2.0]])
    assert row == [0.5, -2.0, 0.25, 4.0, -1.0, math.sin(0.5), math.sin(-2.0)]


def test_the_decision_picture_is_the_model_s_probability_on_the_grid():
    pg = Playground(seed=0)
    pg.train(2)
    heat = pg.decision()
    assert len(heat) == GRID and all(len(row) == GRID for row in heat)
    x0, x1, y0, y1 = pg.extent
    # the top-left cell's centre, through gradstep's graph
    point = [x0 + (x1 - x0) * 0.5 / GRID, y1 - (y1 - y0) * 0.5 / GRID]
    z = pg.model(pg.features_of([point])[0])
    assert heat[0][0] == pytest.approx(z.sigmoid().data, rel=1e-9)
    pictures = pg.neuron_pictures()
    assert [len(layer) for layer in pictures] == [4, 4]
    a = pg.model.layers[0].neurons[2](pg.features_of([point])[0])
    assert pictures[0][2][0][0] == pytest.approx(a.data, rel=1e-9)


@pytest.mark.parametrize(
    "settings, match",
    [
        ({"dataset": "mnist"}, "unknown dataset 'mnist'; choose one of moons, circles, xor"),
        ({"features": ("x3",)}, r"unknown feature 'x3'; choose one of x1, x2, x1\^2"),
        ({"features": ()}, "features must name at least one of x1, x2"),
        ({"activation": "gelu"}, "unknown activation 'gelu'; choose one of tanh, relu, sigmoid"),
        ({"lr": 0}, r"lr must be a number > 0, got 0"),
        ({"lr": -1.0}, r"lr must be a number > 0, got -1.0"),
        ({"hidden": [0]}, r"each hidden layer's width must be an int >= 1, got int 0"),
        ({"hidden": 4}, r"hidden must be a list of layer widths \(or \[\]\), got int 4"),
        ({"test_fraction": 1.0}, r"test_fraction must be a number in \(0, 1\), got 1.0"),
        ({"test_fraction": 0}, r"test_fraction must be a number in \(0, 1\), got 0"),
        ({"batch_size": 0}, "batch_size must be an int >= 1, got int 0"),
        ({"l2": -0.1}, "l2 must be a number >= 0, got -0.1"),
    ],
)
def test_bad_settings_name_what_is_accepted(settings, match):
    with pytest.raises(ValueError, match=match):
        Playground(**settings)
    pg = Playground(seed=0)
    pg.train(1)
    with pytest.raises(ValueError, match=match):
        pg.set(**settings)
    assert pg.epoch == 1  # a refused setting changes nothing


def test_set_refuses_an_unknown_setting():
    with pytest.raises(TypeError, match=r"unknown settings \['alpha'\]; the settings are dataset"):
        Playground().set(alpha=0.1)


def test_the_views_draw_and_escape():
    pg = Playground(seed=0)
    pg.train(2)
    svg = output_svg(pg, pg.decision())
    assert svg.count("<circle") == 200 and svg.count('stroke="black"') == 100  # test points
    net = network_svg(pg)
    assert net.count("<line") == 2 * 4 + 4 * 4 + 4 and "‖∇‖" in net
    grads = [p.grad for p in pg.model.parameters()]
    text = explain_neuron(pg, 1, 0, example=3)
    assert "Z1[0] = w·x + b" in text and "∂L/∂Z1[0] = ∂L/∂A1[0] · A'(Z)" in text
    assert [p.grad for p in pg.model.parameters()] == grads  # training's gradients untouched


def test_without_ipywidgets_it_shows_the_snapshot_and_says_how(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name == "ipywidgets" or name.startswith("ipywidgets."):
            raise ImportError("no ipywidgets")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_widgets)
    bundle = mimebundle(Playground(seed=0), None, None)
    assert 'pip install "gradstep[notebook]"' in bundle["text/plain"]
    assert "image/png" in bundle


def test_with_ipywidgets_it_is_a_widget():
    bundle = Playground(seed=0)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_snapshot_is_a_figure():
    fig = Playground(seed=0).snapshot()
    png, _ = fig._repr_png_()
    assert png[:4] == b"\x89PNG" and len(fig.axes) == 2 + 8


def test_save_writes_a_page_that_replays_every_epoch_even_a_diverged_run(tmp_path):
    from viz.replay import _validated

    pg = Playground(lr=10.0, seed=0)
    pg.train(15)
    run = pg.run()
    assert [f["epoch"] for f in run["frames"]] == list(range(16))  # epoch 0, then each epoch
    assert run["frames"][-1]["heat"] == [[round(p, 3) for p in row] for row in pg.decision()]
    _validated(run)  # what the page accepts, overflowed costs included
    path = pg.save(tmp_path / "run.html")
    text = path.read_text(encoding="utf-8")
    assert "<canvas" in text and "http://" not in text.replace("http://www.w3.org", "")
    many = Playground(seed=0)
    many.train(30)
    frames = many.run(max_frames=10)["frames"]
    assert len(frames) == 10 and frames[0]["epoch"] == 0 and frames[-1]["epoch"] == 30


def test_a_notebook_shows_the_live_app(tmp_path):
    from tests.notebooks import displays, execute, kernel_dir

    nb = execute(["import viz\npg = viz.Playground()\npg"], kernel_dir(tmp_path), tmp_path)
    (bundle,) = displays(nb.cells[0])
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_big_network_overfits_a_small_noisy_set_and_l2_closes_the_gap():
    def gap(l2):
        pg = Playground("gaussian", n=60, noise=0.35, hidden=[8, 8], lr=0.3, l2=l2, seed=1)
        h = pg.train(200)
        return h.val_cost[-1] - h.cost[-1], h.val_cost[-1]

    overfit, test_cost = gap(0.0)
    regularised, test_cost_l2 = gap(0.01)
    assert overfit > 0.3  # train and test curves part
    assert regularised < overfit / 3 and test_cost_l2 < test_cost


def test_the_live_app_follows_calls_from_other_cells():
    from viz.playground_views import App

    pg = Playground(seed=0)
    pg._app = app = App(pg)
    assert "Epoch 0" in app.epoch.value
    pg.train(3)
    assert "Epoch 3" in app.epoch.value and "train cost" in app.readout.value
    app.lr.value = 0.1  # the control sets the playground
    assert pg.settings["lr"] == 0.1 and pg.epoch == 3
    app.hidden.value = "2"  # a new network: back to epoch 0, shown at once
    assert pg.settings["hidden"] == [2] and "Epoch 0" in app.epoch.value
    app.hidden.value = "two"
    assert "hidden must be widths such as 4, 4" in app.message.value
    app.features.value = ()
    assert "features must name at least one" in app.message.value
    app.step.click()
    assert pg.epoch == 1 and "Epoch 1" in app.epoch.value
