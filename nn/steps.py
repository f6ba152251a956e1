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

from .losses import LOSSES, check_targets, cross_entropy, l2
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


class _Resident:
    """A compiled step whose parameters stay in NumPy arrays between steps (``fit``'s).

    The step of a built-in loss, when NumPy replays it, runs here on arrays end to end: the
    training set is one ``(examples, inputs)`` array made once, a batch is a row index into
    it, the parameters and the optimizer's buffers are arrays, and the update is the
    optimizer's own rule on whole arrays (:meth:`nn.Optimizer.step_arrays`). Nothing is
    moved between Values and floats per step -- what made the compiled step several times
    slower than PyTorch's. :meth:`flush` writes the numbers back: each parameter's ``.data``,
    its ``.grad`` as the last step left it (the eager loop's ``zero_grad(); backward()``),
    and the optimizer's state. The first step after a flush reads them in again, so whatever
    changed the model in between (weights put back, a callback) is what trains on.

    A batch the arrays cannot do -- an error, a NaN or an infinity, which the Python replay
    must report exactly as the eager engine would -- flushes and goes the ordinary way.
    """

    def __init__(self, step: CompiledStep, program: Any, A: Any) -> None:
        import numpy as np

        self.np, self.step_of, self.program, self.A = np, step, program, A
        params = program.trace.params
        at = {p: j for j, p in enumerate(params)}
        optimizer = step.optimizer
        self.params = params
        self.optimizer = optimizer
        self.opt_at = np.array([at[p] for p in optimizer.params], dtype=np.intp)
        self.same_order = (
            len(params) == len(self.opt_at) and (self.opt_at == np.arange(len(params))).all()
        )
        mine = set(optimizer.params)
        # Parameters the optimizer does not update (frozen): their .grad accumulates, as
        # eagerly, since nothing zeroes it.
        self.frozen = [p for p in params if p not in mine]
        self.frozen_at = np.array([at[p] for p in self.frozen], dtype=np.intp)
        self.regulariser = None
        if step.regulariser is not None:  # the L2 term, on arrays too (a batch of one)
            from autograd.compiler.vectorize import VectorProgram

            trace = step.regulariser.trace
            self.regulariser = VectorProgram(trace)
            self.reg_at = np.array([at[p] for p in trace.params], dtype=np.intp)
            self.no_inputs = np.empty((0, 1))
        self.pays: dict[int, bool] = {}  # batch size -> whether NumPy replays it
        self.live = False

    @classmethod
    def of(cls, step: CompiledStep) -> _Resident | None:
        """The resident form of ``step``, or None where the arrays cannot hold it: NumPy
        not there or not the backend, or parameters the step's loss never sees (updated by
        the optimizer, or in the L2 term) -- the ordinary step deals with those."""
        found = step.compiled.vectorised(step.rows)
        if found is None:
            return None
        program, A = found
        traced = set(program.trace.params)
        if not step.optimizer._has_rule:  # an optimizer of yours with its own step()
            return None
        if not set(step.optimizer.params) <= traced:
            return None
        if step.regulariser is not None and not set(step.regulariser.trace.params) <= traced:
            return None
        return cls(step, program, A)

    def load(self) -> None:
        np = self.np
        self.P = np.array([p.data for p in self.params], dtype=float)
        self.buffers = self.optimizer.state_arrays()
        self.frozen_grad = np.zeros(len(self.frozen))
        self.grad: Any = None
        self.live = True

    def step(self, batch: Sequence[int]) -> tuple[float, Any] | None:
        """One training step on arrays: the cost and the outputs ((examples, k) array), or
        None when the batch must go the ordinary way (flushed first)."""
        from autograd.compiler.vectorize import Unsound

        step = self.step_of
        m = len(batch)
        pays = self.pays.get(m)
        if pays is None:
            pays = self.pays[m] = step.compiled.numpy_pays(step.rows[0], m)
        if not pays:
            self.flush()  # too small a batch for NumPy to pay: the Python replay
            return None
        if not self.live:
            self.load()
        try:
            outs, gp, _ = self.program.run(self.A[batch].T, self.P, 1.0 / m, False)
        except Unsound as why:
            self.flush()
            if why.lasting:  # a rule of yours that takes no arrays: the ordinary step from now
                step.arrays = None
            return None
        cost = math.fsum(outs[0].tolist()) / m  # the mean node's own sum: J as eager's
        if self.regulariser is not None:
            try:
                extra, reg_grad, _ = self.regulariser.run(
                    self.no_inputs, self.P[self.reg_at], 1.0, False
                )
            except Unsound:
                self.flush()
                return None
            cost = cost + float(extra[0, 0])  # the eager cost's last node: mean + l2
            gp[self.reg_at] += reg_grad
        if len(self.frozen):
            self.frozen_grad += gp[self.frozen_at]
        # The optimizer's own parameters, in its order (the step's, most often: then P itself).
        grad = gp if self.same_order else gp[self.opt_at]
        data = self.P if self.same_order else self.P[self.opt_at]
        self.optimizer.step_arrays(data, grad, self.buffers)
        if not self.same_order:
            self.P[self.opt_at] = data
        self.grad = grad
        return cost, outs[1:].T

    def flush(self) -> None:
        """Write the arrays back: ``.data``, ``.grad`` and the optimizer's state."""
        if not self.live:
            return
        self.live = False
        for p, x in zip(self.params, self.P.tolist()):
            p.data = x
        if self.grad is not None:
            for p, g in zip(self.optimizer.params, self.grad.tolist()):
                p.grad = g
            for p, g in zip(self.frozen, self.frozen_grad.tolist()):
                p.grad += g
            self.optimizer.load_arrays(self.buffers)


class EagerStep:
    """The step as written by hand: the graph is built, differentiated and dropped."""

    def flush(self) -> None:
        """Nothing to bring up to date: the eager step works on the Values themselves."""

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
        resident: bool = False,
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
            check_targets(loss_fn, y, width)
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
        self.arrays = _Resident.of(self) if resident and self.per_example else None
        # Rows measured before (a validation set, every epoch): as arrays, made once.
        self._measured: dict[int, tuple[Any, Any, Any]] = {}

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
        if not rows:
            return math.nan, []
        fast = self._measure_arrays(rows)
        if fast is not None:
            return fast
        outs = self.compiled.forward_batch(rows)
        return math.fsum(out[0] for out in outs) / len(outs), [list(out[1:]) for out in outs]

    def _measure_arrays(self, rows: Sequence[tuple[Any, Any]]) -> tuple[float, Scores] | None:
        """:meth:`measure` by the NumPy program on the rows made one array once (the same
        rows are measured after every epoch); None where NumPy does not replay them, or
        for the Python replay's exact errors on a NaN or infinity."""
        from autograd.compiler.vectorize import Unsound

        key = id(rows)
        cached = self._measured.get(key)
        if cached is None or cached[0] is not rows:
            if not self.compiled.numpy_pays(rows[0], len(rows)):
                return None
            found = self.compiled.vectorised(rows)
            if found is None:
                return None
            cached = self._measured[key] = (rows, *found)
        _, program, A = cached
        arrays = self.arrays
        if arrays is not None and arrays.live and arrays.program is program:
            P = arrays.P  # the numbers the Values will hold once flushed
        else:
            P = [p.data for p in program.trace.params]
        try:
            outs, _, _ = program.run(A.T, P)
        except Unsound:
            return None
        return math.fsum(outs[0].tolist()) / len(rows), outs[1:].T.tolist()

    def _one_example(self, x: list[Value], t: Any) -> tuple[Value, ...]:
        output = self.model(x)
        return (self.loss_fn([output], [t]), *_as_list(output))

    def _weighted_outputs(self, x: list[Value], g: list[Value]) -> tuple[Value, ...]:
        # Σ_j output_j · g_j: its gradient is the model's chain rule from outputs whose
        # gradients are g (what the loss sent them); the outputs come along for the loss.
        outputs = _as_list(self.model(x))
        return (autograd.dot(outputs, g), *outputs)

    def __call__(self, batch: Sequence[int]) -> tuple[float, Any]:
        if self.arrays is not None:
            done = self.arrays.step(batch)
            if done is not None:
                return done
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

    def flush(self) -> None:
        """Bring the model and the optimizer up to date after steps run on arrays (see
        :class:`_Resident`); nothing to do otherwise."""
        if self.arrays is not None:
            self.arrays.flush()

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
