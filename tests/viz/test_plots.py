"""viz.plots: the numbers each picture plots (read back from the Figure), not its pixels."""

from __future__ import annotations

import math
import subprocess
import sys
from itertools import pairwise

import matplotlib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from viz.plots import (
    DESIGN_B,
    DESIGN_X,
    DESIGN_Y,
    LANDSCAPE_DEFAULTS,
    cost_curve,
    decision_grid,
    gradient_descent_path,
    local_minima,
    plot_decision_boundary,
    plot_history,
    plot_loss_landscapes,
)

matplotlib.use("Agg")


def _grid(lo: float, hi: float, step: float) -> list[float]:
    n = round((hi - lo) / step)
    return [lo + step * i for i in range(n + 1)]


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# --- history -----------------------------------------------------------------------------


def test_history_lines_are_the_history():
    h = nn.History(cost=[0.9, 0.5, 0.25, 0.2], accuracy=[0.25, 0.5, 1.0, 1.0])
    fig = plot_history(h)
    cost_ax, acc_ax = fig.axes
    assert cost_ax.lines[0].get_xydata().tolist() == [[i + 1, c] for i, c in enumerate(h.cost)]
    assert acc_ax.lines[0].get_xydata().tolist() == [[i + 1, a] for i, a in enumerate(h.accuracy)]
    assert cost_ax.get_xlabel() == "epoch" and "cost" in cost_ax.get_ylabel()
    assert acc_ax.get_ylabel() == "accuracy"


def test_history_from_fit_and_regression_has_no_accuracy_panel():
    X, y = nn.data.xor()
    model = nn.MLP(2, [4, 1], activation="tanh", output="sigmoid", seed=1)
    h = nn.fit(model, X, y, loss="mse", epochs=5, progress=False)
    ys = plot_history(h).axes[0].lines[0].get_ydata().tolist()
    assert ys == h.cost
    fig = plot_history(nn.History(cost=[2.0, 1.0], accuracy=[None, None]))
    assert len(fig.axes) == 1


def test_history_partial_none_is_a_gap():
    fig = plot_history(nn.History(cost=[1.0, 0.5], accuracy=[None, 0.5]))
    ys = fig.axes[1].lines[0].get_ydata()
    assert math.isnan(ys[0]) and ys[1] == 0.5


@pytest.mark.parametrize(
    "history, match",
    [
        (nn.History(), "empty"),
        (nn.History(cost=[1.0], accuracy=[1.0, 1.0]), "1 costs but 2 accuracies"),
        (nn.History(cost=[float("nan")], accuracy=[None]), "cost of epoch 1"),
        (nn.History(cost=[1.0], accuracy=[1.5]), r"accuracy of epoch 1 .* \[0, 1\]"),
    ],
)
def test_history_bad_input(history, match):
    with pytest.raises(ValueError, match=match):
        plot_history(history)


def test_history_not_a_history():
    with pytest.raises(TypeError, match=r"nn\.History.*got list"):
        plot_history([1.0, 2.0])


# --- saving ------------------------------------------------------------------------------


def test_save_png_svg_pdf(tmp_path):
    h = nn.History(cost=[1.0, 0.5], accuracy=[0.5, 1.0])
    plot_history(h, path=tmp_path / "h.png")
    plot_history(h, path=str(tmp_path / "h.svg"))
    plot_history(h, path=tmp_path / "h.PDF")
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "h.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert (tmp_path / "h.PDF").read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("name", ["h.jpg", "h", "h.png.txt"])
def test_save_bad_suffix(tmp_path, name):
    with pytest.raises(ValueError, match=r"cannot save .*accepted: \.png, \.svg, \.pdf"):
        plot_history(nn.History(cost=[1.0], accuracy=[None]), path=tmp_path / name)
    assert not (tmp_path / name).exists()


def test_importing_plots_does_not_import_matplotlib_or_numpy():
    code = "import sys, viz.plots; print('matplotlib' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"], out.stderr


# --- the cost curves ---------------------------------------------------------------------

WS = _grid(-6.0, 6.0, 0.01)


def test_difference_cost_is_a_straight_line_with_no_minimum():
    costs = cost_curve("difference", DESIGN_X, DESIGN_Y, WS, activation="linear")
    mean_x, mean_y = sum(DESIGN_X) / 4, sum(DESIGN_Y) / 4
    for w, j in zip(WS, costs):
        assert j == pytest.approx(w * mean_x + DESIGN_B - mean_y, abs=1e-12)
    assert all(b > a for a, b in pairwise(costs))  # slope mean(x) > 0: monotone
    assert local_minima(WS, costs) == []


def test_difference_cost_through_sigmoid_is_linear_in_the_sigmoid():
    # J = mean(σ(w·x + b)) - mean(y): linear in the activations, not in w.
    costs = cost_curve("difference", DESIGN_X, DESIGN_Y, WS[::50])
    for w, j in zip(WS[::50], costs):
        expected = sum(_sigmoid(w * x + DESIGN_B) - t for x, t in zip(DESIGN_X, DESIGN_Y)) / 4
        assert j == pytest.approx(expected, abs=1e-12)
    assert local_minima(WS, cost_curve("difference", DESIGN_X, DESIGN_Y, WS)) == []


def test_mse_cost_is_wavy_with_two_minima_and_a_barrier():
    costs = cost_curve("mse", DESIGN_X, DESIGN_Y, WS)
    minima = local_minima(WS, costs)
    assert len(minima) == 2
    assert minima[0] == pytest.approx(-1.24, abs=0.05)
    assert minima[1] == pytest.approx(2.78, abs=0.05)
    i, k = WS.index(minima[0]), WS.index(minima[1])
    barrier = max(costs[i : k + 1])
    assert barrier > costs[i] + 0.05 and barrier > costs[k] + 0.05
    assert costs[k] < costs[i]  # the right-hand minimum is the better one
    # squared error through the sigmoid, computed by the engine, equals the formula
    w = 0.5
    (j,) = cost_curve("mse", [[x] for x in DESIGN_X], DESIGN_Y, [w])
    formula = sum((_sigmoid(w * x + DESIGN_B) - t) ** 2 for x, t in zip(DESIGN_X, DESIGN_Y)) / 4
    assert j == pytest.approx(formula, abs=1e-12)


def test_cross_entropy_cost_is_convex_with_one_minimum():
    costs = cost_curve("cross_entropy", DESIGN_X, DESIGN_Y, WS)
    second = [a - 2 * b + c for a, b, c in zip(costs, costs[1:], costs[2:])]
    assert min(second) >= -1e-12
    minima = local_minima(WS, costs)
    assert len(minima) == 1 and minima[0] == pytest.approx(-0.48, abs=0.02)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(-3, 3), min_size=1, max_size=5),
    st.floats(-2, 2),
    st.data(),
)
def test_cross_entropy_is_convex_for_any_data(xs, b, data):
    ys = data.draw(st.lists(st.sampled_from([0, 1]), min_size=len(xs), max_size=len(xs)))
    ws = _grid(-3.0, 3.0, 0.25)
    c = cost_curve("cross_entropy", xs, ys, ws, b=b)
    assert all(a - 2 * m + z >= -1e-9 for a, m, z in zip(c, c[1:], c[2:]))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: cost_curve("hinge", [1.0], [0], [0.0]), ValueError, "unknown loss 'hinge'"),
        (lambda: cost_curve("mse", [], [], [0.0]), ValueError, "X is empty"),
        (lambda: cost_curve("mse", [1.0, 2.0], [0], [0.0]), ValueError, "2 examples but y has 1"),
        (lambda: cost_curve("mse", [[1.0, 2.0]], [0], [0.0]), ValueError, "one feature"),
        (lambda: cost_curve("mse", [1.0], [0], [math.nan]), ValueError, r"ws\[0\]"),
        (lambda: cost_curve("mse", [1.0], [0], [0.0], b="1"), ValueError, "b must be a finite"),
        (lambda: cost_curve("mse", [1.0], [0], 3.0), TypeError, "ws must be a list"),
        (
            lambda: cost_curve("cross_entropy", [1.0], [0], [0.0], activation="linear"),
            ValueError,
            "activation='sigmoid'",
        ),
        (lambda: cost_curve("mse", [1.0], [0], [0.0], activation="relu"), ValueError, "relu"),
        (lambda: gradient_descent_path("mse", [1.0], [0], 0.0, -1.0, 3), ValueError, "lr"),
        (lambda: gradient_descent_path("mse", [1.0], [0], 0.0, 1.0, 2.5), ValueError, "steps"),
        (lambda: local_minima([0, 1], [0]), ValueError, "2 points but costs has 1"),
    ],
)
def test_landscape_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- gradient descent --------------------------------------------------------------------


def starts(loss: str) -> list[float]:
    w0 = LANDSCAPE_DEFAULTS[loss]["w0"]
    return list(w0) if isinstance(w0, tuple) else [w0]


@pytest.mark.parametrize("loss", ["difference", "mse", "cross_entropy"])
def test_descent_steps_follow_the_finite_difference_gradient(loss):
    cfg = LANDSCAPE_DEFAULTS[loss]
    act, lr = cfg["activation"], cfg["learning_rates"][1]
    w0 = starts(loss)[0]
    path = gradient_descent_path(loss, DESIGN_X, DESIGN_Y, w0, lr, 8, activation=act)
    assert len(path) == 9 and path[0][0] == w0
    h = 1e-5
    for (w, j), (w_next, _) in pairwise(path):
        assert j == pytest.approx(cost_curve(loss, DESIGN_X, DESIGN_Y, [w], activation=act)[0])
        lo, hi = cost_curve(loss, DESIGN_X, DESIGN_Y, [w - h, w + h], activation=act)
        assert w_next == pytest.approx(w - lr * (hi - lo) / (2 * h), abs=1e-6)


def test_good_rate_decreases_cost_and_too_large_oscillates():
    cfg = LANDSCAPE_DEFAULTS["cross_entropy"]
    small, good, large = cfg["learning_rates"]
    paths = {
        lr: gradient_descent_path("cross_entropy", DESIGN_X, DESIGN_Y, cfg["w0"], lr, 25)
        for lr in (small, good, large)
    }
    w_star = -0.48
    good_costs = [j for _, j in paths[good]]
    assert all(b <= a + 1e-12 for a, b in pairwise(good_costs))  # up to rounding
    assert paths[good][-1][0] == pytest.approx(w_star, abs=0.01)
    # too small: still creeping down, far from the minimum after the same number of steps
    assert abs(paths[small][-1][0] - w_star) > 0.5
    # too large: overshoots to the other side of the minimum again and again, cost goes up
    sides = [w > w_star for w, _ in paths[large]]
    assert sum(a != b for a, b in pairwise(sides)) >= 10
    big_costs = [j for _, j in paths[large]]
    assert any(b > a for a, b in pairwise(big_costs))
    assert big_costs[-1] > good_costs[-1] + 0.1


def test_mse_descent_settles_in_the_minimum_it_starts_near():
    rate = LANDSCAPE_DEFAULTS["mse"]["learning_rates"][1]
    left = gradient_descent_path("mse", DESIGN_X, DESIGN_Y, -0.2, rate, 40)
    right = gradient_descent_path("mse", DESIGN_X, DESIGN_Y, 1.0, rate, 40)
    assert left[-1][0] == pytest.approx(-1.25, abs=0.03)
    assert right[-1][0] == pytest.approx(2.77, abs=0.05)


def test_difference_descent_walks_downhill_forever():
    path = gradient_descent_path(
        "difference", DESIGN_X, DESIGN_Y, 0.0, 1.0, 10, activation="linear"
    )
    steps = [b[0] - a[0] for a, b in pairwise(path)]
    assert steps == pytest.approx([-sum(DESIGN_X) / 4] * 10)  # dJ/dw = mean(x), everywhere


def test_descent_stops_when_w_overflows():
    path = gradient_descent_path("difference", [1.0], [0], 0.0, 1e308, 5, activation="linear")
    assert 1 <= len(path) < 6 and all(math.isfinite(w) for w, _ in path)


# --- the three-panel picture -------------------------------------------------------------


def test_landscape_panels_plot_the_engine_numbers():
    fig = plot_loss_landscapes(steps=6, num=41)
    assert len(fig.axes) == 3
    for ax, loss in zip(fig.axes, ["difference", "mse", "cross_entropy"]):
        cfg = LANDSCAPE_DEFAULTS[loss]
        act = cfg["activation"]
        curve = ax.lines[0].get_xydata()
        assert len(curve) == 41
        ws = curve[:, 0].tolist()
        assert curve[:, 1].tolist() == cost_curve(loss, DESIGN_X, DESIGN_Y, ws, activation=act)
        first, *more = starts(loss)
        runs = [(first, lr) for lr in cfg["learning_rates"]]
        runs += [(w0, cfg["learning_rates"][1]) for w0 in more]
        assert len(ax.lines) == 1 + len(runs)
        paths = []
        for line, (w0, lr) in zip(ax.lines[1:], runs):
            path = gradient_descent_path(loss, DESIGN_X, DESIGN_Y, w0, lr, 6, activation=act)
            assert line.get_xydata().tolist() == [list(p) for p in path]
            paths.append(path)
        # each run's start is marked (a hollow circle at its first point)
        marked = [c.get_offsets().tolist() for c in ax.collections if len(c.get_offsets()) == 1]
        for path in paths:
            assert [list(path[0])] in marked
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend[0] == "cost J(w)" and legend[-1] == "start of a run"
        for text, (_, lr) in zip(legend[1:], runs):
            assert f"α = {lr:g}" in text
        assert ax.get_xlabel() == "w" and ax.get_ylabel() == "cost J(w)"
        assert min(ws) <= min(line.get_xdata().min() for line in ax.lines[1:])
    titles = [ax.get_title() for ax in fig.axes]
    assert "straight line" in titles[0] and "wavy" in titles[1] and "convex" in titles[2]
    caption = fig.get_supxlabel()
    assert "Why the learning rates differ between panels" in caption and "σ′" in caption


def test_landscape_marks_the_minima_and_two_starts_end_in_different_valleys():
    fig = plot_loss_landscapes()
    difference, mse_ax, ce = fig.axes

    def stars(ax):
        notes = {t.get_text().split("\n")[0]: t.xy for t in ax.texts}
        return {k: (round(w, 2), j) for k, (w, j) in notes.items()}

    assert stars(difference) == {}  # a straight line has no minimum
    found = stars(mse_ax)
    assert set(found) == {"global minimum", "local minimum"}
    assert found["global minimum"][0] == pytest.approx(2.77, abs=0.01)
    assert found["local minimum"][0] == pytest.approx(-1.25, abs=0.01)
    assert found["global minimum"][1] < found["local minimum"][1]
    assert list(stars(ce)) == ["minimum"] and stars(ce)["minimum"][0] == pytest.approx(-0.48, 0.02)
    # the good rate from each start: the first ends in the local valley, the second in the global
    good_from_first, good_from_second = mse_ax.lines[2], mse_ax.lines[4]
    assert good_from_first.get_xdata()[-1] == pytest.approx(-1.25, abs=0.05)
    assert good_from_second.get_xdata()[-1] == pytest.approx(2.77, abs=0.05)


def test_landscape_overrides_and_bad_rates(tmp_path):
    fig = plot_loss_landscapes(
        learning_rates={"mse": (1.0, 2.0, 3.0)},
        w0=0.5,
        steps=2,
        num=5,
        path=tmp_path / "l.svg",
    )
    mse_ax = fig.axes[1]
    assert [line.get_xdata()[0] for line in mse_ax.lines[1:]] == [0.5] * 3  # one start now
    assert "α = 2" in mse_ax.get_legend().get_texts()[2].get_text()
    assert "<svg" in (tmp_path / "l.svg").read_text()
    with pytest.raises(ValueError, match=r"three numbers .* got \(0.1, 0.2\)"):
        plot_loss_landscapes(learning_rates=(0.1, 0.2), steps=1, num=5)
    with pytest.raises(ValueError, match=r"unknown loss\(es\) \['bce'\]"):
        plot_loss_landscapes(learning_rates={"bce": (1, 2, 3)}, steps=1, num=5)
    with pytest.raises(ValueError, match="low < high"):
        plot_loss_landscapes(w_range=(2.0, 1.0), steps=1, num=5)
    with pytest.raises(ValueError, match=r"unknown format '\.gif'"):
        plot_loss_landscapes(steps=1, num=5, path=tmp_path / "l.gif")


# --- decision boundary -------------------------------------------------------------------


@pytest.fixture(scope="module")
def moons_model():
    X, y = nn.data.moons(30, seed=0)
    model = nn.MLP(2, [6, 1], activation="tanh", output="sigmoid", seed=0)
    nn.fit(model, X, y, loss="binary_cross_entropy", epochs=15, progress=False)
    return model, X, y


def test_decision_grid_classes_are_the_models_predictions(moons_model):
    model, X, y = moons_model
    xs, ys, classes = decision_grid(model, X, y, resolution=12, padding=0.3)
    assert len(xs) == len(ys) == 12 and all(len(row) == 12 for row in classes)
    assert xs[0] == pytest.approx(min(p[0] for p in X) - 0.3)
    assert ys[-1] == pytest.approx(max(p[1] for p in X) + 0.3)
    for i in range(0, 12, 3):
        for j in range(0, 12, 2):
            (label,) = nn.predict_labels(model, [[xs[j], ys[i]]])
            assert classes[i][j] == label
            # ... and that label is the model's output read at 0.5 after its sigmoid
            assert label == int(nn.predict(model, [[xs[j], ys[i]]])[0] >= 0.5)


def test_decision_grid_argmax_and_pm1_labels():
    X, y = nn.data.blobs(12, k=3, seed=0)
    model = nn.MLP(2, [3], seed=0)  # three raw scores: argmax
    xs, ys, classes = decision_grid(model, X, y, resolution=4)
    for i, gy in enumerate(ys):
        for j, gx in enumerate(xs):
            scores = nn.predict(model, [[gx, gy]])[0]
            assert classes[i][j] == max(range(3), key=scores.__getitem__)
    p = nn.Perceptron(2, activation="tanh", seed=0)
    _, _, pm = decision_grid(p, [[0, 0], [1, 1]], [-1, 1], resolution=3)
    assert {c for row in pm for c in row} <= {-1, 1}


def test_decision_boundary_plot_draws_regions_boundary_points_and_legend(moons_model, tmp_path):
    model, X, y = moons_model
    fig = plot_decision_boundary(model, X, y, resolution=30, path=tmp_path / "d.png")
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1", "decision boundary"]
    # the points of each class, in the colour the legend gives that class
    scatters = [c for c in ax.collections if c.get_label() in ("class 0", "class 1")]
    for points, label in zip(scatters, (0, 1)):
        assert points.get_offsets().tolist() == [
            [float(a), float(b)] for (a, b), t in zip(X, y) if t == label
        ]
    assert scatters[0].get_facecolor().tolist() != scatters[1].get_facecolor().tolist()
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"


def test_decision_boundary_is_the_smooth_zero_line_of_the_model(moons_model):
    model, X, y = moons_model
    fig = plot_decision_boundary(model, X, y, resolution=25)
    ax = fig.axes[0]
    xs, ys, _ = decision_grid(model, X, y, resolution=25)
    lines = [c for c in ax.collections if c.get_label() not in ("class 0", "class 1")]
    vertices = [
        v for c in lines if hasattr(c, "get_paths") for p in c.get_paths() for v in p.vertices
    ]
    boundary = [v for v in vertices if xs[0] < v[0] < xs[-1] and ys[0] < v[1] < ys[-1]]
    assert len(boundary) > 10
    # interpolated between grid points (not a staircase of cell edges), and on the boundary:
    # the model's output there is its threshold, 0.5 after the sigmoid
    off_grid = [v for v in boundary if min(abs(v[0] - g) for g in xs) > 1e-9]
    assert len(off_grid) > len(boundary) / 3
    for vx, vy in boundary[:: max(1, len(boundary) // 15)]:
        assert nn.predict(model, [[vx, vy]])[0] == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize(
    "X, y, kw, match",
    [
        ([[1.0, 2.0, 3.0]], [0], {}, "exactly 2 features, example #0 is"),
        ([1.0, 2.0], [0, 1], {}, "exactly 2 features"),
        ([[0.0, 0.0]], [0, 1], {}, "1 examples but y has 2"),
        ([], [], {}, "X is empty"),
        ([[0.0, 0.0]], [0.5], {}, r"label #0 must be a class .* got 0.5"),
        ([[0.0, math.inf]], [0], {}, "feature 1"),
        ([[0.0, 0.0]], [0], {"resolution": 1}, "resolution must be an int >= 2"),
        ([[0.0, 0.0]], [0], {"padding": -1}, "padding must be >= 0"),
    ],
)
def test_decision_boundary_bad_input(X, y, kw, match):
    with pytest.raises(ValueError, match=match):
        plot_decision_boundary(nn.Perceptron(2, seed=0), X, y, **kw)


def test_decision_boundary_wrong_model_width():
    with pytest.raises(ValueError, match=r"takes 3 features .* needs 2"):
        plot_decision_boundary(nn.MLP(3, [1], seed=0), [[0.0, 1.0]], [1])


def test_history_with_a_validation_set_draws_both_curves():
    h = nn.History(
        cost=[0.9, 0.5, 0.3], accuracy=[0.5, 0.75, 1.0], val_cost=[1.0, 0.7, 0.8],
        val_accuracy=[0.5, 0.5, 0.75],
    )  # fmt: skip
    cost_ax, acc_ax = plot_history(h).axes
    _, val = cost_ax.lines
    assert val.get_ydata().tolist() == h.val_cost and val.get_linestyle() == "--"
    assert acc_ax.lines[1].get_ydata().tolist() == h.val_accuracy
    assert [t.get_text() for t in cost_ax.get_legend().get_texts()] == ["training", "validation"]
    with pytest.raises(ValueError, match="3 costs but 2 validation costs"):
        plot_history(nn.History(cost=[1.0, 0.5, 0.2], accuracy=[None] * 3, val_cost=[1.0, 0.5]))
