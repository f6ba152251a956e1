"""One training step -- forward, cost, backward, update -- built eagerly or compiled.

``fit`` calls a step with the indices of a minibatch and gets back the batch's cost and the
model's outputs (as lists of floats, for the accuracy). :class:`EagerStep` builds the graph
every time, as a learner would by hand. :class:`CompiledStep` (``fit(compile=True)``) traces
the step once with :func:`autograd.compile` and replays it: with a built-in loss, the loss
of one example is compiled and replayed over the whole minibatch (vectorised with NumPy when
installed); with a loss function of your own, which may mix the examples, the whole
minibatch's cost is compiled (one trace per minibatch size). The two agree to ~1e-12.
"""

from __future__ import annotations

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
            width = len(scores(model(X[0])))
        self.width = width
        self.per_example = loss_fn in LOSSES.values()
        if self.per_example:
            # The targets are checked here, all at once, as the eager loss checks them.
            with autograd.no_grad():
                if loss_fn is cross_entropy:
                    loss_fn([[0.0] * width] * len(y), y)
                else:
                    loss_fn([0.5] * len(y), y)
            targets = (
                [[float(j == t) for j in range(width)] for t in y]  # one-hot: no indexing
                if loss_fn is cross_entropy
                else y
            )
            self.rows = [(x, t) for x, t in zip(X, targets)]
            self.compiled = autograd.compile(self._one_example, backend=backend)
        else:
            # A loss of yours may mix the examples: the minibatch's whole cost is traced
            # (once per minibatch size), with the targets as inputs.
            self.compiled = autograd.compile(self._whole_batch, backend="python")
        params = self.params
        self.regulariser = (
            autograd.compile(lambda: l2(params, l2_alpha), backend="python")
            if l2_alpha and self.per_example
            else None
        )
        try:  # trace now: a refusal comes before the first epoch, not in the middle
            if self.per_example:
                self.compiled(*self.rows[0])
            else:
                self.compiled(X[:1], y[:1])
            if self.regulariser is not None:
                self.regulariser()
        except CompileError as e:
            raise CompileError(
                f"fit(compile=True) cannot compile this training step: {e}\n"
                "Train this model with compile=False (the default)."
            ) from None
        except (TypeError, ValueError) as e:
            if self.per_example:
                raise
            raise CompileError(
                f"fit(compile=True) traces your loss with the targets as inputs -- Values, "
                f"not numbers -- and it failed: {type(e).__name__}: {e}\nWrite the loss with "
                "Value arithmetic on the targets, or train with compile=False."
            ) from e

    def _one_example(self, x: list[Value], t: Any) -> tuple[Value, ...]:
        output = self.model(x)
        return (self.loss_fn([output], [t]), *_as_list(output))

    def _whole_batch(self, xs: list[list[Value]], ts: list[Any]) -> tuple[Value, ...]:
        outputs = [self.model(x) for x in xs]
        flat = [v for out in outputs for v in _as_list(out)]
        cost = self.loss_fn(outputs, list(ts))
        if self.l2_alpha:
            cost = cost + l2(self.params, self.l2_alpha)  # as the eager step adds it
        return (cost, *flat)

    def __call__(self, batch: Sequence[int]) -> tuple[float, Scores]:
        self.optimizer.zero_grad()
        if self.per_example:
            cost, outs = self.compiled.backward_batch(
                [self.rows[i] for i in batch], plus=self.regulariser, return_outputs=True
            )
            outputs = [list(out[1:]) for out in outs]
        else:
            xs, ts = [self.X[i] for i in batch], [self.y[i] for i in batch]
            cost, *flat = self.compiled.backward(xs, ts)
            w = self.width
            outputs = [flat[k : k + w] for k in range(0, len(flat), w)]
        self.optimizer.step()
        return cost, outputs
