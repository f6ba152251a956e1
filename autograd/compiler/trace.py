"""Tracing: run a function once on placeholder inputs and keep the graph it builds.

A trace is only worth replaying if the function would build the *same* graph for other
inputs. It would not if it decides something from data -- ``if v.data > 0:``, ``max(...)``
of Values, a comparison, ``bool(v)``, ``v.item()`` -- because the decision made for the traced
inputs would be baked in. So while a trace records, reading the data of any Value that can
change between calls (an input, anything computed from one, a parameter) outside the engine
itself stops the trace with a :class:`CompileError` that names the value and the line. (The
engine reads data to compute each node's value; that is what a replay recomputes.)

The reads are seen through a descriptor that replaces ``Value.data`` while some thread is
tracing, and that only looks when *its* thread is the one tracing; other threads see plain
data.
"""

from __future__ import annotations

import inspect
import linecache
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from ..backprop import _toposort
from ..mode import STATE, CompileError, enable_grad, user_site
from ..value import Constant, Value

__all__ = [
    "CompileError",
    "Trace",
    "trace",
    "structure",
    "flatten",
    "reader",
    "Reader",
    "argument_names",
]

# The engine: the autograd package, this compiler included. Its own reads of .data are its
# business; only reads from outside it are the traced function's.
ENGINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


# --- watching .data --------------------------------------------------------------------------

_SLOT = Value.__dict__["data"]  # the slot itself: where every Value keeps its number


class _WatchedData:
    """Stands in for ``Value.data`` while a trace runs; tells the trace about outside reads."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = _SLOT.__get__(obj, owner)
        tracer = STATE.tracer
        if tracer is not None:
            frame = sys._getframe(1)
            if not frame.f_code.co_filename.startswith(ENGINE_DIR):
                tracer.read(obj, "reads .data of", frame)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        _SLOT.__set__(obj, value)


_WATCH = _WatchedData()
_WATCH_LOCK = threading.Lock()
_watchers = 0


def _watch(on: bool) -> None:
    global _watchers
    with _WATCH_LOCK:
        _watchers += 1 if on else -1
        if on and _watchers == 1:
            type.__setattr__(Value, "data", _WATCH)
        elif not on and _watchers == 0:
            type.__setattr__(Value, "data", _SLOT)


# --- the recording -----------------------------------------------------------------------------


class _Tracer:
    """What a running trace remembers: the nodes it saw made, and where in user code."""

    def __init__(self, fn: Callable[..., Any], inputs: dict[Value, str]) -> None:
        self.fn = fn
        self.inputs = inputs
        self.made: dict[Value, None] = {}  # in the order they were made
        self.sites: dict[Value, str] = {}
        # The first refusal, kept: raised again after fn returns, should fn swallow it.
        self.refusal: CompileError | None = None
        # The first error an operation raised while tracing: if fn returns all the same, it
        # caught it, and the way it went on was chosen by the traced numbers.
        self.failure: CompileError | None = None

    def created(self, node: Value) -> None:
        """An operation made ``node`` (a leaf if it ran under ``no_grad()``)."""
        self.made[node] = None
        self.sites[node] = user_site(sys._getframe(2)) or "?"

    def read(self, value: Value, how: str, frame: FrameType | None = None) -> None:
        """``fn`` reads the number of ``value`` (``how``): refuse, saying where -- unless the
        number is a constant, the same at every call."""
        if value.__class__ is Constant:
            return
        self._refuse(
            f"{how} {self.describe(value)}",
            frame,
            "A compiled function replays the graph it traced once: a number read from a Value "
            "to branch on, compare or copy would be frozen into every replay. Write it with "
            "graph operations (relu, abs, clamp, softplus, logsumexp), or call the function "
            "without compiling it.",
        )

    def failed(self, op: Any, error: BaseException | None) -> None:
        """The operation ``op`` raised ``error`` while tracing: remember it, and where."""
        if self.failure is not None or isinstance(error, CompileError):
            return
        frame = sys._getframe(2)
        while frame.f_back is not None and frame.f_code.co_filename.startswith(ENGINE_DIR):
            frame = frame.f_back
        where = _describe_frame(frame)
        line_in_fn = self._line_in_fn(frame)
        self.failure = CompileError(
            f"{_name(self.fn)} went on after {op.name} raised {type(error).__name__} ({error}) "
            f"at {where}"
            + (f", reached from {line_in_fn}" if line_in_fn and line_in_fn != where else "")
            + ". A compiled function replays the graph it traced once: code that catches an "
            "error of the engine chose its way by the numbers of this call, and every replay "
            "would go that way too. Keep the error out with graph operations (clamp a log's "
            "input, add a small constant to a divisor), or call the function without "
            "compiling it."
        )

    def refuse(self, what: str) -> None:
        """``fn`` does ``what`` (backprop, say), which uses the traced numbers: refuse."""
        self._refuse(
            f"calls {what}",
            None,
            "Inside a compiled function it would run on the numbers of the trace, and its "
            "results would be frozen into every replay. Compile the forward computation and "
            "call backward() (or the compiled function's .backward()) outside it.",
        )

    def _refuse(self, what: str, frame: FrameType | None, why: str) -> None:
        frame = frame or sys._getframe(2)
        while frame.f_back is not None and frame.f_code.co_filename.startswith(ENGINE_DIR):
            frame = frame.f_back  # from the engine's own frames (item(), detach()) to the caller
        where = _describe_frame(frame)
        line_in_fn = self._line_in_fn(frame)
        error = CompileError(
            f"{_name(self.fn)} {what} at {where}"
            + (f", reached from {line_in_fn}" if line_in_fn and line_in_fn != where else "")
            + f". {why}"
        )
        if self.refusal is None:
            self.refusal = error
        raise error

    def describe(self, value: Value) -> str:
        if value in self.inputs:
            return f"the input {self.inputs[value]}"
        if value in self.made:
            op = value._operation.name if value._operation is not None else "no_grad"
            label = f" {value.label!r}" if value.label else ""
            return f"the {op} node{label} made at {self.sites.get(value, '?')}"
        label = f" {value.label!r}" if value.label else ""
        return f"the parameter{label} (data={_SLOT.__get__(value, Value)!r})"

    def _line_in_fn(self, frame: FrameType | None) -> str:
        code = getattr(self.fn, "__code__", None)
        while frame is not None:
            if frame.f_code is code:
                return _describe_frame(frame)
            frame = frame.f_back
        return ""


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _describe_frame(frame: FrameType) -> str:
    text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    place = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    return f"{place} ({text})" if text else place


def argument_names(fn: Callable[..., Any], n: int) -> list[str]:
    """What ``fn`` calls its first ``n`` arguments (``x0, x1, ...`` where it does not say).

    >>> argument_names(lambda x, y: x, 2), argument_names(print, 2)
    (['x', 'y'], ['x0', 'x1'])
    """
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [
        parameters[i].name if i < len(parameters) and parameters[i].kind in positional else f"x{i}"
        for i in range(n)
    ]


# --- argument structure --------------------------------------------------------------------------


def structure(arg: Any) -> Any:
    """The shape of an argument: ``"s"`` for a number or a Value, a tuple for a list.

    >>> structure([1.0, [2, 3]]), structure(4)
    (('s', ('s', 's')), 's')
    """
    if isinstance(arg, (list, tuple)):
        return tuple(structure(a) for a in arg)
    return "s"


def flatten(arg: Any, out: list[Any]) -> list[Any]:
    """The scalars of an argument, depth first (numbers and Values as they are)."""
    if isinstance(arg, (list, tuple)):
        for a in arg:
            flatten(a, out)
    else:
        out.append(arg)
    return out


#: Flattens a batch of argument tuples of one structure (see :func:`reader`).
Reader = Callable[[Sequence[Sequence[Any]]], "list[tuple[Any, ...]] | None"]


def reader(key: tuple[Any, ...]) -> Reader:
    """A function flattening many argument tuples of structure ``key`` at once: the scalars of
    each, or None if some row's lists have other lengths. (A list where a number belongs is
    for the conversion to floats to notice.)

    >>> read = reader(structure(([1.0, 2.0], 3.0)))
    >>> read([([1.0, 2.0], 3.0), ((4, 5), 6)])
    [(1.0, 2.0, 3.0), (4, 5, 6)]
    >>> read([([1.0], 3.0)]) is None
    True
    """
    checks: list[str] = []
    scalars: list[str] = []

    def walk(shape: Any, expr: str) -> None:
        if shape == "s":
            scalars.append(expr)  # a list here instead is caught converting it to a number
            return
        checks.append(f"not isinstance({expr}, SEQ) or len({expr}) != {len(shape)}")
        for i, s in enumerate(shape):
            walk(s, f"{expr}[{i}]")

    walk(tuple(key), "r")
    test = " or ".join(checks) or "False"
    source = (
        "def read(rows):\n"
        "    out = []\n"
        "    for r in rows:\n"
        f"        if {test}: return None\n"
        f"        out.append(({''.join(f'{e}, ' for e in scalars)}))\n"
        "    return out\n"
    )
    namespace: dict[str, Any] = {"SEQ": (list, tuple)}
    exec(source, namespace)  # our own text, from a structure of nested tuples of "s"
    return namespace["read"]


def _placeholders(arg: Any, path: str, leaves: list[Value], names: dict[Value, str]) -> Any:
    if isinstance(arg, (list, tuple)):
        return [_placeholders(a, f"{path}[{i}]", leaves, names) for i, a in enumerate(arg)]
    if isinstance(arg, Value):
        number = _SLOT.__get__(arg, Value)
    else:
        try:
            number = float(arg)
        except (TypeError, ValueError):
            raise CompileError(
                f"compiled functions take numbers, Values and lists of them; {path} is "
                f"{type(arg).__name__} {arg!r}"
            ) from None
    leaf = Value(number, label=path)
    leaves.append(leaf)
    names[leaf] = path
    return leaf


# --- the trace ---------------------------------------------------------------------------------


@dataclass
class Trace:
    """One function traced for one argument structure.

    ``outputs`` are what the function returned (the first is what backward follows);
    ``order`` is every node: the leaves, then the operations in the order ``fn`` made them;
    ``inputs`` the placeholders, in the order of the arguments' scalars; ``params`` the
    leaves that existed before the call (read afresh at every call); ``constants`` the other
    leaves; ``backward`` the nodes the first output depends on, in the eager engine's
    topological order.
    """

    fn: Callable[..., Any]
    outputs: tuple[Value, ...]
    order: list[Value]
    inputs: list[Value]
    params: list[Value]
    constants: list[Value]
    constant_values: list[float]
    backward: list[Value]
    sites: dict[Value, str] = field(default_factory=dict)
    single: bool = True

    @property
    def operations(self) -> list[Value]:
        return [v for v in self.order if v._operation is not None]

    @property
    def edges(self) -> int:
        return sum(len(v._parents) for v in self.order)


def trace(fn: Callable[..., Any], args: Sequence[Any]) -> Trace:
    """Run ``fn`` once on placeholders shaped like ``args`` and return its :class:`Trace`."""
    if STATE.tracer is not None:
        raise CompileError("a compiled function was called while tracing another one")
    leaves: list[Value] = []
    names: dict[Value, str] = {}
    placed = [
        _placeholders(a, name, leaves, names)
        for a, name in zip(args, argument_names(fn, len(args)))
    ]
    tracer = _Tracer(fn, names)
    STATE.tracer = tracer
    STATE.refresh()
    _watch(True)
    try:
        with enable_grad():  # the trace records even if the call comes under no_grad()
            result = fn(*placed)
    except BaseException as error:
        if tracer.refusal is not None and tracer.refusal is not error:
            raise tracer.refusal from error  # refused first, whatever happened after
        raise
    finally:
        STATE.tracer = None
        STATE.refresh()
        _watch(False)
    if tracer.refusal is not None:  # fn caught the refusal and carried on
        raise tracer.refusal
    if tracer.failure is not None:  # fn caught an operation's error and carried on
        raise tracer.failure
    single = isinstance(result, Value)
    outputs = (result,) if single else tuple(result) if isinstance(result, (tuple, list)) else ()
    if not outputs or not all(isinstance(v, Value) for v in outputs):
        raise CompileError(
            f"{_name(fn)} must return a Value (or a tuple of Values), got "
            f"{type(result).__name__} {result!r}"
        )
    # Forward: every operation fn made, in the order it made them (dead ones too: eager raises
    # their errors as well). Backward: the eager engine's order from the first output.
    operations = [node for node in tracer.made if node._operation is not None]
    backward = _toposort(outputs[0], reset=False)
    used: dict[Value, None] = {}
    for node in (*backward, *outputs, *(p for n in operations for p in n._parents)):
        used[node] = None
    params: list[Value] = []
    constants: list[Value] = []
    for node in used:
        if node in names or (node in tracer.made and node._operation is not None):
            continue
        if node._operation is not None:
            raise CompileError(
                f"{_name(fn)} uses a Value computed before the call ({node!r}): a compiled "
                "function replays only what it computes itself. Compute it inside the "
                "function, pass it in as an argument, or detach() it before the call to use "
                "its number as a parameter."
            )
        if node in tracer.made:
            raise CompileError(
                f"{_name(fn)} computes a value under no_grad() ({node!r}, made at "
                f"{tracer.sites.get(node, '?')}): its number would be baked in. Compute it "
                "with gradient recording on, or outside the compiled function."
            )
        if node.__class__ is Constant:
            constants.append(node)  # a number: written into the code as it is
        else:
            params.append(node)
    order = [*leaves, *params, *constants, *operations]
    numbers = [_SLOT.__get__(c, Value) for c in constants]  # as they were: never re-read
    return Trace(
        fn, outputs, order, leaves, params, constants, numbers, backward, tracer.sites, single
    )
