"""The micrograd lecture's drawing, draw_dot, and what views say about another engine's Value."""

from __future__ import annotations

import micrograd.engine
import pytest

import viz
from autograd import Value, topological_order


def _neuron():
    x1, w1, b = Value(2.0, label="x1"), Value(-3.0, label="w1"), Value(6.88, label="b")
    n = x1 * w1 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def test_draw_dot_is_the_lecture_s_svg_left_to_right_with_data_and_grad():
    o = _neuron()
    dot = viz.draw_dot(o)
    assert dot.format == "svg"
    assert "rankdir=LR" in dot.source
    assert "grad" in dot.source and "w1" in dot.source
    assert dot.source == viz.draw(o, rankdir="LR").source  # gradstep's drawing, not another
    svg = dot._repr_svg_()
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in svg


def test_render_gout_writes_gout_svg(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = viz.draw_dot(_neuron()).render("gout")
    assert path == "gout.svg"
    text = (tmp_path / "gout.svg").read_text(encoding="utf-8")
    assert "<svg" in text and "w1" in text
    assert (tmp_path / "gout").read_text(encoding="utf-8").startswith("digraph")  # the source
    png = viz.draw_dot(_neuron(), format="png", rankdir="TB").render("g2")
    assert png == "g2.png" and (tmp_path / "g2.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"format": "jpg"}, "format must be one of 'svg', 'png', 'pdf'; got 'jpg'"),
        ({"rankdir": "up"}, "rankdir must be one of LR, TB, RL, BT; got 'up'"),
    ],
)
def test_draw_dot_refuses_what_it_cannot_draw(kwargs, match):
    with pytest.raises(ValueError, match=match):
        viz.draw_dot(_neuron(), **kwargs)


class LectureValue:
    """A learner's own Value, as the lecture writes it (the parts a view would look at)."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad = data, 0.0
        self._prev, self._op, self.label = set(_children), _op, label


@pytest.mark.parametrize("make", [lambda: micrograd.engine.Value(-8.0), lambda: LectureValue(2.0)])
@pytest.mark.parametrize(
    "view",
    [viz.draw, viz.draw_dot, viz.tree, viz.backprop_html, viz.names, topological_order],
    ids=lambda f: f.__name__,
)
def test_another_engine_s_value_is_named_with_the_swap_to_make(make, view):
    foreign = make()
    with pytest.raises(TypeError) as caught:
        view(foreign)
    text = str(caught.value)
    kind = type(foreign)
    assert f"a Value of another engine ({kind.__module__}.{kind.__qualname__})" in text
    assert "from autograd import Value" in text
    assert "got Value Value" not in text  # the old riddle


def test_anything_else_is_named_as_it_was():
    with pytest.raises(TypeError, match=r"tree\(\) needs a Value, got list \[1\.0\]"):
        viz.tree([1.0])
