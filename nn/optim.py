"""Optimizers: turn the gradients in ``p.grad`` into updates of ``p.data``.

An optimizer holds a list of parameters (leaf :class:`~autograd.Value` objects) and, after
``loss.backward()`` has filled their ``grad``, moves each ``data`` a little downhill. It works
on plain floats only: a step never builds graph nodes and never touches anything but
``p.data`` (and ``zero_grad()`` touches only ``p.grad``). The training loop::

    opt = SGD(params, lr=0.1)
    for _ in range(steps):
        opt.zero_grad()          # gradients accumulate, so clear them first
        loss = ...               # forward pass builds the graph
        loss.backward()          # fills p.grad
        opt.step()               # p.data -= ... ; no new graph nodes

>>> from autograd import Value
>>> w = Value(0.0, label="w")
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(60):
...     opt.zero_grad()
...     loss = (w - 3) ** 2
...     loss.backward()
...     opt.step()
>>> round(w.data, 4)
3.0

Gradients accumulate: ``backward()`` adds to ``.grad``. A ``step()`` called again without
``zero_grad()`` (the optimizer's or the model's) since the last one would move by the sum of
this batch's gradient and every earlier one, so it warns once with
:class:`GradientsNotZeroedWarning`. Accumulating on purpose (several backward passes, one
step) is ``accumulate=True``:

>>> import warnings
>>> w = Value(0.0)
>>> opt = SGD([w], lr=0.1)
>>> with warnings.catch_warnings(record=True) as said:
...     warnings.simplefilter("always")
...     for _ in range(2):
...         ((w - 3) ** 2).backward()   # no zero_grad(): the second grad adds to the first
...         opt.step()
>>> said[0].category.__name__
'GradientsNotZeroedWarning'
>>> SGD([w], lr=0.1, accumulate=True).accumulate
True

``step()`` refuses to apply a NaN or infinite gradient: it raises ``ValueError`` naming the
parameter, before changing any of them. ``lr`` (and every other hyperparameter) is an
attribute you may change between steps, e.g. for a learning-rate schedule; it is checked
again on every assignment. ``state_dict()`` / ``load_state_dict()`` save and restore the
optimizer's own state (hyperparameters, step count, per-parameter buffers) as a JSON-able
dict; save the parameters' ``data`` separately.
"""

from __future__ import annotations

import math
import numbers
import warnings
from abc import ABC
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from autograd import Value
from autograd.messages import brief, describe

from .diagnoses import TrainingWarning
from .module import Module

__all__ = ["Optimizer", "SGD", "Adam", "GradientsNotZeroedWarning"]


class GradientsNotZeroedWarning(TrainingWarning):
    """An optimizer's ``step()`` ran again with no ``zero_grad()`` since its last step: the
    old gradients are still in ``.grad`` and this step adds to them. Said once per optimizer;
    ``accumulate=True`` means it is on purpose."""


#: From this many parameters a step runs on NumPy arrays, when NumPy is installed.
_ARRAYS_FROM = 32


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _sqrt(x: Any) -> Any:
    """√x of a float, or elementwise of a NumPy array (both correctly rounded: the same bits)."""
    if isinstance(x, float):
        return math.sqrt(x)
    import numpy as np

    return np.sqrt(x)


# --- argument checking ---------------------------------------------------------------------


def _real(name: str, value: Any) -> float:
    """``value`` as a float if it is a real number (not a bool); a TypeError otherwise.

    An int (or Fraction) beyond the float range becomes an infinity, which every check
    below refuses as not finite (``float(10**400)`` would raise OverflowError).
    """
    is_bool = isinstance(value, bool) or type(value).__name__ == "bool_"
    if is_bool or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (int or float), got {describe(value)}")
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]  # typeshed: Real vs int


def _positive(name: str, value: Any) -> float:
    x = _real(name, value)
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {brief(value)}")
    return x


def _non_negative(name: str, value: Any) -> float:
    x = _real(name, value)
    if not (math.isfinite(x) and x >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {brief(value)}")
    return x


def _unit_interval(name: str, value: Any) -> float:
    x = _real(name, value)
    if not 0 <= x < 1:  # NaN fails this too
        raise ValueError(f"{name} must be in [0, 1), got {brief(value)}")
    return x


def _betas(name: str, value: Any) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (beta1, beta2), got {describe(value)}")
    return (_unit_interval(f"{name}[0]", value[0]), _unit_interval(f"{name}[1]", value[1]))


class _Hyper:
    """A hyperparameter attribute, checked on every assignment (in ``__init__`` and later)."""

    def __init__(self, check: Any) -> None:
        self.check = check

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = "_" + name

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        return getattr(obj, self.slot)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj, self.slot, self.check(self.name, value))


def _collect(params: Iterable[Value]) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError("params must be an iterable of Values, got a single Value; use [value]")
    try:
        items = list(params)
    except TypeError:
        raise TypeError(f"params must be an iterable of Values, got {describe(params)}") from None
    if not items:
        raise ValueError("params is empty: an optimizer needs at least one Value to update")
    first_seen: dict[int, int] = {}
    for i, p in enumerate(items):
        if not isinstance(p, Value):
            raise TypeError(f"params[{i}] must be an autograd.Value, got {describe(p)}")
        j = first_seen.setdefault(id(p), i)
        if j != i:
            raise ValueError(
                f"params[{i}] is the same Value as params[{j}] ({p!r}); "
                "each parameter may appear only once"
            )
    return items


# --- the optimizers --------------------------------------------------------------------------


class Optimizer(ABC):
    """Base class: owns ``params`` (a list of Values), ``lr``, a step count and buffers.

    Subclasses list their hyperparameters in ``hyperparameters`` (each a :class:`_Hyper`
    attribute) and the names of their per-parameter float buffers in ``buffers``; the base
    class then provides ``zero_grad()``, ``state_dict()`` and ``load_state_dict()``.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> w.grad = 5.0
    >>> opt = SGD([w], lr=0.5)
    >>> opt.zero_grad()
    >>> w.grad
    0.0
    """

    hyperparameters: ClassVar[tuple[str, ...]] = ("lr",)
    buffers: ClassVar[tuple[str, ...]] = ()
    #: Buffers that can never be negative (Adam's running mean of squared gradients).
    non_negative_buffers: ClassVar[tuple[str, ...]] = ()

    lr = _Hyper(_positive)

    params: list[Value]
    steps: int
    state: dict[str, list[float]]

    def __init__(self, params: Iterable[Value], lr: float, accumulate: bool = False) -> None:
        self.params = _collect(params)
        self.lr = lr
        if not isinstance(accumulate, bool):
            raise TypeError(f"accumulate must be True or False, got {describe(accumulate)}")
        #: True: ``step()`` may follow ``step()`` with no ``zero_grad()`` (gradients summed
        #: over several backward passes on purpose); False: that warns once.
        self.accumulate = accumulate
        self.steps = 0  # how many step() calls have been applied
        self.state = {name: [0.0] * len(self.params) for name in self.buffers}
        # How many zero_grad() calls (any optimizer's or model's) there had been at the last
        # step; None before the first step, when nothing in .grad is left over from one.
        self._clears_at_step: int | None = None
        self._warned = False

    def __repr__(self) -> str:
        hyper = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters)
        return f"{type(self).__name__}({len(self.params)} params, {hyper}, steps={self.steps})"

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (gradients accumulate across backward)."""
        for p in self.params:
            p.grad = 0.0
        Module.grad_clears += 1

    def step(self) -> None:
        """Update every ``p.data`` from its ``p.grad`` (floats only, no graph nodes)."""
        grads = self._grads()
        data = [p.data for p in self.params]
        if len(data) >= _ARRAYS_FROM and (np := _numpy()) is not None:
            # The same rule on arrays of all the parameters: the same numbers, much faster.
            buffers = self.state_arrays()
            values = np.array(data)
            self.step_arrays(values, np.array(grads), buffers)
            self.state = {name: b.tolist() for name, b in buffers.items()}
            data = values.tolist()
        else:
            rule = self._rule()
            new = list(zip(*map(rule, data, grads, *(self.state[n] for n in self.buffers))))
            data = list(new[0])
            self.state = {name: list(b) for name, b in zip(self.buffers, new[1:])}
            self.steps += 1
        for p, x in zip(self.params, data):
            p.data = x

    def _rule(self) -> Callable[..., tuple[Any, ...]]:
        """This step's update, ``rule(data, grad, *buffers) -> (data, *buffers)``, with the
        hyperparameters as they are now. Written with plain arithmetic and ``_sqrt``, the one
        rule serves :meth:`step` (one parameter's floats at a time) and :meth:`step_arrays`
        (NumPy arrays of all of them at once): the same operations in the same order, so the
        two give the same numbers bit for bit.

        An optimizer of your own defines this rule (and gets both), or overrides
        :meth:`step` itself (and ``fit`` then calls that step on the Values)."""
        raise NotImplementedError(
            f"{type(self).__name__} defines neither _rule() (the update rule) nor step()"
        )

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Optimizer:
            raise TypeError(
                "Optimizer is abstract: use SGD or Adam, or subclass it with an update rule"
            )
        return super().__new__(cls)

    @property
    def _has_rule(self) -> bool:
        """Whether :meth:`step_arrays` can run: the class has a rule and keeps the base step."""
        kind = type(self)
        return kind._rule is not Optimizer._rule and kind.step is Optimizer.step

    def step_arrays(self, data: Any, grad: Any, buffers: dict[str, Any]) -> None:
        """One step on NumPy arrays, in place: ``data`` and ``grad`` hold the parameters'
        numbers and gradients in ``params`` order, ``buffers`` one array per name in
        ``buffers`` (from :meth:`state_arrays`). The gradients must be finite (the caller
        checks). What ``fit(compile=True)`` uses instead of :meth:`step`, with the
        parameters kept in arrays between steps; :meth:`load_arrays` writes the buffers
        back into ``state`` and marks the step as following a ``zero_grad()``, as fit's did.
        """
        # The rule updates the arrays in place (its augmented assignments); what it returns
        # is those same arrays.
        self._rule()(data, grad, *(buffers[name] for name in self.buffers))
        self.steps += 1

    def state_arrays(self) -> dict[str, Any]:
        """The per-parameter buffers as NumPy arrays (copies), for :meth:`step_arrays`."""
        import numpy as np

        return {name: np.array(self.state[name], dtype=float) for name in self.buffers}

    def load_arrays(self, buffers: dict[str, Any]) -> None:
        """Back from :meth:`step_arrays`: ``buffers`` into ``state``, and the gradients in
        ``.grad`` taken as the last step's, cleared before it (no stale-gradient warning)."""
        for name in self.buffers:
            self.state[name] = buffers[name].tolist()
        self._clears_at_step = Module.grad_clears

    def _grads(self) -> list[float]:
        """Every parameter's grad as a float; a ValueError if any is NaN or infinite.

        Called at the start of ``step()``, so a bad gradient stops the step before any
        parameter changes. It also warns (once) when the gradients were not cleared since
        the last step, and marks them used by this one.
        """
        stale = self._clears_at_step == Module.grad_clears  # no zero_grad() since last step
        if stale and not (self.accumulate or self._warned):
            self._warned = True
            name = type(self).__name__
            warnings.warn(
                f"{name}.step() ran again without zero_grad() since the last step: the "
                "gradients from the last step are still in .grad, so this step adds to them "
                "(backward() accumulates into .grad) and moves by their sum. Call "
                "opt.zero_grad() before each loss.backward(); to sum gradients over several "
                f"backward passes on purpose, make the optimizer with {name}(..., "
                "accumulate=True).",
                GradientsNotZeroedWarning,
                stacklevel=3,
            )
        self._clears_at_step = Module.grad_clears
        grads = []
        for i, p in enumerate(self.params):
            g = float(p.grad)
            if not math.isfinite(g):
                name = f"params[{i}]" + (f" (label {p.label!r})" if p.label else "")
                raise ValueError(
                    f"{name} has a non-finite gradient ({g!r}); step() changed no parameter. "
                    "Look for an overflow or a log/division of zero in the forward pass"
                )
            grads.append(g)
        return grads

    # --- saving and resuming ----------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a fresh, JSON-able dict (no Values, no aliasing).

        It holds the type name, the hyperparameters, the step count and one list of floats
        per buffer (one float per parameter, in ``params`` order). Parameter ``data`` is not
        included: save the model's values separately.

        >>> from autograd import Value
        >>> sorted(SGD([Value(1.0)], lr=0.1, momentum=0.9).state_dict().items())
        [('lr', 0.1), ('momentum', 0.9), ('steps', 0), ('type', 'SGD'), ('velocity', [0.0]), ('weight_decay', 0.0)]
        """  # noqa: E501
        out: dict[str, Any] = {"type": type(self).__name__, "steps": self.steps}
        for name in self.hyperparameters:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        for name in self.buffers:
            out[name] = list(self.state[name])
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (possibly after a JSON round trip).

        Everything is checked first; on any problem a ValueError is raised and the
        optimizer is left unchanged.

        >>> from autograd import Value
        >>> opt = SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
        >>> opt.load_state_dict(SGD([Value(0.0)], lr=0.1, momentum=0.9).state_dict())
        Traceback (most recent call last):
        ...
        ValueError: state_dict['velocity'] has 1 entries, but this optimizer has 2 params
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict() takes a dict, got {describe(state)}")
        kind = type(self).__name__
        expected = {"type", "steps", *self.hyperparameters, *self.buffers}
        missing = sorted(expected - state.keys())
        extra = sorted(map(str, state.keys() - expected))
        if missing or extra:
            raise ValueError(
                f"state_dict for {kind} needs exactly the keys {sorted(expected)}; "
                f"missing {missing}, unexpected {brief(extra)}"
            )
        if state["type"] != kind:
            raise ValueError(f"state_dict is for {brief(state['type'])}, not {kind!r}")
        steps = state["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"state_dict['steps'] must be an int >= 0, got {describe(steps)}")

        hyper: dict[str, Any] = {}
        for name in self.hyperparameters:
            attribute = getattr(type(self), name)  # the _Hyper descriptor itself
            try:
                hyper[name] = attribute.check(f"state_dict[{name!r}]", state[name])
            except TypeError as error:
                raise ValueError(str(error)) from None

        n = len(self.params)
        buffers: dict[str, list[float]] = {}
        for name in self.buffers:
            values = state[name]
            if not isinstance(values, list):
                raise ValueError(
                    f"state_dict[{name!r}] must be a list of floats, got {describe(values)}"
                )
            if len(values) != n:
                raise ValueError(
                    f"state_dict[{name!r}] has {len(values)} entries, "
                    f"but this optimizer has {n} params"
                )
            try:
                buffers[name] = [
                    _real(f"state_dict[{name!r}][{i}]", v) for i, v in enumerate(values)
                ]
            except TypeError as error:
                raise ValueError(str(error)) from None
            for i, v in enumerate(buffers[name]):
                if not math.isfinite(v):
                    raise ValueError(f"state_dict[{name!r}][{i}] must be finite, got {v!r}")
                if name in self.non_negative_buffers and v < 0:
                    raise ValueError(
                        f"state_dict[{name!r}][{i}] is a running mean of squares and cannot "
                        f"be negative, got {v!r}"
                    )

        # Everything is valid: only now change the optimizer.
        for name, value in hyper.items():
            setattr(self, name, value)
        self.steps = steps
        self.state = buffers


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay (PyTorch style).

    For each parameter, with ``g = grad + weight_decay * data``::

        v = momentum * v + g       (only if momentum > 0; v starts at 0, so first v = g)
        data -= lr * v             (or lr * g without momentum)

    ``momentum`` is in [0, 1) and ``weight_decay`` (an L2 penalty) is a finite number >= 0.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> w.grad = 2.0
    >>> SGD([w], lr=0.1).step()
    >>> w.data
    0.8
    """

    hyperparameters = ("lr", "momentum", "weight_decay")
    buffers = ("velocity",)

    momentum = _Hyper(_unit_interval)
    weight_decay = _Hyper(_non_negative)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        accumulate: bool = False,
    ) -> None:
        super().__init__(params, lr, accumulate)
        self.momentum = momentum
        self.weight_decay = weight_decay

    def _rule(self) -> Callable[..., tuple[Any, ...]]:
        lr, momentum, decay = self.lr, self.momentum, self.weight_decay

        def rule(data: Any, g: Any, velocity: Any) -> tuple[Any, Any]:
            # Augmented assignments: a float is rebound, an array updated in place (no
            # temporary the size of the model); the arithmetic is the same either way.
            if decay:
                g = g + decay * data
            if momentum:
                velocity *= momentum
                velocity += g
                g = velocity
            data -= lr * g
            return data, velocity

        return rule


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction; ``weight_decay`` is an L2 term.

    With ``g = grad + weight_decay * data`` and ``t`` the number of steps so far (1, 2, …)::

        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        data -= lr * m_hat / (sqrt(v_hat) + eps)

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> w.grad = 123.0
    >>> Adam([w], lr=0.1).step()   # the first step moves by about lr, whatever the grad
    >>> round(w.data, 6)
    0.9
    """

    hyperparameters = ("lr", "betas", "eps", "weight_decay")
    buffers = ("m", "v")
    non_negative_buffers = ("v",)

    betas = _Hyper(_betas)
    eps = _Hyper(_positive)
    weight_decay = _Hyper(_non_negative)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        accumulate: bool = False,
    ) -> None:
        super().__init__(params, lr, accumulate)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay

    def _rule(self) -> Callable[..., tuple[Any, ...]]:
        lr, (beta1, beta2), eps, decay = self.lr, self.betas, self.eps, self.weight_decay
        t = self.steps + 1
        correction1 = 1.0 - beta1**t
        correction2 = 1.0 - beta2**t

        def rule(data: Any, g: Any, m: Any, v: Any) -> tuple[Any, Any, Any]:
            # Augmented assignments: a float is rebound, an array updated in place (no
            # temporary the size of the model); the arithmetic is the same either way:
            # m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g g,
            # data -= lr m_hat / (sqrt(v_hat) + eps).
            if decay:
                g = g + decay * data
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * g * g
            step = m / correction1  # m_hat
            step *= lr
            denominator = _sqrt(v / correction2)  # sqrt(v_hat)
            denominator += eps
            step /= denominator
            data -= step
            return data, m, v

        return rule
