"""Neurons, layers and networks: Z = w·x + b, A = activation(Z), stacked layer by layer."""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from autograd import CompileError, Constant, Value, is_tracing
from autograd.functional import dot_unchecked

from .module import _LABEL_PATHS, Module

__all__ = ["ACTIVATIONS", "BIASES", "INITS", "MLP", "Layer", "Neuron", "Perceptron"]


def _step(z: Value) -> Value:
    # The classic perceptron's threshold. Its derivative is 0 almost everywhere, so it is a
    # constant for backprop: nothing flows through it (train it with another activation).
    if is_tracing():
        raise CompileError(
            "the 'step' activation cannot be compiled: it picks 0 or 1 from the number in Z, "
            "a decision a replay would bake in (and no gradient flows through it anyway). "
            "Train with sigmoid, tanh or relu."
        )
    return Value(1.0 if z.data >= 0 else 0.0)


#: Activation name -> function of the pre-activation Z.
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": lambda z: z,
    "step": _step,
}

class Draws(Protocol):
    """Where weights come from: a ``random.Random``, or the ``random`` module itself (the
    global generator that ``random.seed(n)`` sets)."""

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float, sigma: float) -> float: ...


def _rng(seed: Any) -> Draws:
    """``seed=None``: Python's global generator, so two models never share weights and
    ``random.seed(n)`` makes a run reproducible; an int: a generator of its own, the same
    weights on every call."""
    if seed is None:
        return random
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
    return random.Random(seed)


#: Initialisation name -> weight sampler given (rng, fan_in, fan_out).
INITS: dict[str, Callable[[Draws, int, int], float]] = {
    # Xavier/Glorot uniform: keeps the variance of Z near 1 for tanh/sigmoid.
    "xavier": lambda rng, nin, nout: rng.uniform(-1, 1) * math.sqrt(6 / (nin + nout)),
    # He/Kaiming normal: the factor 2 makes up for ReLU zeroing half its inputs.
    "he": lambda rng, nin, nout: rng.gauss(0.0, math.sqrt(2 / nin)),
    # micrograd's choice: uniform in [-1, 1] whatever the width.
    "uniform": lambda rng, nin, nout: rng.uniform(-1, 1),
}

#: Bias initialisation name -> sampler given the rng. "zero" draws nothing (so the weights
#: that follow are the same as without a bias); "uniform" is the micrograd lecture's choice.
BIASES: dict[str, Callable[[Draws], float]] = {
    "zero": lambda rng: 0.0,
    "uniform": lambda rng: rng.uniform(-1, 1),
}


def _check_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def _check_choice(value: Any, name: str, choices: dict[str, Any]) -> str:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


def _default_init(activation: str) -> str:
    return "he" if activation == "relu" else "xavier"


def _as_inputs(x: Sequence[Any], nin: int, where: str) -> tuple[Value, ...]:
    if isinstance(x, (Value, int, float)) or not hasattr(x, "__len__"):
        raise TypeError(f"{where} takes a list of {nin} inputs, got {type(x).__name__} {x!r}")
    if len(x) != nin:
        raise ValueError(f"{where} expects {nin} inputs, got {len(x)}")
    # Plain numbers are data, not something to learn: constants in the graph, named x[k].
    names = _input_names(nin)
    return tuple(
        v if isinstance(v, Value) else Constant(v, label=names[k]) for k, v in enumerate(x)
    )


@functools.lru_cache(maxsize=64)
def _input_names(n: int) -> tuple[str, ...]:
    return tuple(f"x[{k}]" for k in range(n))


class Neuron(Module):
    """One neuron: ``Z = w·x + b`` (a single Σ node), then ``A = activation(Z)``.

    ``init`` picks the weights' distribution ("he" for relu, "xavier" otherwise, or
    "uniform"); ``bias`` the bias's ("zero", the default, or "uniform" in [-1, 1]).
    ``seed=None`` (the default) draws from Python's global ``random``, so two neurons never
    share weights and ``random.seed(n)`` makes a run reproducible; ``seed=k`` gives the same
    weights every time. ``expanded=True`` builds Z from binary ``*`` and ``+`` nodes instead
    -- the same numbers, a bigger picture, for teaching.

    >>> n = Neuron(2, activation="sigmoid", seed=0)
    >>> a = n([1.0, 2.0])
    >>> a.op.name, a.parents[0].op.name
    ('sigmoid', 'dot')
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        init: str | None = None,
        bias: str = "zero",
        expanded: bool = False,
        fan_out: int = 1,
        rng: Draws | None = None,
    ) -> None:
        self.nin = _check_int(nin, "nin")
        self.activation = _check_choice(activation, "activation", ACTIVATIONS)
        self.init = _check_choice(init or _default_init(activation), "init", INITS)
        self.bias = _check_choice(bias, "bias", BIASES)
        self.expanded = bool(expanded)
        rng = rng or _rng(seed)
        draw = INITS[self.init]
        # Weights first, then the bias: the order micrograd draws them in.
        self.w = [Value(draw(rng, nin, fan_out)) for _ in range(nin)]
        self.b = Value(BIASES[self.bias](rng))
        self._act = ACTIVATIONS[activation]
        # On its own a neuron speaks the article's language: w[k], b, then z and a. A Layer or
        # MLP holding it renames it for its place: W1[j,k], b1[j], Z1[j], A1[j].
        self.label_parameters()

    def _name(self, name: str, path: str) -> None:
        self._named_as(name, path, "w[{k}]", "b", "z", "a")

    def _named_as(self, name: str, path: str, w: str, b: str, z: str, a: str) -> None:
        """Label the weights ``name + w.format(k=k)``, the bias, Z and A likewise."""
        for k, weight in enumerate(self.w):
            weight.label = name + w.format(k=k)
        self.b.label = name + b
        self._z_label, self._a_label = name + z, name + a
        _LABEL_PATHS[self._z_label], _LABEL_PATHS[self._a_label] = f"{path}z", f"{path}a"

    def _forward(self, xs: tuple[Value, ...]) -> Value:
        # Z and A carry the neuron's name, so every view of the graph can say which neuron
        # computed them (and viz.draw can draw one box per neuron).
        z = self._weighted_sum(xs)
        z.label = self._z_label
        a = self._act(z)
        if a is not z:  # the linear activation returns Z itself
            a.label = self._a_label
        return a

    def preactivation(self, x: Sequence[Any]) -> Value:
        """``Z = w·x + b`` for one example (without the activation)."""
        z = self._weighted_sum(_as_inputs(x, self.nin, "this neuron"))
        z.label = self._z_label
        return z

    def _weighted_sum(self, xs: tuple[Value, ...]) -> Value:
        # ``xs`` is already checked and lifted (by the neuron, or once by the Layer for all
        # its neurons): the hot path of every forward pass does no validation twice.
        if not self.expanded:
            return dot_unchecked(tuple(self.w), xs, self.b)
        z = self.b
        for w, xi in zip(self.w, xs):
            z = z + w * xi
        return z

    def __call__(self, x: Sequence[Any]) -> Value:
        return self._forward(_as_inputs(x, self.nin, "this neuron"))

    @property
    def output_activation(self) -> str:
        """The activation of what the model outputs (how to read its predictions)."""
        return self.activation

    def config(self) -> dict[str, Any]:
        return _with_bias(
            {"nin": self.nin, "activation": self.activation, "init": self.init}, self.bias
        )


class Perceptron(Neuron):
    """The article's single-layer model: ``A = sigmoid(w·x + b)`` by default.

    >>> p = Perceptron(2, seed=1)
    >>> 0 < p([0.5, -0.5]).data < 1
    True
    """

    def __init__(
        self,
        nin: int,
        activation: str = "sigmoid",
        *,
        seed: int | None = None,
        init: str | None = None,
        bias: str = "zero",
        expanded: bool = False,
    ) -> None:
        super().__init__(nin, activation, seed=seed, init=init, bias=bias, expanded=expanded)


class Layer(Module):
    """``nout`` neurons reading the same inputs. Always returns a list.

    >>> layer = Layer(3, 2, activation="tanh", seed=0)
    >>> len(layer([1.0, 0.0, -1.0]))
    2
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        seed: int | None = None,
        init: str | None = None,
        bias: str = "zero",
        expanded: bool = False,
        rng: Draws | None = None,
    ) -> None:
        self.nin = _check_int(nin, "nin")
        self.nout = _check_int(nout, "nout")
        self.activation = _check_choice(activation, "activation", ACTIVATIONS)
        rng = rng or _rng(seed)
        self.neurons = [
            Neuron(
                nin, activation, init=init, bias=bias, expanded=expanded, fan_out=nout, rng=rng
            )
            for _ in range(nout)
        ]
        self.init = self.neurons[0].init
        self.bias = self.neurons[0].bias
        self.label_parameters()

    def _name(self, name: str, path: str) -> None:
        self._named_as(name, path, "")  # a lone layer: W[j,k], b[j], Z[j], A[j]

    def _named_as(self, name: str, path: str, layer: str) -> None:
        """Name neuron j ``W{layer}[j,k]``, ``b{layer}[j]``, ``Z{layer}[j]``, ``A{layer}[j]``."""
        for j, neuron in enumerate(self.neurons):
            neuron._named_as(
                name,
                f"{path}neurons.{j}.",
                f"W{layer}[{j},{{k}}]",
                f"b{layer}[{j}]",
                f"Z{layer}[{j}]",
                f"A{layer}[{j}]",
            )

    def __call__(self, x: Sequence[Any]) -> list[Value]:
        xs = _as_inputs(x, self.nin, "this layer")  # lift numbers once, shared by all neurons
        return [n._forward(xs) for n in self.neurons]

    def config(self) -> dict[str, Any]:
        return _with_bias(
            {"nin": self.nin, "nout": self.nout, "activation": self.activation, "init": self.init},
            self.bias,
        )


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` has two hidden layers of 16.

    Hidden layers use ``activation``; the last layer uses ``output`` (None means linear,
    i.e. raw scores/logits). ``activation`` is one name for every hidden layer, or a list:
    one name per hidden layer (``activation=["tanh", "relu"]`` for ``sizes=[4, 4, 1]``), or
    one per layer, the output's last (then leave ``output`` out). Called on one example it
    returns a Value when the last layer has one neuron, else a list of Values.

    >>> model = MLP(2, [4, 1], seed=0)
    >>> model
    MLP(nin=2, sizes=[4, 1], activation='relu', output=None, init='he')
    >>> model.num_parameters()
    17
    >>> type(model([1.0, -1.0])).__name__
    'Value'
    >>> mixed = MLP(2, [4, 4, 1], activation=["tanh", "relu"], output="sigmoid", seed=0)
    >>> mixed.activations
    ['tanh', 'relu', 'sigmoid']
    >>> mixed
    MLP(nin=2, sizes=[4, 4, 1], activation=['tanh', 'relu'], output='sigmoid', init='xavier')
    >>> MLP(2, [4, 1], activation=["tanh", "sigmoid"]).activations   # the output's too
    ['tanh', 'sigmoid']
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "relu",
        output: str | None = None,
        *,
        seed: int | None = None,
        init: str | None = None,
        bias: str = "zero",
        expanded: bool = False,
    ) -> None:
        self.nin = _check_int(nin, "nin")
        if isinstance(sizes, (int, str)) or not sizes:
            raise ValueError(f"sizes must be a non-empty list of layer widths, got {sizes!r}")
        self.sizes = [_check_int(s, "each layer size") for s in sizes]
        hidden, output = _layer_activations(activation, output, len(self.sizes))
        # One name when every hidden layer shares it (how it was always written, and what
        # repr and saved files say); a list only for a network that mixes them.
        # (A network without hidden layers keeps the name given, or the default.)
        self.activation: str | list[str]
        if isinstance(activation, str) or not hidden:
            self.activation = activation if isinstance(activation, str) else "relu"
        else:
            self.activation = hidden[0] if len(set(hidden)) == 1 else hidden
        self.output = output
        out_act = _check_choice(output or "linear", "output activation", ACTIVATIONS)
        # One init for the whole network: He for ReLU hidden layers, Xavier otherwise (a
        # network that mixes activations too), as ever for a single name.
        default = _default_init(self.activation) if isinstance(self.activation, str) else "xavier"
        self.init = _check_choice(init or default, "init", INITS)
        self.bias = _check_choice(bias, "bias", BIASES)
        rng = _rng(seed)
        widths = [nin, *self.sizes]
        acts = [*hidden, out_act]
        self.layers = [
            Layer(
                widths[i],
                widths[i + 1],
                acts[i],
                init=self.init,
                bias=self.bias,
                expanded=expanded,
                rng=rng,
            )
            for i in range(len(self.sizes))
        ]
        self.label_parameters()

    def _name(self, name: str, path: str) -> None:
        # Layers count from 1, as the article counts them (the inputs are no layer).
        for i, layer in enumerate(self.layers):
            layer._named_as(name, f"{path}layers.{i}.", str(i + 1))

    @property
    def output_activation(self) -> str:
        return self.output or "linear"

    @property
    def activations(self) -> list[str]:
        """Every layer's activation, layer 1 first and the output's last.

        >>> MLP(2, [3, 3, 1], seed=0).activations
        ['relu', 'relu', 'linear']
        """
        return [layer.activation for layer in self.layers]

    def __call__(self, x: Sequence[Any]) -> Any:
        out = x
        for layer in self.layers:
            out = layer(out)
        return out[0] if len(out) == 1 else out

    def config(self) -> dict[str, Any]:
        config = {
            "nin": self.nin,
            "sizes": list(self.sizes),
            "activation": self.activation
            if isinstance(self.activation, str)
            else list(self.activation),
            "output": self.output,
            "init": self.init,
        }
        return _with_bias(config, self.bias)


def _layer_activations(
    activation: Any, output: Any, layers: int
) -> tuple[list[str], str | None]:
    """The hidden layers' activations and the output's, from MLP's two arguments."""
    hidden = layers - 1
    if isinstance(activation, str):
        _check_choice(activation, "activation", ACTIVATIONS)
        return [activation] * hidden, output
    if not isinstance(activation, Sequence) or isinstance(activation, bytes):
        raise TypeError(
            "activation must be a name or a list of names (one per hidden layer), got "
            f"{type(activation).__name__} {activation!r}"
        )
    names = list(activation)
    for name in names:
        _check_choice(name, "activation", ACTIVATIONS)
    if len(names) == hidden:
        return names, output
    if len(names) == layers:
        if output is not None:
            raise ValueError(
                f"activation={names!r} names all {layers} layers, the output's too, and "
                f"output={output!r} names it again: give the output's activation once "
                f"(activation={names[:-1]!r}, output={output!r})"
            )
        return names[:-1], names[-1]
    raise ValueError(
        f"activation={names!r} has {len(names)} names for a network of {hidden} hidden "
        f"layer{'s' if hidden != 1 else ''} (sizes of {layers} layers): give one name per "
        f"hidden layer ({hidden}), or one per layer with the output's last ({layers})"
    )


def _with_bias(config: dict[str, Any], bias: str) -> dict[str, Any]:
    # Only a bias drawn otherwise than "zero" is said: files saved before there was a choice
    # (and every repr) stay as they were.
    if bias != "zero":
        config["bias"] = bias
    return config
