"""Find the neurons in a graph, so a drawing can group them (and shrink each to one box).

``nn`` labels a network in the article's notation (``Z1[3]``, ``A1[3]``, ``W1[3,1]``) and
remembers each node's module path, which :func:`nn.path_of` returns: the pre-activation
``layers.0.neurons.3.z``, the activation ``layers.0.neurons.3.a``, the parameters their path
from ``named_parameters()`` (``layers.0.neurons.3.w.1``). Neurons are found by those paths
(:func:`key`). A lone neuron is ``w[0], w[1], ..., b, z, a``; a graph you build by hand with
such labels (``z.label = "z"``, ``w1`` or ``w[0]``) is recognised the same way.

One :class:`NeuronCall` is one neuron applied to one example: a batch of 100 examples holds
100 calls of every neuron, all sharing the neuron's parameters.

>>> from nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> calls = find_neurons(model([1.0, -1.0]))
>>> [(c.path, len(c.params), len(c.inputs)) for c in calls][-2:]
[('layers.0.neurons.2', 3, 2), ('layers.1.neurons.0', 4, 3)]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd import Value, ops, topological_order
from nn import path_of

__all__ = [
    "NeuronCall",
    "Fold",
    "find_neurons",
    "find_folds",
    "key",
    "parent_path",
    "relative_path",
]

_Z = re.compile(r"(?:(.+)\.)?z")
_LONE_PARAMETER = re.compile(r"w\d*|w\.\d+|w\[\d+\]|b")


def key(node: Value) -> str:
    """What neurons are found by: a model's node's module path, else the node's label.

    >>> from nn import Neuron
    >>> n = Neuron(2, seed=0)
    >>> key(n.w[1]), key(Value(1.0, label="z"))
    ('w.1', 'z')
    """
    return path_of(node) or node.label


@dataclass(frozen=True, eq=False)
class NeuronCall:
    """One neuron computing ``a = activation(z)``, ``z = Σ w·x + b``, for one example.

    ``members`` are the operation nodes from the weighted sum to the activation (``z`` and
    ``a`` included), ``params`` its weights and bias, ``inputs`` what flows in from outside.
    """

    path: str
    z: Value
    a: Value
    members: tuple[Value, ...]
    params: tuple[Value, ...]
    inputs: tuple[Value, ...]

    @property
    def formula(self) -> str:
        """What the neuron computes, as a learner reads it: ``relu(Σ w·x + b)``."""
        act = self.a.op.symbol if self.a is not self.z and self.a.op is not None else ""
        return f"{act}(Σ w·x + b)" if act else "Σ w·x + b"


def parent_path(path: str) -> str:
    """The module holding the module at ``path``: ``layers.0`` for ``layers.0.neurons.3``.

    >>> parent_path("layers.0.neurons.3"), parent_path("neurons.3"), parent_path("")
    ('layers.0', '', '')
    """
    parts = path.split(".") if path else []
    if parts and parts[-1].isdigit():
        parts.pop()  # an item of a list of modules: drop the index and the list's name
    if parts:
        parts.pop()
    return ".".join(parts)


def relative_path(path: str, outer: str) -> str:
    """``path`` as seen from inside the module ``outer``.

    >>> relative_path("layers.0.neurons.3", "layers.0")
    'neurons.3'
    """
    return path[len(outer) + 1 :] if outer and path.startswith(outer + ".") else path


def _is_parameter(node: Value, z: Value, position: int | None, path: str) -> bool:
    if node.op is not None or node.is_constant:
        return False
    if z.op is ops.DOT and position is not None:
        n = len(z.parents) // 2
        if position < n or position == 2 * n:  # a weight or the bias
            return True
    if path:
        return key(node).startswith(path + ".")
    return _LONE_PARAMETER.fullmatch(key(node)) is not None


def find_neurons(root: Value, order: Sequence[Value] | None = None) -> list[NeuronCall]:
    """Every neuron call in ``root``'s graph, in the order the forward pass makes them.

    ``order`` is ``topological_order(root)`` if the caller has it already.

    >>> from autograd import Value
    >>> w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-0.5, label="b")
    >>> z = w * x + b
    >>> z.label = "z"
    >>> a = z.sigmoid()
    >>> a.label = "a"
    >>> (call,) = find_neurons(a)
    >>> [v.label for v in call.params], [v.label for v in call.inputs], call.formula
    (['w', 'b'], ['x'], 'σ(Σ w·x + b)')
    """
    if order is None:
        order = topological_order(root)
    position_of = {node: i for i, node in enumerate(order)}
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for p in node.parents:
            consumers.setdefault(p, []).append(node)
    claimed: set[Value] = set()
    calls = []
    for z in order:
        if z.op is None or z.is_constant or z in claimed:
            continue
        match = _Z.fullmatch(key(z))
        if match is None:
            continue
        path = match.group(1) or ""
        a_label = f"{path}.a" if path else "a"
        a = next((c for c in consumers.get(z, ()) if key(c) == a_label and len(c.parents) == 1), z)

        def is_parameter(node: Value, consumer: Value, position: int, z=z, path=path) -> bool:
            return _is_parameter(node, z, position if consumer is z else None, path)

        members, params, inputs = _gather([z] if a is z else [z, a], claimed, is_parameter)
        for group in (members, params, inputs):
            group.sort(key=position_of.__getitem__)  # the order the forward pass met them
        calls.append(NeuronCall(path, z, a, tuple(members), tuple(params), tuple(inputs)))
    return calls


def _gather(
    heads: list[Value], claimed: set[Value], is_inside: Any
) -> tuple[list[Value], list[Value], list[Value]]:
    """``heads`` and the unlabeled operations that compute them, walking towards the inputs.

    Returns (members, inside, inputs): the operations, the leaves ``is_inside(leaf,
    consumer, position)`` keeps inside the group, and everything else flowing in. The
    members are added to ``claimed``.
    """
    members, inside, inputs = list(heads), [], []
    seen = set(heads)
    stack = list(heads)
    while stack:
        node = stack.pop()
        for position, p in enumerate(node.parents):
            if p in seen:
                continue
            seen.add(p)
            if p.op is not None and not p.label and not p.is_constant and p not in claimed:
                members.append(p)  # an unlabeled step (of an expanded sum, of a loss)
                stack.append(p)
            elif is_inside(p, node, position):
                inside.append(p)
            else:
                inputs.append(p)
    claimed.update(members)
    return members, inside, inputs


@dataclass(frozen=True, eq=False)
class Fold:
    """A labelled operation (or the output) with the unlabeled steps that compute it.

    ``loss[0]`` of a binary cross-entropy is seven small operations; drawn coarsely they are
    one box. ``constants`` are the plain numbers used only inside.
    """

    head: Value
    members: tuple[Value, ...]
    constants: tuple[Value, ...]
    inputs: tuple[Value, ...]


def find_folds(
    root: Value, order: Sequence[Value], taken: set[Value] | frozenset[Value] = frozenset()
) -> list[Fold]:
    """One :class:`Fold` per labelled operation node and for ``root``, leaving ``taken`` out.

    >>> from autograd import Value
    >>> w = Value(0.5, label="w")
    >>> loss = (w * 2.0 - 1.0) ** 2
    >>> (fold,) = find_folds(loss, topological_order(loss))
    >>> len(fold.members), [c.data for c in fold.constants], [v.label for v in fold.inputs]
    (3, [2.0, -1.0], ['w'])
    """
    position_of = {node: i for i, node in enumerate(order)}
    claimed = set(taken)
    folds = []
    for head in reversed(order):  # outputs first: a chain of steps goes to its last label
        if head in claimed or head.op is None or (not head.label and head is not root):
            continue
        members, constants, inputs = _gather(
            [head], claimed, lambda p, consumer, position: p.is_constant
        )
        for group in (members, constants, inputs):
            group.sort(key=position_of.__getitem__)
        folds.append(Fold(head, tuple(members), tuple(constants), tuple(inputs)))
    folds.reverse()
    return folds
