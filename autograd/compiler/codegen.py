"""The Python backend of ``autograd.compile``: a trace turned into straight-line Python.

One local variable per node, the forward pass in the trace's order and the backward pass in
exactly the eager engine's order -- the same operations on the same floats, so the results
are bit for bit those of ``fn(*args).backward()``.

No math is written here. Each operation's forward and local derivative are the rules of
:mod:`autograd.ops`; where a rule is plain arithmetic, it is *transcribed* by running the rule
itself on symbolic operands (:class:`Sym`), which record the arithmetic as source text; where
it is not (a branch, a ``math`` function), the generated code calls the rule. (The
transcription lives in :mod:`autograd.transcribe`: the eager engine's chain functions are
made the same way.)
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from collections.abc import Callable
from typing import Any

from ..messages import arity_error
from ..mode import backward_anomaly, forward_anomaly
from ..transcribe import Sym, _ours, _text, _transcribe
from ..value import Value, to_float
from .tape import Tape
from .trace import Trace

__all__ = ["PythonProgram", "Sym", "GENERATE_UP_TO"]


_BUILTINS = frozenset(dir(builtins))
#: The generated functions' parameters: ``run(X, P)``, ``grad(X, P, seed, GP)``.
_SIGNATURE = ("X", "P", "seed", "GP")
#: The names the generator makes itself: n<k> (a node), g<k> and g_<label> (gradients), d<k>
#: (a rule's result), op_*/rule_* (rules called at run time).
_GENERATED = re.compile(r"[ngd]\d*|g_.*|op_.*|rule_.*")


def _usable(label: str, taken: frozenset[str]) -> bool:
    """Whether a label can be a variable of the generated code as it is: a plain name that
    shadows none of the names the code itself uses (``taken``, the generated families)."""
    return (
        label.isascii()  # Python folds some non-ASCII names into one (µ and μ): keep clear
        and label.isidentifier()
        and not keyword.iskeyword(label)
        and not label.startswith("_")
        and not _GENERATED.fullmatch(label)
        and label not in taken
        and label not in _BUILTINS
    )


#: The most operands (nodes' inputs and outputs) a trace may have to be written out as code.
#: Compiling generated Python costs ~3 KB per operand for a moment (a 200k-node chain: 2 GB);
#: past this, the trace is replayed by :class:`~autograd.compiler.tape.Tape` (same numbers, a few
#: hundred bytes per node, ~3x slower). The limit keeps that moment under ~30 MB.
GENERATE_UP_TO = 10_000


class PythonProgram:
    """The compiled code of one trace: ``program(False)`` is ``run`` (forward),
    ``program(True)`` is ``grad`` (forward and backward).

    ``run(xs, ps)`` takes the inputs' and parameters' numbers and returns the outputs;
    ``grad(xs, ps, seed, gp)`` returns ``(outputs, parameter gradients, input gradients)`` for
    ``seed`` times the first output, the parameters' gradients added to ``gp`` (one start
    value per parameter) in the eager engine's order.
    """

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        order = trace.order
        self.index = {node: i for i, node in enumerate(order)}
        self.namespace: dict[str, Any] = {
            "INF": math.inf,
            "NAN": math.nan,
            "isfinite": math.isfinite,
            "_forward_anomaly": self._forward_anomaly,
            "_backward_anomaly": self._backward_anomaly,
            "_arity": self._arity,
            "to_float": to_float,
        }
        self._functions: dict[int, str] = {}
        self._built: dict[tuple[bool, bool], Any] = {}  # generated when first needed
        self.lines = 0
        # Operands the code would name: a trace past GENERATE_UP_TO is replayed as a tape.
        self.size = len(trace.operations) + trace.edges
        self.tape: Tape | None = None
        if self.size > GENERATE_UP_TO:
            self.tape = Tape(trace, _ours, self)
            return
        # Variables are called by the node's label where it is a fine name (w, b, x0), so the
        # code reads like the maths; otherwise n<k> for the node, g<k> for its gradient.
        counts: dict[str, int] = {}
        for node in order:
            counts[node.label] = counts.get(node.label, 0) + 1
        # A label may not shadow what the code reads: its parameters and the helpers above.
        taken = frozenset((*_SIGNATURE, *self.namespace))
        self._labelled = {
            node.label for node in order if counts[node.label] == 1 and _usable(node.label, taken)
        }
        self._names = {
            node: node.label if node.label in self._labelled else f"n{i}"
            for i, node in enumerate(order)
        }
        for c, number in zip(trace.constants, trace.constant_values):
            self._names[c] = _text(number)  # a constant is written as its number

    def program(self, backward: bool, checked: bool = False) -> Any:
        """``run`` (forward only) or ``grad``; with ``checked``, with the checks of
        ``detect_anomaly()`` written in."""
        key = (backward, checked)
        function = self._built.get(key)
        if function is None:
            if self.tape is not None:
                function = self.tape.program(backward, checked)
            else:
                function = self._build(backward, checked)
            self._built[key] = function
        return function

    # -- the run-time helpers the generated code calls --------------------------------

    def _forward_anomaly(self, k: int, value: float, inputs: tuple[float, ...]) -> None:
        node = self.trace.order[k]
        assert node._operation is not None
        raise forward_anomaly(node._operation.name, value, inputs, self.trace.sites.get(node, "?"))

    def _backward_anomaly(self, k: int, which: int, value: float, data: float) -> None:
        node = self.trace.order[k]
        assert node._operation is not None
        site = self.trace.sites.get(node, "?")
        raise backward_anomaly(node._operation.name, site, value, which, data)

    def _arity(self, k: int, derivatives: Any) -> None:
        raise arity_error(self.trace.order[k], derivatives)

    def _function(self, kind: str, op: Any, fn: Callable[..., Any]) -> str:
        """The name the generated code calls a rule by: ``op_sigmoid``, ``rule_log``, ..."""
        key = id(fn)
        if key not in self._functions:
            base = f"{kind}_{re.sub(r'[^0-9a-zA-Z]', '_', op.name)}"
            taken = set(self._functions.values())
            name, n = base, 2
            while name in taken:  # two ops of one name (pow of 2, pow of 3): number them
                name, n = f"{base}_{n}", n + 1
            self._functions[key] = name
            self.namespace[name] = fn
        return self._functions[key]

    # -- code generation ------------------------------------------------------------------

    def _grad(self, node: Value) -> str:
        name = self._names[node]
        return f"g_{name}" if name in self._labelled else f"g{self.index[node]}"

    def _build(self, backward: bool, checked: bool) -> Any:
        trace = self.trace
        xs = [self._names[v] for v in trace.inputs]
        ps = [self._names[v] for v in trace.params]
        body: list[str] = []
        if xs:
            body.append(f"    {', '.join(xs)}, = X")
        if ps:
            body.append(f"    {', '.join(ps)}, = P")
        for node in trace.operations:
            k = self.index[node]
            args = [self._names[p] for p in node._parents]
            op = node._operation
            assert op is not None
            expr = _transcribe(op.forward, [Sym(a) for a in args]) if _ours(op) else None
            if not isinstance(expr, str):
                function = self._function("op", op, op.forward)
                expr = f"{function}({', '.join(args)})"
                if not _ours(op):
                    expr = f"to_float({expr})"  # a rule of yours: checked as apply() checks it
            out = self._names[node]
            body.append(f"    {out} = {expr}")
            if checked:
                inputs = "".join(f"{a}, " for a in args)
                body.append(f"    if not isfinite({out}): _forward_anomaly({k}, {out}, ({inputs}))")
        outs = ", ".join(self._names[v] for v in trace.outputs)
        if not backward:
            body.append(f"    return ({outs},)")
            return self._compile("run", body, "X, P")
        body += self._backward_lines(checked)
        gp = ", ".join(self._grad(v) for v in trace.params)
        gx = ", ".join(self._grad(v) for v in trace.inputs)
        body.append(f"    return ({outs},), ({gp}{',' if gp else ''}), ({gx}{',' if gx else ''})")
        return self._compile("grad", body, "X, P, seed, GP")

    def _backward_lines(self, checked: bool) -> list[str]:
        trace = self.trace
        root = trace.outputs[0]
        constants = set(trace.constants)
        wanted = dict.fromkeys([*trace.inputs, *trace.params, *trace.backward])
        # The parameters' gradients start from GP: a batch carries them from one example to
        # the next, so they add up in the eager engine's order.
        params = set(trace.params)
        body = []
        if trace.params:
            body.append(f"    {''.join(f'{self._grad(v)}, ' for v in trace.params)}= GP")
        body += [
            f"    {self._grad(v)} = 0.0"
            for v in wanted
            if v is not root and v not in constants and v not in params
        ]
        if root in params:
            body.append(f"    {self._grad(root)} += seed")
        elif root not in constants:
            body.append(f"    {self._grad(root)} = seed")
        for node in reversed(trace.backward):  # the eager engine's order, node by node
            op = node._operation
            if op is None or node in constants:
                continue
            k = self.index[node]
            parents = node._parents
            args = [self._names[p] for p in parents]
            out, g = self._names[node], self._grad(node)
            exprs = (
                _transcribe(op.derivative, [Sym(a) for a in args] + [Sym(out)])
                if _ours(op)
                else None
            )
            if not (isinstance(exprs, list) and len(exprs) == len(parents)):
                d = f"d{k}"
                rule = self._function("rule", op, op.derivative)
                body.append(f"    {d} = {rule}({', '.join(args)}, {out})")
                body.append(f"    if len({d}) != {len(parents)}: _arity({k}, {d})")
                exprs = [f"{d}[{i}]" for i in range(len(parents))]
            for i, (parent, expr) in enumerate(zip(parents, exprs)):
                # Nobody reads a constant's gradient: it is only computed to be checked.
                target = None if parent in constants else self._grad(parent)
                if checked:
                    body.append(f"    _c = {g} * {expr}")
                    body.append(
                        f"    if not isfinite(_c): _backward_anomaly({k}, {parents.index(parent)}, "
                        f"_c, {args[i]})"
                    )
                    if target:
                        body.append(f"    {target} += _c")
                elif target:
                    body.append(f"    {target} += {g} * {expr}")
        return body

    def _compile(self, name: str, body: list[str], signature: str) -> Any:
        source = f"def {name}({signature}):\n" + "\n".join(body) + "\n"
        self.lines += len(body)
        code = compile(source, f"<compiled {name} of {self.trace.fn!r}>", "exec")
        exec(code, self.namespace)
        function = self.namespace.pop(name)
        function.source = source  # what was generated, for the curious (and the tests)
        return function
