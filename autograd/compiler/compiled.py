"""``autograd.compile``: trace a function once, replay it fast -- one example or a whole batch.

A training step builds the same graph every time; only the numbers change. ``compile(fn)``
runs ``fn`` once on placeholders, keeps the graph (the *trace*), and from then on replays it:

* as generated Python, one line per node, the backward pass in the eager engine's order --
  **bit for bit** the numbers of ``fn(*args).backward()``, without building a graph;
* or, for a batch, with NumPy: every example at once, each group of alike nodes one vector
  operation (the ``fast`` extra), equal to the eager engine to ~1e-12 -- and on any error,
  NaN or infinity, replayed in Python for the eager engine's own numbers or error.

What becomes what: ``fn``'s arguments (numbers, Values, lists of them) are the **inputs**;
Values it uses but does not compute (a model's weights, also ones it creates with
``Value(...)``) are **parameters**, read afresh at every call, and their gradients go to their
``.grad``; plain numbers (``x * 2``, a global) are **constants**, as the trace saw them. A
trace is kept per argument structure (list lengths).

A trace is only valid if ``fn`` builds the same graph for every input. It is *refused* --
:class:`CompileError`, naming the value and the line -- when ``fn`` reads a number it
depends on while tracing: ``if v.data > 0:``, comparisons, ``max()`` of Values, ``bool(v)``,
``item()``, ``detach()``, formatting, ``str(v)`` and ``print(v)``, ``backward()`` or ``grad()``
inside, the ``step`` activation -- and when ``fn`` catches an error an operation raised (the
``log`` of a negative number) and goes on, since which way it went depends on the numbers.
gradstep's own losses and activations (all but ``step``) compile.

>>> import autograd
>>> from autograd import Value
>>> w = Value(0.5, label="w")
>>> def loss(x, y):
...     return ((w * x).tanh() - y) ** 2
>>> c = autograd.compile(loss)
>>> c(2.0, 1.0) == loss(2.0, 1.0).data          # bit for bit
True
>>> c.backward(2.0, 1.0) == loss(2.0, 1.0).data
True
>>> w.grad == autograd.grad(loss(2.0, 1.0), [w])[0]
True
>>> print(c.explain())
loss(x, y) traced once: 8 nodes -- 2 inputs, 1 parameter, 0 constants and 5 operations ...
"""

from __future__ import annotations

import math
import numbers
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import ops
from ..backprop import _PASS_LOCK
from ..gradients import backward, grad
from ..mode import STATE, forward_anomaly, user_site
from ..value import Value, _check_data, to_float
from .codegen import PythonProgram
from .trace import (
    _SLOT,
    CompileError,
    Reader,
    Trace,
    argument_names,
    flatten,
    reader,
    structure,
    trace,
)

__all__ = ["compile", "Compiled", "CompileError", "BACKENDS"]

#: Accepted values of ``backend=``.
BACKENDS = ("auto", "python", "numpy")

#: Below this many edges × examples a batch replays faster as Python than with NumPy (measured:
#: NumPy's fixed cost per group outweighs its speed on small work).
NUMPY_FROM = 2_000


@dataclass
class _Entry:
    trace: Trace
    python: PythonProgram
    read: Reader
    numpy: Any = None
    numpy_refusal: str | None = None
    edges: int = 0  # the trace's, counted once: it decides the backend for each batch
    # Examples replayed in Python (the NumPy program counts its own).
    calls: dict[str, int] = field(default_factory=lambda: {"python": 0})


class Compiled:
    """A function compiled by :func:`compile`; see its docstring for what it does.

    ``c(*args)`` gives the output (a float, or a tuple of floats if ``fn`` returns several
    Values); ``c.backward(*args)`` also adds the gradient of the first output to every
    parameter's ``.grad`` (and to Values passed as inputs), exactly as
    ``fn(*args).backward()``; ``c.backward_batch(batch)`` does it for the mean (or sum) over a
    batch of argument tuples. ``c.graph`` is the last traced graph; ``c.explain()`` says what
    was compiled.
    """

    def __init__(self, fn: Callable[..., Any], backend: str = "auto") -> None:
        if not callable(fn):
            raise TypeError(f"compile() takes a function, got {type(fn).__name__} {fn!r}")
        self.fn = fn
        self.backend = _checked_backend(backend)
        self._entries: dict[Any, _Entry] = {}
        # What c.graph should show: the trace, the numbers of an input, and the gradient the
        # backward pass seeded its output with (None: no backward). Written into the graph's
        # nodes only when someone looks: that costs more than a replay.
        self._shown: tuple[_Entry, list[float], float | None] | None = None
        self._written: tuple[_Entry, list[float], float | None] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        name = getattr(self.fn, "__name__", repr(self.fn))
        return f"<compiled {name}: {len(self._entries)} trace(s), backend={self.backend!r}>"

    # -- tracing ------------------------------------------------------------------------------

    @property
    def traces(self) -> int:
        """How many argument structures have been traced (each is kept)."""
        return len(self._entries)

    def _entry(self, args: Sequence[Any]) -> _Entry:
        if STATE.tracer is not None:
            raise CompileError(
                f"{getattr(self.fn, '__qualname__', self.fn)!r} (compiled) was called while "
                "tracing another function: its result would be a bare number, frozen into "
                "the outer trace. Call the plain function inside instead."
            )
        key = tuple(structure(a) for a in args)
        entry = self._entries.get(key)
        if entry is None:
            with self._lock:
                entry = self._entries.get(key)
                if entry is None:
                    traced = trace(self.fn, args)
                    entry = _Entry(traced, PythonProgram(traced), reader(key), edges=traced.edges)
                    self._entries[key] = entry
        return entry

    def _last(self) -> tuple[_Entry, list[float], float | None]:
        if self._shown is None:
            raise ValueError("nothing traced yet: call the compiled function first")
        return self._shown

    @property
    def trace(self) -> Trace:
        """The :class:`~autograd.compiler.trace.Trace` of the last call: its ``inputs``, ``params``,
        ``constants`` and every node in ``order``."""
        return self._last()[0].trace

    def code(self, backward: bool = True) -> str:
        """The Python the last trace became: the forward pass, and with ``backward`` the
        chain rule unrolled node by node (what the Python backend runs).

        >>> import autograd
        >>> from autograd import Value
        >>> w = Value(3.0, label="w")
        >>> c = autograd.compile(lambda x: w * x)
        >>> c(2.0)
        6.0
        >>> print(c.code())
        def grad(X, P, seed, GP):
            x, = X
            w, = P
            n2 = (w * x)
            g_w, = GP
            g_x = 0.0
            g2 = seed
            g_w += g2 * x
            g_x += g2 * w
            return (n2,), (g_w,), (g_x,)
        <BLANKLINE>
        """
        return str(self._last()[0].python.program(backward).source)

    @property
    def graph(self) -> Value:
        """The traced graph (its first output) of the last call, as a Value that ``viz.draw``,
        ``viz.tree`` and the stepper take.

        Its nodes hold the numbers of the last call's input, with the parameters as they are
        now, and after a backward each node's gradient -- what the eager graph would show.
        After a batch it is the first example's part of the eager graph of the batch's mean
        (gradients of J = mean of the losses). Parameters keep their real ``.grad``:
        accumulated, as always, until zeroed.
        """
        shown = self._last()
        if self._written is not shown:
            _write_numbers(*shown)
            self._written = shown
        return shown[0].trace.outputs[0]

    # -- one example ---------------------------------------------------------------------------

    def __call__(self, *args: Any) -> Any:
        entry = self._entry(args)
        xs = _floats(flatten(list(args), []))
        run = entry.python.program(False, STATE.anomaly)
        outs = run(xs, _parameters(entry))
        self._shown = (entry, xs, None)
        return outs[0] if entry.trace.single else outs

    def backward(self, *args: Any) -> Any:
        """The output(s), and d(first output)/d(param) added to each parameter's ``.grad``
        (and to Values passed as arguments), as ``fn(*args).backward()`` does. Under
        ``no_grad()`` no gradient is added: eagerly there would be no graph to follow."""
        entry = self._entry(args)
        scalars = flatten(list(args), [])
        xs = _floats(scalars)
        totals: dict[Value, float] = {}
        outs, gx = _one_backward(entry, xs, totals)
        if STATE.recording:
            self._shown = (entry, xs, 1.0)
            _add_gradients(totals, _input_gradients([tuple(scalars)], [gx]))
        else:
            self._shown = (entry, xs, None)
        return outs[0] if entry.trace.single else outs

    # -- a batch ----------------------------------------------------------------------------------

    def backward_batch(
        self,
        batch: Sequence[Sequence[Any]],
        reduction: str = "mean",
        *,
        plus: Compiled | None = None,
        backend: str | None = None,
        return_outputs: bool = False,
    ) -> Any:
        """``fn`` over a batch of argument tuples: returns the mean (or sum) of the first
        output and adds its gradient to the parameters' ``.grad``, as
        ``autograd.mean([fn(*a) for a in batch]).backward()`` does.

        ``plus``, a compiled function of no arguments (a regulariser such as
        ``autograd.compile(lambda: nn.l2(params, 1e-4))``), is added to the cost, as in
        ``(mean + plus_fn()).backward()``. On the Python backend the result is the eager
        engine's bit for bit (for a batch of one argument structure); on NumPy to ~1e-12.
        ``backend`` overrides the compiled function's; ``"auto"`` takes NumPy (when
        installed) for batches big enough to pay. With ``return_outputs=True`` it returns
        ``(cost, outputs)``, the outputs of every example (floats, or tuples of floats). If an
        example raises (a domain error; a NaN under ``detect_anomaly``), the error is the one
        the eager engine gives, and no gradient is added.

        >>> import autograd
        >>> from autograd import Value
        >>> w = Value(2.0)
        >>> c = autograd.compile(lambda x: (w * x - 1) ** 2)
        >>> c.backward_batch([(1.0,), (2.0,)])          # ((2-1)**2 + (4-1)**2) / 2
        5.0
        >>> w.grad                                       # (2*1*1 + 2*3*2) / 2
        7.0
        """
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        if plus is not None and not isinstance(plus, Compiled):
            raise TypeError(
                f"plus must be a compiled function of no arguments, got {type(plus).__name__}"
            )
        rows, parts = self._split(batch, "backward_batch")
        m = len(rows)
        seed = 1.0 / m if reduction == "mean" else 1.0
        try:
            extra, totals, outputs, firsts, inputs = self._parts(parts, m, seed, plus, backend)
        except _Ragged:  # a list where the first row has a number: sort the rows out first
            parts = self._by_structure(rows)
            extra, totals, outputs, firsts, inputs = self._parts(parts, m, seed, plus, backend)
        # The cost as the eager graph computes it -- a mean (or sum) node, then + plus -- with
        # the same forward rules, so inf and NaN come out where eager's do (and under
        # detect_anomaly, eager's error), before any .grad is touched.
        reduce = ops.MEAN if reduction == "mean" else ops.SUM
        cost = _reduced(reduce, firsts)
        if plus is not None:
            cost = _reduced(ops.ADD, [cost, extra])
        if STATE.recording:
            _add_gradients(totals, inputs)  # every example ran: only now touch .grad
        first_entry, _, first_flat = parts[0]
        self._shown = (first_entry, _floats(first_flat[0]), seed if STATE.recording else None)
        return (cost, outputs) if return_outputs else cost

    def forward_batch(self, batch: Sequence[Sequence[Any]], *, backend: str | None = None) -> Any:
        """``fn`` on every argument tuple of ``batch``, forward only: each example's output
        (a float, or a tuple of floats), the numbers of ``[fn(*a) for a in batch]``. With
        NumPy (``backend`` as for :meth:`backward_batch`) a big batch runs at once.

        >>> import autograd
        >>> c = autograd.compile(lambda x, y: x * y)
        >>> c.forward_batch([(1.0, 2.0), (3.0, 4.0)])
        [2.0, 12.0]
        """
        rows, parts = self._split(batch, "forward_batch")
        outputs: list[Any] = [None] * len(rows)
        try:
            done = [(ix, self._forward(entry, flat, backend)) for entry, ix, flat in parts]
        except _Ragged:
            parts = self._by_structure(rows)
            done = [(ix, self._forward(entry, flat, backend)) for entry, ix, flat in parts]
        for indices, outs in done:
            for i, out in zip(indices, outs):
                outputs[i] = out
        return outputs

    def _split(
        self, batch: Sequence[Sequence[Any]], name: str
    ) -> tuple[list[tuple[Any, ...]], list[tuple[_Entry, Any, Any]]]:
        """A batch as argument tuples, and its parts: one per argument structure (usually one)."""
        if isinstance(batch, (str, bytes)) or not hasattr(batch, "__len__") or not len(batch):
            raise ValueError(f"{name}() needs a non-empty list of argument tuples, got {batch!r}")
        rows = [tuple(a) if isinstance(a, (list, tuple)) else (a,) for a in batch]
        entry = self._entry(rows[0])
        flat = entry.read(rows)
        parts = [(entry, range(len(rows)), flat)] if flat is not None else self._by_structure(rows)
        return rows, parts

    def _forward(
        self, entry: _Entry, flat: list[tuple[Any, ...]], backend: str | None
    ) -> list[Any]:
        """One structure's examples, forward: their outputs."""
        single = entry.trace.single
        if self._choose(entry, len(flat), backend) == "numpy":
            from .vectorize import Unsound

            try:
                A, _ = self._matrix(entry, flat)
                outs, _, _ = entry.numpy.run(A.T, _parameters(entry))
                return outs[0].tolist() if single else list(zip(*outs.tolist()))
            except Unsound as why:
                if why.lasting:
                    entry.numpy, entry.numpy_refusal = None, str(why)
        run = entry.python.program(False, STATE.anomaly)
        ps = _parameters(entry)
        outs = [run(_floats(scalars), ps) for scalars in flat]
        entry.calls["python"] += len(flat)
        return [o[0] for o in outs] if single else outs

    def _matrix(self, entry: _Entry, flat: list[tuple[Any, ...]]) -> tuple[Any, bool]:
        """The batch's inputs as an (examples, inputs) array, and whether they were all plain
        numbers (no Value among them: no input gradient owed)."""
        np = entry.numpy.np
        try:
            A = np.array(flat)
            # Only numbers, one per input: no Value among the arguments, no stray list.
            plain = A.dtype.kind in "biuf" and A.shape == (len(flat), len(entry.trace.inputs))
        except (ValueError, TypeError):
            plain = False
        if not plain:  # Values, other number types, or a stray list: convert one by one
            A = np.array([_floats(r) for r in flat], dtype=float)
        return A.reshape(len(flat), len(entry.trace.inputs)), plain

    def _parts(
        self,
        parts: list[tuple[_Entry, Any, Any]],
        m: int,
        seed: float,
        plus: Compiled | None,
        backend: str | None,
    ) -> tuple[float, dict[Value, float], list[Any], list[float], list[tuple[Value, float]]]:
        # The parameters' gradients, added up in the eager engine's order: the extra term's
        # first (a sum's last operand is backpropagated first), then the examples'.
        totals: dict[Value, float] = {}
        extra = plus._into(totals) if plus is not None else 0.0
        firsts: list[float] = [0.0] * m
        outputs: list[Any] = [None] * m
        inputs: list[tuple[Value, float]] = []
        for entry, indices, flat in parts:
            outs, owed = self._batch(entry, flat, seed, backend, totals)
            inputs += owed
            for i, out in zip(indices, outs):
                outputs[i] = out
                firsts[i] = out if entry.trace.single else out[0]
        return extra, totals, outputs, firsts, inputs

    def _into(self, totals: dict[Value, float]) -> float:
        """A function of no arguments, run backward: its output, its gradients into
        ``totals`` (for ``plus=``)."""
        outs, _ = _one_backward(self._entry(()), [], totals)
        return outs[0]

    def _by_structure(self, rows: list[tuple[Any, ...]]) -> list[tuple[_Entry, Any, Any]]:
        """A batch of mixed argument structures, split into one part per structure."""
        by_structure: dict[Any, list[int]] = {}
        for i, args in enumerate(rows):
            by_structure.setdefault(tuple(structure(a) for a in args), []).append(i)
        parts = []
        for indices in by_structure.values():
            entry = self._entry(rows[indices[0]])
            parts.append((entry, indices, entry.read([rows[i] for i in indices])))
        return parts

    def _choose(self, entry: _Entry, batch: int, backend: str | None) -> str:
        wanted = _checked_backend(backend or self.backend)
        if wanted == "python":
            return "python"
        _build_numpy(entry)
        if wanted == "numpy":
            if entry.numpy is None:
                raise CompileError(f"backend='numpy' is not available: {entry.numpy_refusal}")
            return "numpy"
        big = entry.edges * batch >= NUMPY_FROM
        return "numpy" if entry.numpy is not None and big else "python"

    def _batch(
        self,
        entry: _Entry,
        flat: list[tuple[Any, ...]],
        seed: float,
        backend: str | None,
        totals: dict[Value, float],
    ) -> tuple[list[Any], list[tuple[Value, float]]]:
        """One structure's examples: their outputs; the parameters' gradients are added to
        ``totals``, the arguments' returned (nothing is added to ``.grad`` yet)."""
        if self._choose(entry, len(flat), backend) == "numpy":
            from .vectorize import Unsound

            try:
                return self._numpy(entry, flat, seed, totals)
            except Unsound as why:
                if why.lasting:  # a rule of yours that does not take arrays: stay in Python
                    entry.numpy, entry.numpy_refusal = None, str(why)
                # replayed in Python below: the eager engine's numbers, or its very error
        return self._python(entry, flat, seed, totals)

    def _numpy(
        self,
        entry: _Entry,
        flat: list[tuple[Any, ...]],
        seed: float,
        totals: dict[Value, float],
    ) -> tuple[list[Any], list[tuple[Value, float]]]:
        program = entry.numpy
        params = entry.trace.params
        A, plain = self._matrix(entry, flat)
        outs, gp, gx = program.run(A.T, _parameters(entry), seed)
        if totals:
            for p, g in zip(params, gp.tolist()):
                totals[p] = totals.get(p, 0.0) + g
        else:
            totals.update(zip(params, gp.tolist()))
        single = entry.trace.single
        per_example = outs[0].tolist() if single else list(zip(*outs.tolist()))
        return per_example, [] if plain else _input_gradients(flat, gx.T.tolist())

    def _python(
        self,
        entry: _Entry,
        flat: list[tuple[Any, ...]],
        seed: float,
        totals: dict[Value, float],
    ) -> tuple[list[Any], list[tuple[Value, float]]]:
        params = entry.trace.params
        ps = _parameters(entry)
        grad = entry.python.program(True, STATE.anomaly)
        numbers = [_floats(scalars) for scalars in flat]
        gp = [totals.get(p, 0.0) for p in params]
        outs: list[Any] = [None] * len(flat)
        gxs: list[Any] = [None] * len(flat)
        try:
            # Last example first, each adding to the running totals: the order in which the
            # eager engine's backward pass reaches them through the mean.
            for i in range(len(flat) - 1, -1, -1):
                outs[i], gp, gxs[i] = grad(numbers[i], ps, seed, gp)
        except Exception:
            # Eagerly every example runs forward before any runs backward: the first forward
            # error, if there is one, is the one eager raises; else this backward error.
            run = entry.python.program(False, STATE.anomaly)
            for xs in numbers:
                run(xs, ps)
            raise
        entry.calls["python"] += len(flat)
        totals.update(zip(params, gp))
        single = entry.trace.single
        return [o[0] if single else o for o in outs], _input_gradients(flat, gxs)

    # -- for callers that keep their own arrays ---------------------------------------------

    def vectorised(self, batch: Sequence[Sequence[Any]]) -> tuple[Any, Any] | None:
        """The NumPy program for ``batch``'s argument structure, and its arguments as one
        ``(examples, inputs)`` array -- for a caller that keeps a data set and the parameters
        in arrays and runs ``program.run(A[rows].T, P, seed)`` itself (``fit(compile=True)``
        does). ``P`` holds the parameters' numbers in the order of ``program.trace.params``;
        ``run`` returns the outputs, the parameters' gradients and the inputs', and raises
        :class:`autograd.compiler.vectorize.Unsound` for a batch that must be replayed in Python (an
        error, a NaN, an infinity). None when NumPy cannot replay it: NumPy missing, an
        operation with no array form, ``backend="python"``, a batch of mixed structures, or
        arguments that are not all plain numbers (Values are owed gradients).

        >>> import autograd
        >>> w = autograd.Value(2.0)
        >>> c = autograd.compile(lambda x: (w * x - 1) ** 2, backend="numpy")
        >>> program, A = c.vectorised([(1.0,), (2.0,)])
        >>> outs, gp, _ = program.run(A.T, [w.data], 0.5)    # the mean's seed: 1/2
        >>> outs[0].tolist(), gp.tolist()                     # as c.backward_batch
        ([1.0, 9.0], [7.0])
        """
        if self.backend == "python":
            return None
        _rows, parts = self._split(batch, "vectorised")
        entry = parts[0][0]
        if len(parts) > 1 or _build_numpy(entry) is None:
            return None
        try:
            A, plain = self._matrix(entry, parts[0][2])
        except _Ragged:
            return None
        return (entry.numpy, A) if plain else None

    def numpy_pays(self, args: Sequence[Any], batch: int) -> bool:
        """Whether a batch of ``batch`` examples shaped like ``args`` replays with NumPy (the
        backend chosen, or "auto" and a batch big enough to pay)."""
        return self._choose(self._entry(args), batch, None) == "numpy"

    # -- what was compiled ---------------------------------------------------------------------

    def explain(self) -> str:
        """What was compiled: per argument structure, the nodes, edges and backends."""
        if not self._entries:
            return f"{self!r}: nothing traced yet"
        name = getattr(self.fn, "__name__", repr(self.fn))
        lines = []
        for key, entry in self._entries.items():
            t = entry.trace
            ops = t.operations
            kinds: dict[str, int] = {}
            for node in ops:
                assert node._operation is not None
                kinds[node._operation.name] = kinds.get(node._operation.name, 0) + 1
            names = argument_names(self.fn, len(key))
            signature = ", ".join(f"{n}{_shape(s)}" for n, s in zip(names, key))
            lines.append(
                f"{name}({signature}) traced once: {len(t.order)} nodes -- "
                f"{_count(len(t.inputs), 'input')}, {_count(len(t.params), 'parameter')}, "
                f"{_count(len(t.constants), 'constant')} and {_count(len(ops), 'operation')} "
                f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); "
                f"{_count(t.edges, 'edge')}"
            )
            python = entry.python
            if python.tape is not None:
                lines.append(
                    f"  python: replayed as a tape ({python.size} operands: too many to write "
                    "out as code), the eager engine's arithmetic in its order (bit for bit)"
                )
            elif python.lines:
                lines.append(
                    f"  python: {python.lines} lines of generated code, the eager engine's "
                    "arithmetic in its order (bit for bit)"
                )
            if entry.numpy is not None:
                program = entry.numpy
                lines.append(
                    f"  numpy: {_count(program.groups, 'group')} of alike nodes "
                    f"({program.layers} as matrix products), one vector operation each over "
                    "a batch"
                )
            elif entry.numpy_refusal:
                lines.append(f"  numpy: not used -- {entry.numpy_refusal}")
            vector, batches = (0, 0) if entry.numpy is None else entry.numpy.replayed
            lines.append(
                f"  replayed: {_count(entry.calls['python'], 'example')} in Python, "
                f"{vector} with NumPy (in {_count(batches, 'batch', 'batches')})"
            )
        return "\n".join(lines)


def _shape(s: Any) -> str:
    """A structure key as brackets: ``x0[2]`` for a list of two numbers."""
    if s == "s":
        return ""
    inner = {_shape(e) for e in s}
    return f"[{len(s)}]" + (inner.pop() if len(inner) == 1 else "[...]")


def _write_numbers(entry: _Entry, xs: list[float], seed: float | None) -> None:
    """Recompute the trace's nodes for the input ``xs`` with the eager engine's own forward
    and chain rule, so the graph shows them: after a batch, the first example's part of the
    eager graph of the batch's mean (its output seeded with 1/m)."""
    trace = entry.trace
    for leaf, x in zip(trace.inputs, xs):
        leaf.data = x
    for node in trace.operations:
        assert node._operation is not None
        node.data = node._operation.forward(*[p.data for p in node._parents])
    keep = {*trace.params, *trace.constants}
    nodes = [v for v in trace.order if v not in keep]
    grads = grad(trace.outputs[0], nodes) if seed is not None else [0.0] * len(nodes)
    for v, g in zip(nodes, grads):
        v.grad = g * seed if seed is not None else g


def _build_numpy(entry: _Entry) -> Any:
    """The entry's NumPy program, built on first use; None (and why, kept) if it cannot be."""
    if entry.numpy is None and entry.numpy_refusal is None:
        try:
            from .vectorize import VectorProgram

            entry.numpy = VectorProgram(entry.trace)
        except ImportError:
            entry.numpy_refusal = 'NumPy is not installed (pip install "gradstep[fast]")'
        except CompileError as e:
            entry.numpy_refusal = str(e)
    return entry.numpy


def _reduced(op: ops.Op, values: list[float]) -> float:
    """``op``'s forward on ``values``, checked as the eager node would be under
    ``detect_anomaly()`` (the node is made where the compiled function was called)."""
    out = op.forward(*values)
    if STATE.anomaly and not math.isfinite(out):
        raise forward_anomaly(op.name, out, tuple(values), user_site(sys._getframe(2)) or "?")
    return out


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class _Ragged(Exception):
    """A list where the first row of a batch has a number: the batch mixes structures."""


def _float(v: Any) -> float:
    if isinstance(v, Value):
        return _SLOT.__get__(v, Value)
    if isinstance(v, numbers.Real):
        return to_float(v)  # as Value(v) would take it
    if isinstance(v, (list, tuple)):
        raise _Ragged
    raise TypeError(
        f"compiled functions take numbers, Values and lists of them; got {type(v).__name__} {v!r}"
    )


def _floats(scalars: Sequence[Any]) -> list[float]:
    return [v if v.__class__ is float else _float(v) for v in scalars]


def _checked_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(
            f"backend must be one of {', '.join(map(repr, BACKENDS))}; got {backend!r}"
        )
    return backend


def _one_backward(entry: _Entry, xs: list[float], totals: dict[Value, float]) -> tuple[Any, Any]:
    """One example forward and backward in Python, the parameters' gradients added to
    ``totals`` (in the eager order); returns the outputs and the inputs' gradients."""
    params = entry.trace.params
    grad = entry.python.program(True, STATE.anomaly)
    start = [totals.get(p, 0.0) for p in params]
    outs, gp, gx = grad(xs, _parameters(entry), 1.0, start)
    entry.calls["python"] += 1
    totals.update(zip(params, gp))
    return outs, gx


def _input_gradients(flat: list[tuple[Any, ...]], gxs: Any) -> list[tuple[Value, float]]:
    """The gradients owed to the Values passed as arguments (none when all are numbers)."""
    owed = []
    for scalars, gx in zip(flat, gxs):
        for v, g in zip(scalars, gx):
            if isinstance(v, Value):
                owed.append((v, g))
    return owed


def _add_gradients(params: dict[Value, float], inputs: list[tuple[Value, float]]) -> None:
    """Add the gradients to ``.grad``. A Value argument that was itself computed (``w * 2``)
    passes its gradient on through its own graph, as it would eagerly."""
    with _PASS_LOCK:
        for p, g in params.items():
            p.grad += g
        for v, g in inputs:
            if v._operation is None:
                v.grad += g
            else:
                backward(v, g)


def _parameters(entry: _Entry) -> list[float]:
    """The parameters' numbers now; a parameter whose ``.data`` is not a number is the
    TypeError an eager operation on it would raise."""
    ps = [p.data for p in entry.trace.params]
    if ps and set(map(type, ps)) != {float}:
        _check_data(tuple(entry.trace.params))
    return ps


def compile(fn: Callable[..., Any] | None = None, *, backend: str = "auto") -> Any:
    """Compile ``fn`` (see the module docstring); also a decorator, with or without arguments.

    ``backend``: ``"auto"`` (Python for one example, NumPy for big batches when installed),
    ``"python"`` or ``"numpy"``.

    >>> import autograd
    >>> @autograd.compile
    ... def square(x):
    ...     return x * x
    >>> square(3.0)
    9.0
    """
    if fn is None:
        return lambda f: Compiled(f, backend)
    return Compiled(fn, backend)
