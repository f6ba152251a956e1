"""One training step -- forward, cost, backward, update -- built eagerly or compiled.

``fit`` calls a step with the indices of a minibatch and gets back the batch's cost and the
model's outputs (as lists of floats, for the accuracy). :class:`EagerStep` builds the graph
every time, as a learner would by hand. :class:`CompiledStep` (``fit(compile=True)``) traces
the step once with :func:`autograd.compile` and replays it: with a built-in loss, the loss
of one example is compiled and replayed over the whole minibatch (vectorised with NumPy when
installed). A loss function of your own may mix the examples, so it is not compiled: the
*model* is, per example -- forward over the minibatch, your loss run eagerly on its outputs
(a small graph: a few nodes per example), and the chain rule carried back into the compiled
model from the gradient your loss sends each output. Tracing the whole minibatch instead would
cost a graph of batch × model nodes (a thousand examples of MLP(2, [32, 32, 1]): millions).
The two agree to ~1e-12; with a built-in loss and ``compile="python"``, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import CompileError, Value

from .losses import LOSSES, cross_entropy, l2
from .module import Module
from .optim import Optimizer

__all__ = ["EagerStep", "CompiledStep"]

Scores = list[list[float]]


def scores(output: Any) -> list[float]:
    """A model's output for one example as a list of floats."""
    if isinstance(output, Value):
        return [output.data]
    return [v.data if isinstance(v, Value) else float(v) for v in output]


def _as_list(output: Any) -> list[Value]:
    return [output] if isinstance(output, Value) else list(output)


class EagerStep:
    """The step as written by hand: the graph is built, differentiated and dropped."""

    def __init__(
        self,
        model: Module,
        X: list[list[float]],
        y: list[Any],
        loss_fn: Callable[..., Value],
        optimizer: Optimizer,
        l2_alpha: float,
    ) -> None:
        self.model, self.X, self.y = model, X, y
        self.loss_fn, self.optimizer, self.l2_alpha = loss_fn, optimizer, l2_alpha
        self.params = model.parameters()

    def __call__(self, batch: Sequence[int]) -> tuple[float, Scores]:
        outputs = [self.model(self.X[i]) for i in batch]
        cost = self.loss_fn(outputs, [self.y[i] for i in batch])
        if self.l2_alpha:
            cost = cost + l2(self.params, self.l2_alpha)
        self.optimizer.zero_grad()
        cost.backward()
        self.optimizer.step()
        return cost.data, [scores(out) for out in outputs]


class CompiledStep(EagerStep):
    """The step traced once and replayed; see the module docstring.

    ``backend`` is ``autograd.compile``'s: "auto" (NumPy for big enough batches, when
    installed), "python" (the eager arithmetic bit for bit: the very History of the eager
    loop) or "numpy". Building the step traces the model, so a model that cannot be
    compiled -- the ``step`` activation, a branch on data -- is refused before any training,
    and checks every target as the eager loss would.
    """

    def __init__(
        self,
        model: Module,
        X: list[list[float]],
        y: list[Any],
        loss_fn: Callable[..., Value],
        optimizer: Optimizer,
        l2_alpha: float,
        backend: str = "auto",
    ) -> None:
        super().__init__(model, X, y, loss_fn, optimizer, l2_alpha)
        with autograd.no_grad():
            first = model(X[0])
        width = len(scores(first))
        self.width = width
        self.single_output = isinstance(first, Value)  # a Value, not a list of them
        self.per_example = loss_fn in LOSSES.values()
        if self.per_example:
            # The targets are checked here, all at once, as the eager loss checks them.
            with autograd.no_grad():
                if loss_fn is cross_entropy:
                    loss_fn([[0.0] * width] * len(y), y)
                else:
                    loss_fn([0.5] * len(y), y)
            self.rows = self.rows_of(X, y)
            self.compiled = autograd.compile(self._one_example, backend=backend)
        else:
            # A loss of yours runs eagerly on the outputs; the model is compiled per example,
            # as its outputs weighted by the gradients the loss sends them (see the module).
            self.compiled = autograd.compile(self._weighted_outputs, backend=backend)
        params = self.params
        self.regulariser = (
            autograd.compile(lambda: l2(params, l2_alpha), backend="python") if l2_alpha else None
        )
        try:  # trace now: a refusal comes before the first epoch, not in the middle
            if self.per_example:
                self.compiled(*self.rows[0])
            else:
                self.compiled(X[0], [0.0] * width)
            if self.regulariser is not None:
                self.regulariser()
        except CompileError as e:
            raise CompileError(
                f"fit(compile=True) cannot compile this training step: {e}\n"
                "Train this model with compile=False (the default)."
            ) from None

    def rows_of(self, X: Sequence[Any], y: Sequence[Any]) -> list[tuple[Any, Any]]:
        """``(x, target)`` argument rows of the compiled loss of one example (a built-in
        loss): a class index becomes its one-hot row, as the compiled function takes no index."""
        if self.loss_fn is cross_entropy:
            width = self.width
            return [(x, [float(j == t) for j in range(width)]) for x, t in zip(X, y)]
        return list(zip(X, y))

    def measure(self, rows: Sequence[tuple[Any, Any]]) -> tuple[float, Scores]:
        """The mean loss over ``rows`` (from :meth:`rows_of`) and each example's outputs, by
        the compiled loss of one example replayed over them: no graph, no update."""
        outs = self.compiled.forward_batch(rows)
        if not outs:
            return math.nan, []
        return math.fsum(out[0] for out in outs) / len(outs), [list(out[1:]) for out in outs]

    def _one_example(self, x: list[Value], t: Any) -> tuple[Value, ...]:
        output = self.model(x)
        return (self.loss_fn([output], [t]), *_as_list(output))

    def _weighted_outputs(self, x: list[Value], g: list[Value]) -> tuple[Value, ...]:
        # Σ_j output_j · g_j: its gradient is the model's chain rule from outputs whose
        # gradients are g (what the loss sent them); the outputs come along for the loss.
        outputs = _as_list(self.model(x))
        return (autograd.dot(outputs, g), *outputs)

    def __call__(self, batch: Sequence[int]) -> tuple[float, Scores]:
        self.optimizer.zero_grad()
        if self.per_example:
            cost, outs = self.compiled.backward_batch(
                [self.rows[i] for i in batch], plus=self.regulariser, return_outputs=True
            )
            outputs = [list(out[1:]) for out in outs]
        else:
            cost, outputs = self._own_loss(batch)
        self.optimizer.step()
        return cost, outputs

    def _own_loss(self, batch: Sequence[int]) -> tuple[float, Scores]:
        """Forward through the compiled model, your loss eagerly on the outputs (as leaves),
        then back through the compiled model from the gradients the loss gave them."""
        zeros = [0.0] * self.width
        rows = [(self.X[i], zeros) for i in batch]
        outputs = [list(out[1:]) for out in self.compiled.forward_batch(rows)]
        leaves = [[Value(o) for o in out] for out in outputs]
        single = self.single_output
        cost = self.loss_fn(
            [out[0] if single else out for out in leaves], [self.y[i] for i in batch]
        )
        cost.backward()
        total = cost.data
        if self.regulariser is not None:
            total = total + self.regulariser.backward()  # as the eager step adds it
        weighted = [(self.X[i], [v.grad for v in out]) for i, out in zip(batch, leaves)]
        self.compiled.backward_batch(weighted, reduction="sum")
        return total, outputs
