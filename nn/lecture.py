"""The micrograd lecture's networks, as gradstep models: tanh in every layer, weights and
biases uniform in [-1, 1].

Andrej Karpathy's lecture "building micrograd" writes its own ``Neuron``, ``Layer`` and
``MLP``; swap that cell for one line and the lecture's other cells run as they are, on
gradstep's engine, with gradstep's pictures::

    from nn.lecture import Neuron, Layer, MLP

These are gradstep's :class:`nn.Neuron`, :class:`nn.Layer` and :class:`nn.MLP` with the
lecture's defaults -- not copies: they train with ``nn.fit``, compile, draw, save and load
like any gradstep model. The weights come from Python's global ``random``, in the order the
lecture draws them (layer by layer, neuron by neuron, each neuron's weights then its bias),
so ``random.seed(n)`` reproduces a run and two models never share weights; ``seed=k`` gives
a generator of their own. Z is built from binary ``*`` and ``+`` nodes, ``b + w0*x0 + ...``,
as the lecture sums it: the same picture and the same floating-point numbers
(``expanded=False`` gives gradstep's single Σ node instead).

>>> import random
>>> random.seed(1)
>>> n = MLP(3, [4, 4, 1])
>>> n
MLP(nin=3, nouts=[4, 4, 1])
>>> len(n.parameters())
41
>>> xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
>>> ys = [1.0, -1.0, -1.0, 1.0]
>>> for k in range(50):
...     ypred = [n(x) for x in xs]
...     loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
...     for p in n.parameters():
...         p.grad = 0.0
...     loss.backward()
...     for p in n.parameters():
...         p.data += -0.05 * p.grad
>>> loss.data < 0.05
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from autograd import Value

from . import layers

__all__ = ["Neuron", "Layer", "MLP"]


class Neuron(layers.Neuron):
    """``tanh(w·x + b)`` with ``w`` and ``b`` uniform in [-1, 1]: the lecture's neuron.

    >>> Neuron(2, seed=0)
    Neuron(nin=2)
    """

    def __init__(self, nin: int, *, seed: int | None = None, expanded: bool = True) -> None:
        super().__init__(
            nin, "tanh", seed=seed, init="uniform", bias="uniform", expanded=expanded
        )

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin}


class _OneValueLayer(layers.Layer):
    """A gradstep Layer that, as the lecture's and micrograd's do, returns its neuron's Value
    when it has one neuron (gradstep's own Layer always returns a list)."""

    def __call__(self, x: Sequence[Any]) -> Any:
        outs: list[Value] = super().__call__(x)
        return outs[0] if len(outs) == 1 else outs


class Layer(_OneValueLayer):
    """``nout`` lecture neurons on the same inputs. Like the lecture's, a layer of one neuron
    returns that neuron's Value, a wider one a list.

    >>> type(Layer(2, 1, seed=0)([1.0, 2.0])).__name__, len(Layer(2, 3, seed=0)([1.0, 2.0]))
    ('Value', 3)
    """

    def __init__(
        self, nin: int, nout: int, *, seed: int | None = None, expanded: bool = True
    ) -> None:
        super().__init__(
            nin, nout, "tanh", seed=seed, init="uniform", bias="uniform", expanded=expanded
        )

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout}


class _FixedMLP(layers.MLP):
    """A gradstep MLP with an engine's fixed choices, ``MLP(nin, nouts)`` as the lecture and
    micrograd spell it: weights uniform in [-1, 1], and a subclass's hidden and output
    activations and bias initialisation."""

    HIDDEN: ClassVar[str]
    OUTPUT: ClassVar[str | None]
    BIAS: ClassVar[str]

    def __init__(
        self, nin: int, nouts: Sequence[int], *, seed: int | None = None, expanded: bool = True
    ) -> None:
        super().__init__(
            nin,
            nouts,
            self.HIDDEN,
            self.OUTPUT,
            seed=seed,
            init="uniform",
            bias=self.BIAS,
            expanded=expanded,
        )

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nouts": list(self.sizes)}


class MLP(_FixedMLP):
    """The lecture's multi-layer perceptron: ``MLP(3, [4, 4, 1])``, tanh in every layer (the
    output too, so a prediction lies in (-1, 1))."""

    HIDDEN, OUTPUT, BIAS = "tanh", "tanh", "uniform"
