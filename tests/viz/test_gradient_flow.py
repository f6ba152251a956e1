"""viz.plot_gradient_flow: History.grad_norms drawn per layer on a log scale."""

from __future__ import annotations

import math
import warnings

import pytest

import nn
from viz import plot_gradient_flow


def layer_lines(fig):
    return [line for line in fig.axes[0].get_lines() if line.get_label().startswith("layer")]


def test_one_line_per_layer_carrying_the_norms_on_a_log_scale():
    norms = [[1e-4, 0.1, 0.5], [2e-5, 0.08, 0.4], [1e-5, 0.05, 0.3]]
    fig = plot_gradient_flow(nn.History(cost=[1.0, 0.8, 0.7], grad_norms=norms))
    ax = fig.axes[0]
    lines = layer_lines(fig)
    assert [line.get_label() for line in lines] == ["layer 1", "layer 2", "layer 3"]
    for k, line in enumerate(lines):
        assert line.get_xydata().tolist() == [[e + 1, row[k]] for e, row in enumerate(norms)]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert ax.get_title() == "gradient size per layer (log scale)"
    low, high = ax.get_ylim()
    assert low < 1e-5 and high > 0.5  # every point in view
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["layer 1", "layer 2", "layer 3"]


def test_from_fit_the_lines_are_history_grad_norms_and_diagnoses_are_marked():
    X, y = nn.data.moons(60, seed=0)
    deep = nn.MLP(2, [6] * 6 + [1], activation="sigmoid", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nn.TrainingWarning)
        history = nn.fit(deep, X, y, loss="bce_with_logits", epochs=8, progress=False)
    assert [d.kind for d in history.diagnosis] == ["vanishing"]
    fig = plot_gradient_flow(history, title="seven sigmoid layers")
    lines = layer_lines(fig)
    assert len(lines) == 7
    assert lines[0].get_ydata().tolist() == [row[0] for row in history.grad_norms]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["vanishing"]
    marker = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == ":"]
    assert marker and marker[0].get_xdata()[0] == history.diagnosis[0].epoch
    assert fig.axes[0].get_title() == "seven sigmoid layers"


def test_zero_and_infinite_norms_are_gaps_with_marks_on_the_frame():
    norms = [[0.0, 1.0], [math.inf, 2.0], [0.5, 1.0]]
    fig = plot_gradient_flow(nn.History(cost=[1.0, 1.0, 1.0], grad_norms=norms))
    first = layer_lines(fig)[0].get_ydata().tolist()
    assert math.isnan(first[0]) and math.isnan(first[1]) and first[2] == 0.5
    marks = {line.get_label(): line for line in fig.axes[0].get_lines() if line.get_marker() == "x"}
    assert set(marks) == {"✕ gradient 0 (none at all)", "✕ gradient infinite"}
    assert marks["✕ gradient 0 (none at all)"].get_xydata().tolist() == [[1.0, 0.03]]
    assert marks["✕ gradient infinite"].get_xydata().tolist() == [[2.0, 0.97]]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:2] == ["layer 1", "layer 2"]  # the layers first, the marks after


def test_it_displays_itself_and_saves(tmp_path):
    fig = plot_gradient_flow(nn.History(cost=[1.0], grad_norms=[[0.1, 1.0]]), tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    png, _size = fig._repr_png_()  # (bytes, metadata): Jupyter shows it at its size
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "history, error, match",
    [
        ([[1.0]], TypeError, r"nn\.History .*got list"),
        (nn.History(cost=[1.0]), ValueError, r"no gradient norms: fit\(\.\.\., diagnose=True\)"),
        (nn.History(grad_norms=[[1.0, 2.0], [1.0]]), ValueError, r"per layer, got \[1, 2\]"),
        (nn.History(grad_norms=[[]]), ValueError, "one norm per layer"),
        (nn.History(grad_norms=[[1.0, -1.0]]), ValueError, r"grad_norms\[0\]\[1\] .* got -1\.0"),
        (nn.History(grad_norms=[[math.nan]]), ValueError, r"grad_norms\[0\]\[0\] .* got nan"),
        (nn.History(grad_norms=[["big"]]), ValueError, r"grad_norms\[0\]\[0\] .* got 'big'"),
        (nn.History(grad_norms=[3.0]), TypeError, r"grad_norms\[0\] must be a list"),
    ],
)
def test_bad_input_says_what_was_given(history, error, match):
    with pytest.raises(error, match=match):
        plot_gradient_flow(history)


def test_bad_title_and_path():
    h = nn.History(cost=[1.0], grad_norms=[[0.1, 1.0]])
    with pytest.raises(TypeError, match="title must be a str, got int"):
        plot_gradient_flow(h, title=3)
    with pytest.raises(TypeError, match=r"path must be a str or pathlib\.Path"):
        plot_gradient_flow(h, path=3)
