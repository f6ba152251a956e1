"""gradstep's pictures of a graph: a text tree, backprop replayed step by step, graphviz
drawings, a browser stepper, and plots of learning.

>>> from autograd import Value
>>> import viz
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> for step in viz.backward_steps(c):
...     print(step)
dc/da += dc/dc (from above) * dc/da (local) = 1.0000 * -3.0000 = -3.0000
  (a.grad: 0 -> -3.0000)
dc/db += dc/dc (from above) * dc/db (local) = 1.0000 * 2.0000 = 2.0000
  (b.grad: 0 -> 2.0000)

Importing viz is instant: graphviz and matplotlib are imported only by the functions that
draw with them.
"""

import autograd._required  # noqa: F401  (first: is 'autograd' gradstep's engine?)
from autograd import register_library_code

from . import plots
from .graph import draw, draw_dot, render, to_dot
from .html import backprop_html
from .names import names
from .playground import Playground
from .plots import (
    plot_confusion,
    plot_decision_boundary,
    plot_gradient_flow,
    plot_history,
    plot_images,
    plot_loss_landscapes,
    plot_weights,
)
from .steps import BackwardStep, ForwardStep, backward_steps, explain, forward_steps
from .tree import tree

register_library_code(__file__)  # anomaly reports point at the user's line, not ours

__all__ = [
    "BackwardStep",
    "Playground",
    "ForwardStep",
    "backprop_html",
    "backward_steps",
    "draw",
    "draw_dot",
    "explain",
    "forward_steps",
    "names",
    "plot_confusion",
    "plot_decision_boundary",
    "plot_gradient_flow",
    "plot_history",
    "plot_images",
    "plot_loss_landscapes",
    "plot_weights",
    "plots",
    "render",
    "to_dot",
    "tree",
]
