"""The NumPy backend of ``autograd.compile``: one trace replayed on a whole batch at once.

Every node of the trace -- but the parameters a layer reads straight from the parameter
vector -- is a row of a ``(rows, batch)`` array. Nodes are grouped by depth (longest path
from the inputs), operation (or the op's ``vgroup``) and number of inputs, and each group is
one step:

* a *layer* -- DOT nodes whose weights are parameters and whose inputs are shared, as a
  network's layer is -- runs as matrix products (:func:`autograd.ops.dot_layer` and its
  derivative) on its weights as a view of the parameter vector: the weights' gradient comes
  out already summed over the batch, added in place into the gradient vector;
* any other group gathers its inputs, runs the op's array form (``Op.vforward``, or for a
  node of many inputs ``Op.vstacked`` on them gathered at once) forward, and backward
  evaluates the op's own derivative rule on arrays and adds each input's share into its row.

NumPy is imported when a program is built, never by ``import autograd``.

Results agree with the eager engine to the last bits of a float (NumPy sums in another order
than ``math.fsum``, and its transcendental functions round differently from libm), not bit for
bit: the Python backend is for that. Errors are left to the Python backend too: a program
that meets one (a domain error, or a non-finite number while ``check`` is on) raises
:class:`Unsound`, and the caller replays the batch in Python, which raises exactly what the
eager engine would.
"""

from __future__ import annotations

from typing import Any

from .. import ops
from ..messages import arity_error
from ..value import Value
from .trace import CompileError, Trace

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


#: Above this many inputs per node, a group gathers and scatters them all at once.
_WIDE = 4


def _grid(np: Any, positions: Any) -> Any:
    """For positions that form a regular grid in a vector -- ``base + j*s0 (+ i*s1)``, the
    strides >= 0 -- a function giving that grid of any such vector as a view (no copy, and
    writable: ``view(v)[...] += x`` adds in place); None for any other pattern."""
    if positions.size < 2:
        return None
    base = int(positions.flat[0])
    strides = [
        int(np.diff(positions, axis=axis).flat[0]) if n > 1 else 0
        for axis, n in enumerate(positions.shape)
    ]
    if min(strides) < 0:
        return None
    grid = np.asarray(np.indices(positions.shape).T @ np.array(strides)).T + base
    if not np.array_equal(grid, positions):
        return None
    shape = positions.shape
    as_strided = np.lib.stride_tricks.as_strided

    def view(vector: Any) -> Any:
        return as_strided(vector[base:], shape, tuple(st * vector.itemsize for st in strides))

    return view


def _group_key(op: ops.Op) -> Any:
    """Nodes whose ops share this key run as one vector operation: the op itself, or the
    op's ``vgroup`` (checks of the same ranges whose messages differ share one)."""
    return op if op.vgroup is None else op.vgroup


class _Group:
    """Alike nodes computed one op at a time: their inputs gathered at once as a
    (nodes, arity, batch) array, each input position one (nodes, batch) view of it."""

    def __init__(self, np: Any, op: ops.Op, nodes: list[Value], row: dict[Value, int]) -> None:
        self.op = op
        self.nodes = nodes
        self.rows = np.array([row[n] for n in nodes], dtype=np.intp)
        # idx[i, j] is the row of node i's j-th input.
        self.idx = np.array([[row[p] for p in n._parents] for n in nodes], dtype=np.intp)
        self.arity = self.idx.shape[1]
        # Backward adds the inputs' shares column by column for a small arity, with one
        # scatter for a wide op (SUM, DOT, LOGSUMEXP over many inputs); with no row repeated
        # a plain (buffered) += is exact and much faster than np.add.at.
        self.wide = self.arity > _WIDE
        if self.wide:
            self.unique = _unique(np, self.idx)
        else:
            self.cols = [np.ascontiguousarray(self.idx[:, j]) for j in range(self.arity)]
            self.col_unique = [_unique(np, c) for c in self.cols]
        self.forward = op.vforward or op.forward

    def gather(self, V: Any, P: Any) -> Any:
        if self.wide:  # (arity, nodes, batch): input position first, as the forms take it
            return V[self.idx].transpose(1, 0, 2)
        return [V[c] for c in self.cols]

    def compute(self, V: Any, args: Any) -> None:
        if self.wide and self.op.vstacked is not None:
            V[self.rows] = self.op.vstacked(args)
        else:
            V[self.rows] = self.forward(*args)

    def back(self, np: Any, V: Any, G: Any, GP: Any, args: Any, inputs: bool = True) -> None:
        g = G[self.rows]
        derivatives = self.op.derivative(*args, V[self.rows])
        if len(derivatives) != self.arity:
            raise arity_error(self.nodes[0], derivatives)
        # The op's own rule, chained: each input's share is g * its local derivative.
        if self.wide:
            try:  # all numbers (Σ's 1s), or all arrays of one shape: stacked at once
                D = np.array(derivatives, dtype=float)
            except ValueError:  # numbers and arrays: each put in its place
                D = np.empty((self.arity, *g.shape))
                for j, d in enumerate(derivatives):
                    D[j] = d
            shares = (D[:, None, None] if D.ndim == 1 else D).transpose(1, 0, 2) * g[:, None, :]
            _scatter(np, G, self.idx, shares, self.unique)
        else:
            for col, unique, d in zip(self.cols, self.col_unique, derivatives):
                _scatter(np, G, col, g * d, unique)


class _Layer:
    """DOT nodes sharing their inputs, with parameters for weights: ``W @ X + b``."""

    def __init__(
        self, np: Any, rows: Any, weights: Any, inputs: Any, bias: Any, of_inputs: bool
    ) -> None:
        self.rows = rows
        self.w = weights  # (k, n) positions in the parameter vector
        self.x = inputs  # (n,) rows of the shared inputs
        self.w_unique = _unique(np, weights)
        self.x_unique = _unique(np, inputs)
        self.bias = bias  # None, or ("param" | "row", (k,) positions or rows)
        self.b_unique = bias is not None and _unique(np, bias[1])
        # A model's weights sit in the parameter vector as a regular grid (neuron after
        # neuron): then W is a view of P, and its gradient is added into a view of GP --
        # no gather or scatter of the whole matrix at every step.
        self.w_view = _grid(np, weights) if self.w_unique else None
        self.b_view = _grid(np, bias[1]) if bias and bias[0] == "param" and self.b_unique else None
        # Its inputs are the function's inputs: their gradient is only owed when asked for.
        self.of_inputs = of_inputs

    @staticmethod
    def shape(op: ops.Op, nodes: list[Value], position: dict[Value, int]) -> Any:
        """How the nodes form a layer -- (weights, inputs, bias) as nodes -- or None if not.

        A layer: DOT nodes whose weights are all parameters and whose inputs are the same
        nodes for every one of them (Σ w x = Σ x w: either half may be the weights)."""
        parents = nodes[0]._parents
        if op is not ops.DOT or len(parents) < 2:
            return None
        n = len(parents) // 2
        for w, x in ((slice(0, n), slice(n, 2 * n)), (slice(n, 2 * n), slice(0, n))):
            shared = parents[x]
            if all(
                all(p in position for p in node._parents[w]) and node._parents[x] == shared
                for node in nodes
            ):
                bias = [node._parents[-1] for node in nodes] if len(parents) % 2 else None
                return [node._parents[w] for node in nodes], shared, bias
        return None

    @classmethod
    def of(
        cls,
        np: Any,
        nodes: list[Value],
        shape: Any,
        row: dict[Value, int],
        position: dict[Value, int],
        inputs_of: set[Value],
    ) -> _Layer:
        weights, inputs, bias = shape
        W = np.array([[position[w] for w in ws] for ws in weights], dtype=np.intp)
        X = np.array([row[x] for x in inputs], dtype=np.intp)
        b = None
        if bias is not None:
            if all(p in position for p in bias):
                b = ("param", np.array([position[p] for p in bias], dtype=np.intp))
            else:
                b = ("row", np.array([row[p] for p in bias], dtype=np.intp))
        rows = np.array([row[n] for n in nodes], dtype=np.intp)
        return cls(np, rows, W, X, b, all(x in inputs_of for x in inputs))

    def gather(self, V: Any, P: Any) -> Any:
        b = None
        if self.bias is not None:
            kind, at = self.bias
            if kind == "row":
                b = V[at]
            else:
                b = (self.b_view(P) if self.b_view else P[at])[:, None]
        return (self.w_view(P) if self.w_view else P[self.w]), V[self.x], b

    def compute(self, V: Any, saved: Any) -> None:
        V[self.rows] = ops.dot_layer(*saved)

    def back(self, np: Any, V: Any, G: Any, GP: Any, saved: Any, inputs: bool = True) -> None:
        W, X, _ = saved
        g = G[self.rows]
        if inputs or not self.of_inputs:
            gW, gX = ops.dot_layer_derivative(W, X, g)
            _scatter(np, G, self.x, gX, self.x_unique)
        else:  # the inputs' gradient is not wanted: only the weights'
            gW = ops.dot_layer_derivative(W, X, g, inputs=False)[0]
        if self.w_view:
            self.w_view(GP)[...] += gW
        else:
            _scatter(np, GP, self.w, gW, self.w_unique)
        if self.bias is not None:
            kind, at = self.bias
            if kind == "row":
                _scatter(np, G, at, g, self.b_unique)
            elif self.b_view:
                self.b_view(GP)[...] += g.sum(axis=1)
            else:
                _scatter(np, GP, at, g.sum(axis=1), self.b_unique)


def _grouped(operations: list[Value]) -> list[tuple[ops.Op, list[Value]]]:
    """The operations grouped by depth (longest path from a leaf), op and arity, in depth
    order: every group's inputs are computed by earlier groups."""
    depth: dict[Value, int] = {}
    grouped: dict[tuple[int, int, int], tuple[ops.Op, list[Value]]] = {}
    keys: dict[Any, int] = {}
    for node in operations:
        op = node._operation
        assert op is not None
        d = 1 + max((depth.get(p, 0) for p in node._parents), default=0)
        depth[node] = d
        key = (d, keys.setdefault(_group_key(op), len(keys)), len(node._parents))
        grouped.setdefault(key, (op, []))[1].append(node)
    return [grouped[k] for k in sorted(grouped)]


class VectorProgram:
    """One trace, compiled for batches: ``run(X, P, ...)`` with X of shape (inputs, batch).

    Every node but the parameters is a row of the batch's ``(rows, batch)`` arrays of values
    and gradients. A parameter is read from ``P`` where it is used -- by a layer, as its
    weights and biases -- and only a parameter that an other kind of group takes as an input
    gets a row (filled from ``P``): a network's thousands of weights cost no batch-wide rows.
    """

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
        position = {p: j for j, p in enumerate(trace.params)}
        forward = _grouped(trace.operations)
        # Backward goes through what the first output depends on (usually everything).
        reached = [v for v in trace.backward if v._operation is not None]
        backward = forward if len(reached) == len(trace.operations) else _grouped(reached)
        every = forward if backward is forward else forward + backward
        shapes = {id(nodes): _Layer.shape(op, nodes, position) for op, nodes in every}
        # The parameters that need a row: the inputs of a group that is not a layer, a
        # layer's shared inputs, the biases of a layer whose biases are not all parameters,
        # and outputs. A layer reads its weights (and parameter biases) from P.
        needed: set[Value] = set(trace.outputs)
        for _op, nodes in every:
            shape = shapes[id(nodes)]
            if shape is None:
                needed.update(p for n in nodes for p in n._parents)
            else:
                needed.update(shape[1])
                if shape[2] is not None and not all(p in position for p in shape[2]):
                    needed.update(shape[2])
        row: dict[Value, int] = {}
        for node in trace.order:
            if node not in position or node in needed:
                row[node] = len(row)
        self.size = len(row)
        self.input_rows = np.array([row[v] for v in trace.inputs], dtype=np.intp)
        kept = [p for p in trace.params if p in row]
        self.param_rows = np.array([row[p] for p in kept], dtype=np.intp)
        self.param_at = np.array([position[p] for p in kept], dtype=np.intp)
        self.const_rows = np.array([row[v] for v in trace.constants], dtype=np.intp)
        self.consts = np.array(trace.constant_values, dtype=float)
        self.output_rows = np.array([row[v] for v in trace.outputs], dtype=np.intp)

        inputs = set(trace.inputs)

        def steps(groups: list[tuple[ops.Op, list[Value]]]) -> list[Any]:
            out: list[Any] = []
            for op, nodes in groups:
                shape = shapes[id(nodes)]
                if shape is None:
                    out.append(_Group(np, op, nodes, row))
                else:
                    out.append(_Layer.of(np, nodes, shape, row, position, inputs))
            return out

        self.steps = steps(forward)
        self.back_steps = self.steps if backward is forward else steps(backward)
        #: Examples run, and the batches they came in (what ``explain()`` reports).
        self.replayed = (0, 0)

    @property
    def layers(self) -> int:
        """How many groups run as matrix products."""
        return sum(isinstance(s, _Layer) for s in self.steps)

    @property
    def groups(self) -> int:
        """How many groups of alike nodes the forward pass runs."""
        return len(self.steps)

    def run(
        self, X: Any, P: Any, seed: Any = None, input_gradients: bool = True
    ) -> tuple[Any, Any, Any]:
        """Forward (and, with ``seed``, backward) on a batch.

        ``X``: (inputs, batch) array; ``P``: the parameters' numbers; ``seed``: the gradient of
        the first output per example (a number or a (batch,) array), or None for forward only.
        Returns (outputs (outputs, batch), parameter gradients summed over the batch, input
        gradients (inputs, batch)); the gradients are None without ``seed``. Raises
        :class:`Unsound` on any error and on any NaN or infinity, forward or backward:
        whether the eager engine raises there (``x ** 3`` overflowing) or carries on
        (``exp`` giving inf) is for the Python replay to tell. ``input_gradients=False``:
        the inputs' gradients are not wanted (data), so a layer on the inputs skips its
        ``W.T @ g``, and what comes back for them is not to be read.
        """
        np = self.np
        P = np.asarray(P, dtype=float)
        batch = X.shape[1]
        V = np.empty((self.size, batch))
        V[self.input_rows] = X
        V[self.param_rows] = P[self.param_at][:, None]
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
                    self._count(batch)
                    return outputs, None, None
                if self.back_steps is not self.steps:
                    saved = [step.gather(V, P) for step in self.back_steps]
                G = np.zeros_like(V)
                GP = np.zeros(len(P))
                G[self.output_rows[0]] = seed
                for step, state in zip(reversed(self.back_steps), reversed(saved)):
                    step.back(np, V, G, GP, state, input_gradients)
                if len(self.param_rows):  # a parameter's row: its batch's shares, summed
                    GP[self.param_at] += G[self.param_rows].sum(axis=1)
                if not (np.isfinite(G.sum()) and np.isfinite(GP.sum())):
                    raise Unsound("a NaN or infinity in the backward pass")
            except Unsound:
                raise
            except (ValueError, ArithmeticError) as e:  # a domain error: eager's, in Python
                raise Unsound(str(e)) from e
            except Exception as e:  # a rule that does not take arrays
                raise Unsound(f"{type(e).__name__}: {e}", lasting=True) from e
        self._count(batch)
        return outputs, GP, G[self.input_rows]

    def _count(self, batch: int) -> None:
        examples, batches = self.replayed
        self.replayed = (examples + batch, batches + 1)
