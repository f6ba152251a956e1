"""Per-thread switches: whether operations are recorded, and whether anomalies are hunted.

Both are thread-local, so ``no_grad()`` in one thread never changes what another records.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

__all__ = [
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "is_tracing",
    "detect_anomaly",
    "AnomalyError",
    "CompileError",
    "refuse_while_tracing",
    "register_library_code",
]

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    # ``threading.local`` runs __init__ once in every thread that touches it, so each thread
    # starts recording, with anomaly detection off and no trace running.
    def __init__(self) -> None:
        self.recording = True
        self.anomaly = False
        self.tracer: Any = None  # the trace being recorded by autograd.compile, if any
        self.watch = False  # anomaly or tracer: one flag for the hot path to test

    def refresh(self) -> None:
        self.watch = self.anomaly or self.tracer is not None


STATE = _State()


class _GradMode:
    """Base of ``no_grad``/``enable_grad``: a context manager that is also a decorator."""

    _enabled: bool

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        if func is None:
            return self
        if not callable(func):
            raise TypeError(
                f"{cls.__name__}() takes no argument (use it as `with {cls.__name__}():`) "
                f"or decorates a function; got {type(func).__name__} {func!r}"
            )
        return self(func)  # used bare, as ``@no_grad``

    def __enter__(self) -> None:
        # The previous state is kept per thread on a stack, so one instance may be entered
        # by several threads (as a decorator is) without them overwriting each other.
        stack = STATE.__dict__.setdefault("saved", [])
        stack.append(STATE.recording)
        STATE.recording = self._enabled

    def __exit__(self, *exc: object) -> None:
        STATE.recording = STATE.saved.pop()

    def __call__(self, func: F) -> F:
        mode = type(self)
        if inspect.isgeneratorfunction(func):
            return _generator_in_mode(func, mode)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _generator_in_mode(func: Callable[..., Any], mode: type[_GradMode]) -> Callable[..., Any]:
    """Wrap a generator function so that *its* code runs in ``mode``, one step at a time.

    Between two ``next()`` calls the caller runs in its own mode; an abandoned generator
    leaves nothing switched (as PyTorch does for ``@torch.no_grad`` generators).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        generator = func(*args, **kwargs)
        try:
            with mode():
                request = generator.send(None)
            while True:
                try:
                    response = yield request
                except GeneratorExit:
                    with mode():
                        generator.close()
                    raise
                except BaseException as error:  # thrown in by the caller: pass it on
                    with mode():
                        request = generator.throw(error)
                else:
                    with mode():
                        request = generator.send(response)
        except StopIteration as stop:
            return stop.value

    return wrapper


class no_grad(_GradMode):
    """Operations inside record no parents: results are constants (leaves) for backprop.

    Use it for evaluation and for updating parameters. It is thread-local, nests, and works
    as a context manager or as a decorator (``@no_grad`` or ``@no_grad()``).

    >>> from autograd import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.parents
    ()
    """

    _enabled = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad()`` block (context manager or decorator).

    >>> from autograd import Value, no_grad, enable_grad
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = Value(2.0) * 3
    >>> len(y.parents)
    2
    """

    _enabled = True


def is_tracing() -> bool:
    """Whether ``autograd.compile`` is tracing a function in this thread right now.

    Code that reads the data of Values -- a check, a branch -- can ask, to do it as graph
    operations instead while a trace records (``nn``'s losses do).

    >>> is_tracing()
    False
    """
    return STATE.tracer is not None


def is_grad_enabled() -> bool:
    """Whether operations in this thread are being recorded right now.

    >>> is_grad_enabled()
    True
    """
    return STATE.recording


class CompileError(Exception):
    """``autograd.compile`` cannot replay this function soundly; the message says why and
    where.

    >>> issubclass(CompileError, Exception)
    True
    """


def refuse_while_tracing(what: str) -> None:
    """Raise :class:`CompileError` if a trace is recording in this thread: ``what`` (say,
    "backward()") would use the traced numbers in a way a replay cannot repeat."""
    tracer = STATE.tracer
    if tracer is not None:
        tracer.refuse(what)


class AnomalyError(FloatingPointError):
    """Raised inside ``detect_anomaly()`` by the first operation producing NaN or infinity.

    >>> issubclass(AnomalyError, FloatingPointError)   # so ``except FloatingPointError`` works
    True
    """


# Where each node was created, kept only while anomaly detection is on. Weak keys: the
# registry never keeps a graph alive.
_SITES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
# Folders of library code that builds graphs for the user (autograd itself; nn and viz add
# theirs with register_library_code). A node's site is the first frame outside all of them.
_LIBRARY_DIRS = {os.path.dirname(os.path.abspath(__file__))}


def register_library_code(package_file: str) -> None:
    """Mark a package as library code: anomaly reports point past it, to the user's line.

    >>> import nn  # nn and viz register themselves; your own model library can do the same
    """
    _LIBRARY_DIRS.add(os.path.dirname(os.path.abspath(package_file)))


def in_library(frame: FrameType) -> bool:
    """Whether ``frame`` runs library code (autograd, nn, viz, or a registered package)."""
    return os.path.dirname(os.path.abspath(frame.f_code.co_filename)) in _LIBRARY_DIRS


def user_site(frame: FrameType | None) -> str | None:
    """The file:line of the first frame from ``frame`` outward that is outside library code."""
    while frame is not None and in_library(frame):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame is not None else None


def record_site(node: Any) -> None:
    """Remember the user's file:line that made ``node``: the first frame outside library code."""
    site = user_site(sys._getframe(1))
    if site is not None:
        _SITES[node] = site


def forward_anomaly(op: str, value: float, inputs: tuple[Any, ...], site: str) -> AnomalyError:
    """The error of an operation that produced NaN or inf (eager and compiled alike)."""
    return AnomalyError(f"{op} produced {value!r} from inputs {inputs!r} (created at {site})")


def backward_anomaly(op: str, site: str, value: float, which: int, data: float) -> AnomalyError:
    """The error of a backward step that sent a NaN or inf to input #``which``."""
    return AnomalyError(
        f"backward of {op} (created at {site}) sent a gradient of {value!r} to its input "
        f"#{which} (data={data!r})"
    )


def site_of(node: Any) -> str:
    """The file:line recorded for ``node``, or a note that it was made outside the detector."""
    return _SITES.get(node, "<created outside detect_anomaly()>")


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise :class:`AnomalyError` at the first operation whose output or gradient is NaN/inf.

    The error names the operation and the file:line in your code where its node was created.
    Nodes are only traced while the detector is on, so build *and* backprop inside it.

    >>> from autograd import Value, detect_anomaly
    >>> with detect_anomaly():
    ...     y = Value(1000.0).exp()
    Traceback (most recent call last):
    ...
    autograd.AnomalyError: exp produced inf ...
    """
    previous = STATE.anomaly
    STATE.anomaly = True
    STATE.refresh()
    try:
        yield
    finally:
        STATE.anomaly = previous
        STATE.refresh()
