"""micrograd's ``nn`` module, as gradstep models: ReLU hidden layers, a linear output,
weights uniform in [-1, 1], biases 0.

micrograd's ``demo.ipynb`` starts with ``from micrograd.nn import Neuron, Layer, MLP``;
change it to::

    from nn.micrograd import Neuron, Layer, MLP

and, with ``from autograd import Value`` for its engine, the notebook's cells run on
gradstep. These are gradstep's :class:`nn.Neuron`, :class:`nn.Layer` and :class:`nn.MLP`
with micrograd's defaults -- ``nonlin=`` as micrograd spells it -- not copies. They draw
from Python's global ``random`` in micrograd's order and sum Z as micrograd does
(``b + w0*x0 + w1*x1 + ...``, one ``*`` and one ``+`` node per input), so after
``random.seed(1337)`` a model has micrograd's weights and trains to micrograd's numbers.

>>> import random
>>> random.seed(1337)
>>> model = MLP(2, [16, 16, 1])
>>> model
MLP(nin=2, nouts=[16, 16, 1])
>>> len(model.parameters())
337
>>> model.layers[0].neurons[0].b.data, model.layers[0].activation, model.layers[2].activation
(0.0, 'relu', 'linear')
"""

from __future__ import annotations

from typing import Any

from . import layers
from .lecture import _FixedMLP, _OneValueLayer

__all__ = ["Neuron", "Layer", "MLP"]


def _activation(nonlin: Any) -> str:
    if not isinstance(nonlin, bool):
        raise TypeError(f"nonlin must be True (ReLU) or False (linear), got {nonlin!r}")
    return "relu" if nonlin else "linear"


class Neuron(layers.Neuron):
    """micrograd's neuron: ``relu(w·x + b)``, or ``w·x + b`` with ``nonlin=False``.

    >>> Neuron(3, seed=0), Neuron(3, nonlin=False, seed=0).activation
    (Neuron(nin=3, nonlin=True), 'linear')
    """

    def __init__(
        self, nin: int, nonlin: bool = True, *, seed: int | None = None, expanded: bool = True
    ) -> None:
        super().__init__(
            nin, _activation(nonlin), seed=seed, init="uniform", bias="zero", expanded=expanded
        )

    @property
    def nonlin(self) -> bool:
        return self.activation == "relu"

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nonlin": self.nonlin}


class Layer(_OneValueLayer):
    """``nout`` micrograd neurons on the same inputs; one neuron's layer returns its Value."""

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        *,
        seed: int | None = None,
        expanded: bool = True,
    ) -> None:
        super().__init__(
            nin,
            nout,
            _activation(nonlin),
            seed=seed,
            init="uniform",
            bias="zero",
            expanded=expanded,
        )

    @property
    def nonlin(self) -> bool:
        return self.activation == "relu"

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "nonlin": self.nonlin}


class MLP(_FixedMLP):
    """micrograd's MLP: ReLU in every hidden layer, the last layer linear (raw scores)."""

    HIDDEN, OUTPUT, BIAS = "relu", None, "zero"
