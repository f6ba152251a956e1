"""viz.plot_confusion, plot_images and plot_weights: the numbers each figure carries."""

from __future__ import annotations

import matplotlib
import pytest

import nn
import viz

matplotlib.use("Agg")

RED = matplotlib.colors.to_rgba("#c0392b")


# `digits_model` (model, X_test, X_test standardized, y_test) is in tests/conftest.py


# --- plot_confusion ------------------------------------------------------------------------


def test_confusion_cells_are_the_matrix(digits_model, tmp_path):
    m, _, X, y = digits_model
    matrix = nn.confusion_matrix(m, X, y)
    fig = viz.plot_confusion(m, X, y, path=tmp_path / "c.png")
    ax = fig.axes[0]
    assert ax.images[0].get_array().tolist() == matrix
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert len(cells) == 100
    assert [[int(cells[i, j].get_text()) for j in range(10)] for i in range(10)] == matrix
    top = max(map(max, matrix))
    assert cells[0, 0].get_color() == "white" and matrix[0][0] > top / 2  # dark cell
    assert ax.get_ylabel() == "true class" and ax.get_xlabel() == "predicted class"
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(c) for c in range(10)]
    assert ax.get_title() == f"accuracy {100 * nn.accuracy(m, X, y):.1f}% on {len(X)} examples"
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert fig._repr_png_()[0][:4] == b"\x89PNG"  # shows itself in Jupyter


def test_confusion_refuses_bad_input():
    p = nn.Perceptron(2, seed=0)
    with pytest.raises(ValueError, match="X has 2 examples but y has 3 labels"):
        viz.plot_confusion(p, [[0, 0], [1, 1]], [0, 1, 1])
    with pytest.raises(ValueError, match="X is empty"):
        viz.plot_confusion(p, [], [])
    with pytest.raises(ValueError, match=r"unknown format '\.jpg'"):
        viz.plot_confusion(p, [[0, 0]], [0], path="c.jpg")


# --- plot_images -----------------------------------------------------------------------------


def test_images_titles_and_pixels(digits_model):
    m, X_raw, X, y = digits_model
    predicted = nn.predict_labels(m, X)
    fig = viz.plot_images(X_raw, y, predicted=predicted, n=40)
    tiles = [ax for ax in fig.axes if ax.images]
    assert len(tiles) == 40
    for i, ax in enumerate(tiles):
        wrong = predicted[i] != y[i]
        assert ax.get_title() == (f"{y[i]} → {predicted[i]}" if wrong else str(y[i]))
        assert (ax.title.get_color() == "#c0392b") is wrong
        assert (matplotlib.colors.to_rgba(ax.spines["top"].get_edgecolor()) == RED) is wrong
        # row by row, the top row first: what a reader sees as the digit's top
        assert ax.images[0].get_array().tolist() == [X_raw[i][r * 8 : r * 8 + 8] for r in range(8)]
    wrong = sum(p != t for p, t in zip(predicted[:40], y[:40]))
    caption = fig._suptitle.get_text()
    assert wrong > 0 and caption == f"40 examples, {wrong} wrong (true → predicted, in red)"


def test_images_without_labels_and_fewer_than_n():
    fig = viz.plot_images([[0, 1, 2, 3, 4, 5]] * 3, shape=(2, 3), n=40)
    tiles = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in tiles] == ["", "", ""]
    assert tiles[0].images[0].get_array().tolist() == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"X": [[0.0] * 30]}, ValueError, r"shape \(8, 8\) needs 64 values per example, got 30"),
        ({"X": [[0.0] * 6], "shape": (2, 0)}, ValueError, r"two ints >= 1, got \(2, 0\)"),
        ({"X": [[0.0] * 64], "y": [1, 2]}, ValueError, "X has 1 examples but y has 2 labels"),
        ({"X": [[0.0] * 64], "y": [1], "predicted": []}, ValueError, "predicted has 0 labels"),
        ({"X": [[0.0] * 64], "predicted": [1]}, ValueError, "give y as well"),
        ({"X": [[0.0] * 64], "n": 0}, ValueError, "got 0"),
        ({"X": []}, ValueError, "X is empty"),
        ({"X": [["a"] * 64]}, ValueError, "pixel 0 of example #0 must be a finite number, got 'a'"),
    ],
)
def test_images_refuse_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        viz.plot_images(**kwargs)


# --- plot_weights ----------------------------------------------------------------------------


def _as_image(values, w=8):
    return [values[r * w : (r + 1) * w] for r in range(len(values) // w)]


def test_weights_of_an_mlp_are_its_first_layer(digits_model):
    m = digits_model[0]
    fig = viz.plot_weights(m)
    tiles = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in tiles] == [f"W1[{j},·]" for j in range(16)]
    for ax, neuron in zip(tiles, m.layers[0].neurons):
        weights = [p.data for p in neuron.w]
        image = ax.images[0]
        assert image.get_array().tolist() == _as_image(weights)
        limit = max(map(abs, weights))
        assert image.get_clim() == (-limit, limit)  # centred at 0, symmetric per neuron
    assert neuron.w[0].label == "W1[15,0]"  # the name gradstep gives the weights


def test_weights_of_a_layer_and_a_neuron():
    layer = nn.Layer(6, 3, seed=0)
    tiles = viz.plot_weights(layer, shape=(2, 3)).axes
    assert [ax.get_title() for ax in tiles] == ["W[0,·]", "W[1,·]", "W[2,·]"]
    assert tiles[2].images[0].get_array().tolist() == _as_image(
        [p.data for p in layer.neurons[2].w], 3
    )
    p = nn.Perceptron(4, seed=0)
    (ax,) = viz.plot_weights(p, shape=(2, 2)).axes
    assert ax.get_title() == "w"
    assert ax.images[0].get_array().tolist() == _as_image([v.data for v in p.w], 2)


def test_weights_refuse_other_models_and_bad_shapes():
    with pytest.raises(TypeError, match=r"nn\.MLP, an nn\.Layer or an nn\.Neuron, got str"):
        viz.plot_weights("model")
    with pytest.raises(TypeError, match="got Module"):
        viz.plot_weights(nn.Module())
    bad = r"shape \(8, 8\) needs 64 values per neuron, got 30: MLP's first layer reads 30"
    with pytest.raises(ValueError, match=bad):
        viz.plot_weights(nn.MLP(30, [4, 2], seed=0))


def test_exported_from_viz():
    for name in ("plot_confusion", "plot_images", "plot_weights"):
        assert name in viz.__all__ and name in viz.plots.__all__
