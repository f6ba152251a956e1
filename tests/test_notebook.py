"""What a learner sees in Jupyter: every view, executed in a real kernel with nbclient.

No ``%matplotlib`` magic anywhere unless the test says so: each object must show itself.
"""

from __future__ import annotations

import re

import pytest

from tests.notebooks import displays, execute, kernel_dir, stream

pytest.importorskip("nbclient", reason="nbclient is a test dependency: pip install -e '.[test]'")

SETUP = """
from autograd import Value
import viz, nn
w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-0.5, label="b")
z = w * x + b
z.label = "z"
a = z.sigmoid()
a.label = "a"
loss = (a - 1.0) ** 2
loss.backward()
X, Y = nn.data.moons(40, noise=0.1, seed=0)
model = nn.MLP(2, [4, 1], seed=0)
"""

CELLS = {
    "setup": SETUP,
    "value": "z",
    "tree": "viz.tree(loss)",
    "explain": "viz.explain(loss)",
    "draw": "viz.draw(loss)",
    "draw_neuron": "viz.draw(nn.mse([model([0.5, 1.0])], [1.0]), detail='neuron')",
    "stepper": "viz.backprop_html(loss)",
    "two_steppers": "display(viz.backprop_html(loss))\ndisplay(viz.backprop_html(loss))",
    "fit_bar": "h = nn.fit(model, X, Y, loss='bce_with_logits', epochs=3)",
    "fit_quiet": "h2 = nn.fit(model, X, Y, loss='bce_with_logits', epochs=2, progress=False)",
    "history": "h",
    "plot_history": "viz.plot_history(h)",
    "assigned": "fig = viz.plot_decision_boundary(model, X, Y, resolution=20)",
    "assigned_shown": "fig",
    "landscape": "viz.plot_loss_landscapes(steps=3, num=21)",
    "inline_backend": (
        "%matplotlib inline\n"
        "import matplotlib.pyplot as plt\n"
        "viz.plot_loss_landscapes(steps=3, num=21)"
    ),
}


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    root = tmp_path_factory.mktemp("jupyter")
    nb = execute(CELLS.values(), kernel_dir(root / "share"), cwd=root)
    return dict(zip(CELLS, nb.cells))


def only(cell) -> dict:
    (bundle,) = displays(cell)
    return bundle


def test_no_cell_fails(notebook):
    for name, cell in notebook.items():
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert errors == [], f"cell {name!r} raised {errors[0]['ename']}: {errors[0]['evalue']}"


def test_a_value_is_a_card_and_keeps_its_repr(notebook):
    bundle = only(notebook["value"])
    assert bundle["text/plain"].startswith("Value(data=0.5, grad=-0.1774")
    html = bundle["text/html"]
    assert 'class="gradstep-value"' in html
    for text in ("z", "data", "0.5", "grad", "-0.17", "op +"):
        assert text in html


def test_tree_and_explain_are_monospace_text(notebook):
    for name, first in (("tree", "loss  **2  data=0.1425"), ("explain", "Forward pass")):
        bundle = only(notebook[name])
        assert bundle["text/plain"].startswith(first)  # the text itself, not a quoted repr
        assert "\\n" not in bundle["text/plain"]
        assert bundle["text/html"].startswith("<pre") and first in bundle["text/html"]


def test_draw_is_svg_with_a_short_text_form(notebook):
    for name in ("draw", "draw_neuron"):
        bundle = only(notebook[name])
        assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))
        assert bundle["text/plain"].startswith("<drawing of ")
        assert "0x" not in bundle["text/plain"] and len(bundle["text/plain"]) < 160
    assert "one per neuron call" in only(notebook["draw_neuron"])["text/plain"]


def test_the_stepper_shows_inline_and_two_do_not_share_ids(notebook):
    bundle = only(notebook["stepper"])
    html = bundle["text/html"]
    assert html.startswith('<div class="gradstep-stepper"') and "<!DOCTYPE" not in html
    assert bundle["text/plain"].startswith("<backprop stepper for loss:")
    ids = [
        re.match(r'<div class="gradstep-stepper" id="(\w+)"', d["text/html"]).group(1)
        for d in displays(notebook["two_steppers"])
    ]
    uid = re.match(r'<div class="gradstep-stepper" id="(\w+)"', html).group(1)
    assert len(ids) == 2 and len({*ids, uid}) == 3


def test_figures_show_once_as_images_without_magic(notebook):
    for name in ("plot_history", "landscape", "assigned_shown", "inline_backend"):
        images = [d for d in displays(notebook[name]) if "image/png" in d]
        assert len(images) == 1, f"{name}: {len(images)} images"
        assert images[0]["text/plain"].startswith("<Figure size")
    assert displays(notebook["assigned"]) == []  # an assignment shows nothing, as in Python


def test_history_has_a_compact_repr_and_a_curve(notebook):
    bundle = only(notebook["history"])
    text = bundle["text/plain"]
    assert re.fullmatch(r"History\(3 epochs, cost J [\d.]+ -> [\d.]+, accuracy \d+%\)", text)
    assert bundle["text/html"].count("<svg") == 2  # cost and accuracy curves


def test_fit_shows_a_progress_bar_in_a_notebook_unless_told_not_to(notebook):
    bar = notebook["fit_bar"]
    widgets = [d for d in displays(bar) if "application/vnd.jupyter.widget-view+json" in d]
    assert widgets or "epoch" in stream(bar, "stderr"), bar.outputs
    quiet = notebook["fit_quiet"]
    assert quiet.outputs == []
