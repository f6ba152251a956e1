"""The bridge to PyTorch: the same network, with the same weights, on either side.

:func:`to_torch` turns a gradstep model into a ``torch.nn.Sequential`` of ``Linear`` layers
and activation modules; :func:`from_torch` turns such a ``Sequential`` back into a gradstep
``MLP``. Layer i's ``Linear.weight[j, k]`` is ``model.layers[i].neurons[j].w[k]`` and its
``bias[j]`` that neuron's ``b``, so the two compute the same outputs and, from the same loss
on the same batch, the same gradients (the tests check both to 1e-10).

PyTorch is optional (``pip install "gradstep[torch]"``): ``import nn`` never imports it; these
functions import it when they are called.

>>> import torch
>>> from nn import MLP, to_torch, from_torch
>>> model = MLP(2, [4, 1], activation="tanh", seed=0)
>>> to_torch(model)
Sequential(
  (0): Linear(in_features=2, out_features=4, bias=True)
  (1): Tanh()
  (2): Linear(in_features=4, out_features=1, bias=True)
)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from autograd import Value, no_grad

from .layers import MLP, Layer, Neuron

if TYPE_CHECKING:  # for the annotations only: importing nn never imports torch
    import torch

__all__ = ["from_torch", "to_torch"]

#: gradstep's activation -> the name of the ``torch.nn`` module that computes it (None: no
#: module, Z is the output). ``step`` has none: see :func:`to_torch`.
TORCH_ACTIVATIONS: dict[str, str | None] = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "linear": None,
}

INSTALL = 'pip install "gradstep[torch]"'


def _import_torch(what: str) -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            f"nn.{what} needs PyTorch, which is not installed: {INSTALL} "
            '(or pip install -e ".[torch]" in a clone of gradstep)'
        ) from e
    return torch


# --- gradstep -> torch ------------------------------------------------------------------------


def _layers_of(model: Any) -> list[list[Neuron]]:
    """The model's layers, each as its list of neurons, or TypeError naming what it is."""
    if isinstance(model, MLP):
        return [list(layer.neurons) for layer in model.layers]
    if isinstance(model, Layer):
        return [list(model.neurons)]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(
        f"to_torch() takes an nn.MLP, nn.Layer or nn.Neuron (a Perceptron, nn.lecture's and "
        f"nn.micrograd's models too), got {type(model).__name__}: a module of your own may "
        "compute anything, which no Sequential of Linear layers is sure to match"
    )


def _layer_activation(neurons: list[Neuron], i: int, count: int) -> str:
    where = f"layer {i + 1}" if count > 1 else "the model"
    kinds = {n.activation for n in neurons}
    if len(kinds) > 1:
        raise ValueError(
            f"{where} mixes activations in its neurons ({', '.join(sorted(kinds))}); a torch "
            "Linear layer is followed by one activation module: give its neurons one"
        )
    (kind,) = kinds
    if kind not in TORCH_ACTIVATIONS:
        raise ValueError(
            f"{where} uses the {kind!r} activation, which torch cannot express the same way: "
            "a threshold that passes no gradient, so a torch twin would train differently "
            f"(or not at all). to_torch() exports {', '.join(map(repr, TORCH_ACTIVATIONS))}; "
            "train with sigmoid (the step's smooth cousin) and export that"
        )
    return kind


def _rows(neurons: list[Neuron], nin: int, i: int) -> tuple[list[list[float]], list[float]]:
    weights, biases = [], []
    for j, n in enumerate(neurons):
        if not isinstance(n.b, Value):
            raise ValueError(
                f"layer {i + 1}, neuron {j} has no bias Value (b is {type(n.b).__name__}); "
                "gradstep's neurons and torch's Linear(bias=True) both have one"
            )
        if len(n.w) != nin:
            raise ValueError(
                f"layer {i + 1}, neuron {j} has {len(n.w)} weights where the layer reads "
                f"{nin} inputs"
            )
        weights.append([w.data for w in n.w])
        biases.append(n.b.data)
    return weights, biases


def _probe(nin: int) -> list[float]:
    # A fixed, irregular input in [-1, 1] (no randomness drawn from anyone's generator).
    return [math.sin(1.0 + 2.3 * k) for k in range(nin)]


def to_torch(model: Neuron | Layer | MLP, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
    """The gradstep ``model`` as a ``torch.nn.Sequential`` of ``Linear`` layers and activations.

    Each gradstep layer becomes a ``Linear`` whose ``weight[j, k]`` is neuron j's ``w[k]`` and
    ``bias[j]`` its ``b``, followed by ``Tanh``, ``ReLU`` or ``Sigmoid`` (a linear layer adds
    no module). ``dtype`` is ``torch.float64`` by default: gradstep computes in Python floats,
    which are float64, so outputs and gradients agree to ~1e-15; ``torch.float32`` rounds the
    weights. The torch model is a copy: training one leaves the other as it was.

    An ``MLP``, a ``Layer`` or a ``Neuron`` (``Perceptron``; ``nn.lecture`` and
    ``nn.micrograd``'s models are these too, however their Z is summed) is accepted. The
    ``step`` activation is refused (torch has no module for it, and no gradient passes it);
    so is a model of any other type. Before returning, the copy is run on one input and
    compared with the model, so a subclass that computes something else is refused too.
    Needs PyTorch: ``pip install "gradstep[torch]"``.

    >>> import torch
    >>> model = MLP(2, [3, 1], activation="tanh", seed=0)
    >>> net = to_torch(model)
    >>> net[0].weight[1, 0].item() == model.layers[0].neurons[1].w[0].data
    True
    >>> out = net(torch.tensor([[0.5, -1.0]], dtype=torch.float64))
    >>> abs(out.item() - model([0.5, -1.0]).data) < 1e-12
    True
    """
    torch = _import_torch("to_torch")
    layers = _layers_of(model)
    if dtype is None:
        dtype = torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a torch floating-point dtype, got {dtype!r}")
    modules: list[Any] = []
    nin = len(layers[0][0].w)
    for i, neurons in enumerate(layers):
        kind = _layer_activation(neurons, i, len(layers))
        weights, biases = _rows(neurons, nin, i)
        # skip_init: no random initialisation to overwrite (and no draw from torch's global
        # generator, so a learner's torch.manual_seed(...) still means what it says).
        linear = torch.nn.utils.skip_init(
            torch.nn.Linear, nin, len(neurons), bias=True, dtype=torch.float64
        )
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        modules.append(linear)
        module_name = TORCH_ACTIVATIONS[kind]
        if module_name is not None:
            modules.append(getattr(torch.nn, module_name)())
        nin = len(neurons)
    net = torch.nn.Sequential(*modules)
    _check_same_outputs(model, net, torch)
    return net.to(dtype)


def _check_same_outputs(model: Any, net: Any, torch: Any) -> None:
    x = _probe(len(_layers_of(model)[0][0].w))
    with no_grad():
        out = model(x)
    ours = [v.data for v in (out if isinstance(out, (list, tuple)) else [out])]
    with torch.no_grad():
        theirs = net(torch.tensor([x], dtype=torch.float64))[0].tolist()
    if len(ours) != len(theirs) or any(
        not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(ours, theirs)
    ):
        raise ValueError(
            f"this {type(model).__name__} does not compute what its layers say: on the input "
            f"{[round(v, 3) for v in x]} it gives {ours}, its layers as Linear and activation "
            f"modules give {theirs} (does the class change __call__?); to_torch() refuses a "
            "copy that would not be the same network"
        )


# --- torch -> gradstep ------------------------------------------------------------------------


def _children(module: Any, torch: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """The modules of a Sequential in order, nested Sequentials opened, with torch's names
    (``"2"``, or ``"1.0"`` inside a nested one)."""
    if type(module) is torch.nn.Sequential:
        for name, child in module.named_children():
            yield from _children(child, torch, f"{prefix}{name}.")
    else:
        yield prefix.rstrip("."), module


def from_torch(module: torch.nn.Module, *, expanded: bool = False) -> MLP:
    """A gradstep ``MLP`` with the weights of ``module``, a ``torch.nn.Sequential`` of
    ``Linear`` layers, each followed by at most one of ``Tanh``, ``ReLU``, ``Sigmoid`` and
    ``Identity`` (none: a linear layer). Layers may differ in activation; an activation after
    the last ``Linear`` is the output's. A lone ``Linear`` works too.

    The weights are copied exactly: float32 (or float64, float16) numbers are Python floats
    without rounding. Refused, with the layer's type and position: any other module (Dropout,
    LeakyReLU, Softmax, a subclass of Linear, ...), a Linear without a bias (gradstep's
    neurons always have one), a Linear whose ``in_features`` is not the previous one's
    ``out_features``, two activations in a row, an activation before the first Linear,
    non-finite weights. ``expanded=True`` builds each Z from binary nodes, for teaching.

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(),
    ...                           torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    >>> from_torch(net)
    MLP(nin=2, sizes=[4, 1], activation='tanh', output='sigmoid', init='xavier')
    """
    torch = _import_torch("from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            "from_torch() takes a torch.nn.Sequential of Linear layers and activations (or "
            f"one Linear), got {type(module).__name__}"
        )
    if isinstance(module, torch.nn.Sequential) and type(module) is not torch.nn.Sequential:
        raise TypeError(
            f"from_torch() reads a plain torch.nn.Sequential; {type(module).__name__} is a "
            "subclass, whose forward may compute something else"
        )
    activations = {
        torch.nn.Tanh: "tanh",
        torch.nn.ReLU: "relu",
        torch.nn.Sigmoid: "sigmoid",
    }
    accepted = "Linear, Tanh, ReLU, Sigmoid and Identity"
    # Each layer: [its Linear, the Linear's position, activation, the activation's position]
    layers: list[list[Any]] = []
    for position, child in _children(module, torch):
        where = f"at position {position}" if position else "(the whole module)"
        kind = type(child)
        if kind is torch.nn.Identity:
            continue  # computes nothing: A = Z
        if kind is torch.nn.Linear:
            if child.bias is None:
                raise ValueError(
                    f"the Linear {where} has no bias (bias=False); gradstep's neurons always "
                    "have one, so the copy would learn parameters the original does not. "
                    "Build it with bias=True"
                )
            if layers and child.in_features != layers[-1][0].out_features:
                raise ValueError(
                    f"the Linear {where} reads {child.in_features} inputs, but the Linear at "
                    f"position {layers[-1][1]} before it gives {layers[-1][0].out_features}: "
                    "the Sequential could not run"
                )
            layers.append([child, position, "linear", None])
        elif kind in activations:
            if not layers:
                raise ValueError(
                    f"the {kind.__name__} {where} comes before any Linear: in gradstep an "
                    "activation follows a layer's Z = w·x + b (inputs are no layer)"
                )
            if layers[-1][3] is not None:
                raise ValueError(
                    f"the {kind.__name__} {where} follows the {layers[-1][2]} at position "
                    f"{layers[-1][3]} with no Linear between: a gradstep layer applies one "
                    "activation"
                )
            layers[-1][2:] = [activations[kind], position]
        else:
            raise ValueError(
                f"from_torch() cannot read the {kind.__name__} {where}: it reads "
                f"{accepted} modules (exactly these types)"
            )
    if not layers:
        raise ValueError(f"from_torch() found no Linear layer in {type(module).__name__}")
    kinds = [kind for _, _, kind, _ in layers]
    model = MLP(
        layers[0][0].in_features,
        [linear.out_features for linear, *_ in layers],
        activation=kinds[:-1],
        output=None if kinds[-1] == "linear" else kinds[-1],
        seed=0,  # drawn and then overwritten: never from the learner's global generator
        expanded=expanded,
    )
    for layer, (linear, position, _, _) in zip(model.layers, layers):
        weight = _numbers(linear.weight, position, "weight")
        bias = _numbers(linear.bias, position, "bias")
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.data = weight[j][k]
            neuron.b.data = bias[j]
    return model


def _numbers(tensor: Any, position: str, name: str) -> Any:
    """The tensor's numbers as Python floats (exact for every real float dtype)."""
    key = f"{position}.{name}" if position else name
    if not tensor.dtype.is_floating_point:
        raise ValueError(f"{key} holds {tensor.dtype} numbers; from_torch() reads real floats")
    values = tensor.detach().cpu().tolist()
    flat = [v for row in values for v in row] if values and isinstance(values[0], list) else values
    bad = next((v for v in flat if not math.isfinite(v)), None)
    if bad is not None:
        raise ValueError(f"{key} holds {bad!r}: a gradstep model holds finite numbers only")
    return values
