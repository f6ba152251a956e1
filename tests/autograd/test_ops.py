"""Every operation against plain-float math: forward values and central finite differences.

The oracle is independent of the engine: each row pairs the Value expression with the same
function written with ``math`` on floats, and the gradient is checked against central
differences of that float function over the operation's valid domain.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.functional import check_within


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from(point: float, lo: float, hi: float, gap: float = 1e-3) -> st.SearchStrategy[float]:
    return reals(lo, hi).filter(lambda x: abs(x - point) > gap)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


# name, Value expression, float reference, one strategy per argument
OPS = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [reals(-1e3, 1e3)] * 2),
    ("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, [reals(-1e3, 1e3)]),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [reals(-1e3, 1e3)] * 2),
    ("rsub", lambda a: 2.5 - a, lambda a: 2.5 - a, [reals(-1e3, 1e3)]),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [reals(-1e3, 1e3)] * 2),
    ("rmul", lambda a: -3 * a, lambda a: -3 * a, [reals(-1e3, 1e3)]),
    (
        "div",
        lambda a, b: a / b,
        lambda a, b: a / b,
        [reals(-1e3, 1e3), away_from(0, -1e3, 1e3, 0.05)],
    ),
    ("rdiv", lambda a: 2 / a, lambda a: 2 / a, [away_from(0, -1e3, 1e3, 0.05)]),
    ("neg", lambda a: -a, lambda a: -a, [reals(-1e3, 1e3)]),
    ("abs", lambda a: abs(a), lambda a: abs(a), [away_from(0, -1e3, 1e3)]),
    ("square", lambda a: a**2, lambda a: a**2, [reals(-1e3, 1e3)]),
    ("cube", lambda a: a**3, lambda a: a**3, [reals(-100, 100)]),
    ("inverse", lambda a: a**-1, lambda a: a**-1, [away_from(0, -1e3, 1e3, 0.05)]),
    ("sqrt", lambda a: a**0.5, lambda a: a**0.5, [reals(1e-2, 1e3)]),
    ("pow_zero", lambda a: a**0, lambda a: a**0, [reals(-1e3, 1e3)]),
    ("pow", lambda a, b: a**b, lambda a, b: a**b, [reals(0.1, 10), reals(-3, 3)]),
    ("rpow", lambda b: 2**b, lambda b: 2**b, [reals(-30, 30)]),
    ("exp", lambda a: a.exp(), math.exp, [reals(-50, 50)]),
    ("log", lambda a: a.log(), math.log, [reals(1e-3, 1e6)]),
    ("tanh", lambda a: a.tanh(), math.tanh, [reals(-20, 20)]),
    ("sigmoid", lambda a: a.sigmoid(), sigmoid, [reals(-30, 30)]),
    ("relu", lambda a: a.relu(), lambda a: max(a, 0.0), [away_from(0, -1e3, 1e3)]),
    (
        "sum",
        lambda a, b, c: autograd.sum([a, b, c, 1.0]),
        lambda a, b, c: a + b + c + 1,
        [reals(-1e3, 1e3)] * 3,
    ),
    (
        "mean",
        lambda a, b, c: autograd.mean([a, b, c]),
        lambda a, b, c: (a + b + c) / 3,
        [reals(-1e3, 1e3)] * 3,
    ),
    (
        "dot",
        lambda w1, w2, x1, x2: autograd.dot([w1, w2], [x1, x2]),
        lambda w1, w2, x1, x2: w1 * x1 + w2 * x2,
        [reals(-100, 100)] * 4,
    ),
    (
        "dot_bias",
        lambda w1, x1, b: autograd.dot([w1], [x1], b),
        lambda w1, x1, b: w1 * x1 + b,
        [reals(-100, 100)] * 3,
    ),
    ("softplus", lambda a: a.softplus(), lambda a: math.log1p(math.exp(a)), [reals(-30, 30)]),
    (
        "logsumexp",
        lambda a, b, c: autograd.logsumexp([a, b, c]),
        lambda a, b, c: math.log(math.exp(a) + math.exp(b) + math.exp(c)),
        [reals(-30, 30)] * 3,
    ),
    (
        "clamp",
        lambda a: a.clamp(-1, 2),
        lambda a: min(max(a, -1.0), 2.0),
        [reals(-10, 10).filter(lambda x: abs(x + 1) > 1e-3 and abs(x - 2) > 1e-3)],
    ),
    (
        "check_within",
        lambda a: check_within(a, [(-5, 5)], "out of range: {}".format),
        lambda a: a,
        [reals(-4.9, 4.9)],
    ),
]


def central_difference(f, point: list[float], i: int) -> float:
    h = 1e-6 * max(1.0, abs(point[i]))
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (up[i] - down[i])


def close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= 1e-6 * scale + 1e-4 * abs(b)


@pytest.mark.parametrize("name, expr, ref, domain", OPS, ids=[row[0] for row in OPS])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_op_matches_float_math_and_finite_differences(name, expr, ref, domain, data):
    point = [data.draw(s) for s in domain]
    try:
        expected = ref(*point)
    except (OverflowError, ZeroDivisionError):
        assume(False)
    xs = [Value(v) for v in point]
    out = expr(*xs)
    assert math.isclose(out.data, expected, rel_tol=1e-12, abs_tol=1e-12)
    out.backward()
    scale = max(1.0, abs(expected), *(abs(v) for v in point))
    for i, x in enumerate(xs):
        numeric = central_difference(ref, point, i)
        assert close(x.grad, numeric, scale), (name, point, i, x.grad, numeric)


@pytest.mark.parametrize("name, expr, ref, domain", OPS, ids=[row[0] for row in OPS])
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_backward_grad_and_gradcheck_agree(name, expr, ref, domain, data):
    point = [data.draw(s) for s in domain]
    xs = [Value(v) for v in point]
    out = expr(*xs)
    assume(math.isfinite(out.data) and abs(out.data) < 1e8)
    from_grad = autograd.grad(out, xs)
    out.backward()
    assert from_grad == [x.grad for x in xs]
    assert autograd.gradcheck(expr, point, atol=1e-4, rtol=1e-3)


# --- random compositions with shared subexpressions ---------------------------------------

UNARY = [
    lambda v: v.tanh(),
    lambda v: v.sigmoid(),
    lambda v: v * v,
    lambda v: -v,
    lambda v: (v * 0.1).exp(),
    lambda v: (v * v + 1).log(),
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: a / (b * b + 1),
    lambda a, b: autograd.dot([a, b], [b, a]),
]


@st.composite
def programs(draw):
    """A random straight-line program; later steps reuse earlier results (diamonds)."""
    n_inputs = draw(st.integers(1, 3))
    steps = []
    for k in range(draw(st.integers(1, 12))):
        available = n_inputs + k
        if draw(st.booleans()):
            steps.append(
                ("u", draw(st.integers(0, len(UNARY) - 1)), draw(st.integers(0, available - 1)))
            )
        else:
            steps.append(
                (
                    "b",
                    draw(st.integers(0, len(BINARY) - 1)),
                    draw(st.integers(0, available - 1)),
                    draw(st.integers(0, available - 1)),
                )
            )
    point = draw(st.lists(reals(-2, 2), min_size=n_inputs, max_size=n_inputs))
    return steps, point


def run(steps, *inputs):
    vals = list(inputs)
    for step in steps:
        if step[0] == "u":
            vals.append(UNARY[step[1]](vals[step[2]]))
        else:
            vals.append(BINARY[step[1]](vals[step[2]], vals[step[3]]))
    return vals[-1]


@settings(max_examples=150, deadline=None)
@given(programs())
def test_random_compositions_with_shared_nodes_match_finite_differences(program):
    steps, point = program
    xs = [Value(v) for v in point]
    out = run(steps, *xs)
    assume(math.isfinite(out.data) and abs(out.data) < 1e6)
    out.backward()
    f = lambda *p: run(steps, *[Value(v) for v in p]).data  # noqa: E731
    for i, x in enumerate(xs):
        numeric = central_difference(f, point, i)
        assert math.isclose(x.grad, numeric, rel_tol=1e-4, abs_tol=1e-5), (steps, point, i)


def test_x_times_x_keeps_both_edges():
    x = Value(3.0)
    y = x * x
    assert y.parents == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_every_primitive_declares_its_rule_in_one_table():
    for name, op in autograd.ops.PRIMITIVES.items():
        assert op.name == name
        assert callable(op.forward) and callable(op.derivative)
        assert op.formula, f"{name} has no human-readable rule"


def test_local_grads_reads_the_rule_at_the_node():
    a, b = Value(2.0), Value(-3.0)
    assert (a * b).local_grads() == (-3.0, 2.0)
    t = Value(0.5).tanh()
    assert t.local_grads() == (1 - math.tanh(0.5) ** 2,)
    assert Value(1.0).local_grads() == ()
