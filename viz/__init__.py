"""gradstep's views of a graph: a text tree and backprop replayed one step at a time.

>>> from autograd import Value
>>> import viz
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> for step in viz.backward_steps(c):
...     print(step)
dL/da += dL/dc * dc/da = 1.0000 * -3.0000 = -3.0000  (a.grad: 0 -> -3.0000)
dL/db += dL/dc * dc/db = 1.0000 * 2.0000 = 2.0000  (b.grad: 0 -> 2.0000)

Nothing here needs graphviz or matplotlib.
"""

from .steps import BackwardStep, ForwardStep, backward_steps, explain, forward_steps
from .tree import tree

__all__ = ["BackwardStep", "ForwardStep", "backward_steps", "explain", "forward_steps", "tree"]
