"""The NumPy backend of ``autograd.compile``: one trace replayed on a whole batch at once.

Every node of the trace is a row of a ``(nodes, batch)`` array. Nodes are grouped by depth
(longest path from the inputs), operation and number of inputs, and each group is one step:

* a *layer* -- DOT nodes whose weights are parameters and whose inputs are shared, as a
  network's layer is -- runs as matrix products (:func:`autograd.ops.dot_layer` and its
  derivative): the weights' gradient comes out already summed over the batch;
* any other group gathers its inputs, runs the op's array form (``Op.vforward``) forward, and
  backward evaluates the op's own derivative rule on arrays and adds each input's share into
  its row.

NumPy is imported when a program is built, never by ``import autograd``.

Results agree with the eager engine to the last bits of a float (NumPy sums in another order
than ``math.fsum``, and its transcendental functions round differently from libm), not bit for
bit: the Python backend is for that. Errors are left to the Python backend too: a program
that meets one (a domain error, or a non-finite number while ``check`` is on) raises
:class:`Unsound`, and the caller replays the batch in Python, which raises exactly what the
eager engine would.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from . import ops
from .trace import CompileError, Trace
from .value import Value

__all__ = ["VectorProgram", "Unsound", "vectorisable"]


class Unsound(Exception):
    """The batch met an error or a NaN or infinity: the caller replays it in Python, which
    gives the eager engine's numbers or its very error. ``lasting``: the program cannot run
    (a rule of yours that takes no arrays), not just this batch."""

    def __init__(self, message: str, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


_OPERATOR_OPS = (ops.ADD, ops.MUL, ops.NEG)  # forward is operator.add etc.: arrays as they are


def vectorisable(trace: Trace) -> str | None:
    """None if every operation of ``trace`` has an array form, else the first that has not.

    gradstep's primitives all have one; an op of yours needs ``vforward`` (and a derivative
    rule written with plain arithmetic)."""
    for node in trace.operations:
        op = node._operation
        if op is not None and op.vforward is None and op not in _OPERATOR_OPS:
            return op.name
    return None


def _scatter(np: Any, target: Any, index: Any, values: Any, unique: bool) -> None:
    """``target[index] += values``, adding up repeated indices too."""
    if unique:
        target[index] += values
    else:
        np.add.at(target, index, values)


def _unique(np: Any, index: Any) -> bool:
    return len(np.unique(index)) == index.size


class _Group:
    """Alike nodes computed one op at a time, each input a gathered (k, batch) array."""

    def __init__(self, np: Any, op: ops.Op, nodes: list[Value], row: dict[Value, int]) -> None:
        self.op = op
        self.nodes = nodes
        self.rows = np.array([row[n] for n in nodes], dtype=np.intp)
        # One index array per input position: cols[j][i] is the row of node i's j-th input.
        idx = np.array([[row[p] for p in n._parents] for n in nodes], dtype=np.intp)
        self.cols = [np.ascontiguousarray(idx[:, j]) for j in range(idx.shape[1])]
        self.unique = [_unique(np, c) for c in self.cols]
        self.forward = op.vforward or op.forward

    def gather(self, V: Any, P: Any) -> Any:
        return [V[c] for c in self.cols]

    def compute(self, V: Any, args: Any) -> None:
        V[self.rows] = self.forward(*args)

    def back(self, np: Any, V: Any, G: Any, GP: Any, args: Any) -> None:
        g = G[self.rows]
        derivatives = self.op.derivative(*args, V[self.rows])
        if len(derivatives) != len(self.cols):
            from .backprop import _arity_error

            raise _arity_error(self.nodes[0], derivatives)
        for col, unique, d in zip(self.cols, self.unique, derivatives):
            _scatter(np, G, col, g * d, unique)


class _Layer:
    """DOT nodes sharing their inputs, with parameters for weights: ``W @ X + b``."""

    def __init__(self, np: Any, group: _Group, weights: Any, inputs: Any, bias: Any) -> None:
        self.rows = group.rows
        self.w = weights  # (k, n) positions in the parameter vector
        self.x = inputs  # (n,) rows of the shared inputs
        self.w_unique = _unique(np, weights)
        self.x_unique = _unique(np, inputs)
        self.bias = bias  # None, or ("param" | "row", (k,) positions or rows)
        self.b_unique = bias is not None and _unique(np, bias[1])

    @classmethod
    def of(cls, np: Any, group: _Group, param_at: dict[int, int]) -> _Layer | None:
        """The group as a layer, if it is one; None if not."""
        if group.op is not ops.DOT or len(group.cols) < 2:
            return None
        n = len(group.cols) // 2
        halves = (group.cols[:n], group.cols[n : 2 * n])
        for weights, inputs in (halves, halves[::-1]):  # Σ w x = Σ x w: either half may be W
            if all(int(r) in param_at for c in weights for r in c) and all(
                (c == c[0]).all() for c in inputs
            ):
                W = np.array([[param_at[int(r)] for r in c] for c in weights], dtype=np.intp).T
                X = np.array([int(c[0]) for c in inputs], dtype=np.intp)
                bias = None
                if len(group.cols) % 2:
                    b = group.cols[-1]
                    if all(int(r) in param_at for r in b):
                        bias = ("param", np.array([param_at[int(r)] for r in b], dtype=np.intp))
                    else:
                        bias = ("row", b)
                return cls(np, group, W, X, bias)
        return None

    def gather(self, V: Any, P: Any) -> Any:
        b = None
        if self.bias is not None:
            kind, at = self.bias
            b = P[at][:, None] if kind == "param" else V[at]
        return P[self.w], V[self.x], b

    def compute(self, V: Any, saved: Any) -> None:
        V[self.rows] = ops.dot_layer(*saved)

    def back(self, np: Any, V: Any, G: Any, GP: Any, saved: Any) -> None:
        W, X, _ = saved
        g = G[self.rows]
        gW, gX = ops.dot_layer_derivative(W, X, g)
        _scatter(np, GP, self.w, gW, self.w_unique)
        _scatter(np, G, self.x, gX, self.x_unique)
        if self.bias is not None:
            kind, at = self.bias
            if kind == "param":
                _scatter(np, GP, at, g.sum(axis=1), self.b_unique)
            else:
                _scatter(np, G, at, g, self.b_unique)


class VectorProgram:
    """One trace, compiled for batches: ``run(X, P, ...)`` with X of shape (inputs, batch)."""

    def __init__(self, trace: Trace) -> None:
        import numpy as np

        missing = vectorisable(trace)
        if missing is not None:
            raise CompileError(
                f"the operation {missing!r} has no array form (Op.vforward), so the numpy "
                "backend cannot run it; use backend='python'"
            )
        self.np = np
        self.trace = trace
        order = trace.order
        row = {node: i for i, node in enumerate(order)}
        self.input_rows = np.array([row[v] for v in trace.inputs], dtype=np.intp)
        self.param_rows = np.array([row[v] for v in trace.params], dtype=np.intp)
        self.const_rows = np.array([row[v] for v in trace.constants], dtype=np.intp)
        self.consts = np.array(trace.constant_values, dtype=float)
        self.output_rows = np.array([row[v] for v in trace.outputs], dtype=np.intp)
        param_at = {int(r): j for j, r in enumerate(self.param_rows)}
        self.steps = self._steps(trace.operations, row, param_at)
        # Backward goes through what the first output depends on (usually everything).
        reached = [v for v in trace.backward if v._operation is not None]
        same = len(reached) == len(trace.operations)
        self.back_steps = self.steps if same else self._steps(reached, row, param_at)

    def _steps(
        self, operations: list[Value], row: dict[Value, int], param_at: dict[int, int]
    ) -> list[Any]:
        """The operations grouped by depth, op and arity; each group as a layer if it is one."""
        np = self.np
        depth: dict[Value, int] = {}
        grouped: dict[tuple[int, int, int], list[Value]] = defaultdict(list)
        op_of: dict[int, ops.Op] = {}
        for node in operations:
            assert node._operation is not None
            d = 1 + max((depth.get(p, 0) for p in node._parents), default=0)
            depth[node] = d
            key = (d, id(node._operation), len(node._parents))
            op_of[id(node._operation)] = node._operation
            grouped[key].append(node)
        groups = [_Group(np, op_of[k[1]], nodes, row) for k, nodes in sorted(grouped.items())]
        return [_Layer.of(np, g, param_at) or g for g in groups]

    @property
    def layers(self) -> int:
        """How many groups run as matrix products."""
        return sum(isinstance(s, _Layer) for s in self.steps)

    @property
    def groups(self) -> int:
        """How many groups of alike nodes the forward pass runs."""
        return len(self.steps)

    def run(self, X: Any, P: Any, seed: Any = None) -> tuple[Any, Any, Any]:
        """Forward (and, with ``seed``, backward) on a batch.

        ``X``: (inputs, batch) array; ``P``: the parameters' numbers; ``seed``: the gradient of
        the first output per example (a number or a (batch,) array), or None for forward only.
        Returns (outputs (outputs, batch), parameter gradients summed over the batch, input
        gradients (inputs, batch)); the gradients are None without ``seed``. Raises
        :class:`Unsound` on any error and on any NaN or infinity, forward or backward:
        whether the eager engine raises there (``x ** 3`` overflowing) or carries on
        (``exp`` giving inf) is for the Python replay to tell.
        """
        np = self.np
        P = np.asarray(P, dtype=float)
        batch = X.shape[1]
        V = np.empty((len(self.trace.order), batch))
        V[self.input_rows] = X
        V[self.param_rows] = P[:, None]
        V[self.const_rows] = self.consts[:, None]
        with np.errstate(all="ignore"):
            try:
                saved = []
                for step in self.steps:
                    state = step.gather(V, P)
                    step.compute(V, state)
                    saved.append(state)
                if not np.isfinite(V.sum()):  # one pass; a huge but finite sum also lands here
                    raise Unsound("a NaN or infinity in the forward pass")
                outputs = V[self.output_rows]
                if seed is None:
                    return outputs, None, None
                if self.back_steps is not self.steps:
                    saved = [step.gather(V, P) for step in self.back_steps]
                G = np.zeros_like(V)
                GP = np.zeros(len(P))
                G[self.output_rows[0]] = seed
                for step, state in zip(reversed(self.back_steps), reversed(saved)):
                    step.back(np, V, G, GP, state)
                if not (np.isfinite(G.sum()) and np.isfinite(GP.sum())):
                    raise Unsound("a NaN or infinity in the backward pass")
            except Unsound:
                raise
            except (ValueError, ArithmeticError) as e:  # a domain error: eager's, in Python
                raise Unsound(str(e)) from e
            except Exception as e:  # a rule that does not take arrays
                raise Unsound(f"{type(e).__name__}: {e}", lasting=True) from e
        return outputs, G[self.param_rows].sum(axis=1) + GP, G[self.input_rows]
