"""backward(), grad(), higher orders, gradcheck, modes and memory."""

from __future__ import annotations

import gc
import math
import random
import sys
import threading
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import (
    AnomalyError,
    GradcheckError,
    Op,
    Value,
    apply,
    detect_anomaly,
    enable_grad,
    grad,
    gradcheck,
    no_grad,
    zero_grad,
)


def test_a_million_node_chain_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000  # nobody raised it for us
    x = Value(1.0)
    y = x
    for _ in range(500_000):  # two nodes per step: the multiply and its constant
        y = y * 1.0000001
    order = autograd.topological_order(y)
    assert len(order) == 1_000_001
    y.backward()
    assert math.isclose(x.grad, 1.0000001**500_000, rel_tol=1e-9)


def test_order_is_deterministic_and_topological():
    def build():
        rng = random.Random(7)
        xs = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(5)]
        vals = list(xs)
        for k in range(60):
            a, b = rng.choice(vals), rng.choice(vals)
            v = a * b if k % 2 else a + b
            v.label = f"v{k}"
            vals.append(v)
        return vals[-1]

    first = [v.label for v in autograd.topological_order(build())]
    assert first == [v.label for v in autograd.topological_order(build())]
    root = build()
    order = autograd.topological_order(root)
    position = {id(v): i for i, v in enumerate(order)}
    assert order[-1] is root and len(position) == len(order)
    for v in order:
        assert all(position[id(p)] < position[id(v)] for p in v.parents)


def test_gradients_accumulate_and_zero_grad_resets():
    x = Value(3.0)
    h = x * x
    y = h + x
    y.backward()
    assert (x.grad, h.grad, y.grad) == (7.0, 1.0, 1.0)
    y.backward()  # intermediate grads must not be propagated twice
    assert (x.grad, h.grad, y.grad) == (14.0, 2.0, 2.0)
    zero_grad(y)
    assert (x.grad, h.grad, y.grad) == (0.0, 0.0, 0.0)


def test_backward_with_a_seed():
    x = Value(2.0)
    (x * 3).backward(0.5)
    assert x.grad == 1.5


def test_grad_leaves_dot_grad_alone_and_handles_unused_inputs():
    x, y, unused = Value(2.0), Value(5.0), Value(1.0)
    out = x * y
    assert grad(out, [x, y, unused]) == [5.0, 2.0, 0.0]
    assert (x.grad, y.grad, out.grad) == (0.0, 0.0, 0.0)
    assert grad(out, x) == [5.0]
    with pytest.raises(TypeError, match="input #1 is float"):
        grad(out, [x, 1.0])


@settings(max_examples=60, deadline=None)
@given(st.floats(-3, 3))
def test_higher_orders_against_closed_forms(x0):
    x = Value(x0)
    (d1,) = grad(x**3, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert math.isclose(d1.data, 3 * x0**2, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(d2.data, 6 * x0, rel_tol=1e-12, abs_tol=1e-12)
    assert d3 == pytest.approx(6.0)

    t = math.tanh(x0)
    (g1,) = grad(x.tanh(), [x], create_graph=True)
    (g2,) = grad(g1, [x])
    assert g1.data == pytest.approx(1 - t * t)
    assert g2 == pytest.approx(-2 * t * (1 - t * t), abs=1e-12)

    s = 1 / (1 + math.exp(-x0))
    (s1,) = grad(x.sigmoid(), [x], create_graph=True)
    (s2,) = grad(s1, [x])
    assert s2 == pytest.approx(s * (1 - s) * (1 - 2 * s), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(-2, 2), st.floats(-2, 2))
def test_mixed_partials_of_x_y_exp_x(x0, y0):
    x, y = Value(x0), Value(y0)
    f = x * y * x.exp()
    fx, fy = grad(f, [x, y], create_graph=True)
    fxx, fxy = grad(fx, [x, y])
    fyx, fyy = grad(fy, [x, y])
    e = math.exp(x0)
    assert fx.data == pytest.approx(y0 * e * (1 + x0), abs=1e-12)
    assert fxx == pytest.approx(y0 * e * (2 + x0), abs=1e-12)
    assert fxy == pytest.approx(e * (1 + x0), abs=1e-12)
    assert fyx == pytest.approx(fxy, abs=1e-12)
    assert fyy == 0.0


def test_higher_orders_of_pow_with_a_variable_exponent():
    a, b = Value(1.7), Value(2.3)
    da, db = grad(a**b, [a, b], create_graph=True)
    (dab,) = grad(da, [b])  # d/db (b a^(b-1)) = a^(b-1) (1 + b ln a)
    assert dab == pytest.approx(1.7**1.3 * (1 + 2.3 * math.log(1.7)))
    (dbb,) = grad(db, [b])
    assert dbb == pytest.approx(1.7**2.3 * math.log(1.7) ** 2)


def test_gradcheck_passes_and_catches_a_wrong_rule():
    assert gradcheck(lambda x, y: (x * y + y.exp()).tanh(), [0.3, -0.7])
    wrong = Op("cube", "³", lambda x: x**3, lambda x, out: (2 * x * x,), "wrong on purpose")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: apply(wrong, x) + y, [1.5, 2.0])
    report = str(info.value)
    assert "input #0 = 1.5: backprop 4.5, finite difference 6.75" in report
    assert "MISMATCH" in report.splitlines()[1] and "MISMATCH" not in report.splitlines()[2]


def test_gradcheck_rejects_bad_use():
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(TypeError, match="return a Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])


def test_no_grad_records_nothing_and_restores():
    x = Value(2.0)
    with no_grad():
        y = x * x
        assert not autograd.is_grad_enabled()
        with enable_grad():
            z = x * x
    assert autograd.is_grad_enabled()
    assert y.parents == () and y.is_leaf and y.data == 4.0
    assert z.parents == (x, x)


def test_no_grad_as_decorator_bare_and_called():
    @no_grad
    def f(x):
        return x * 2

    @no_grad()
    def g(x):
        return x * 2

    assert f(Value(1.0)).is_leaf and g(Value(1.0)).is_leaf
    assert f.__name__ == "f"
    with pytest.raises(TypeError, match="no_grad\\(\\) takes no argument"):
        no_grad(3)


def test_no_grad_is_thread_local():
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with no_grad():
            inside.set()
            release.wait(5)
            seen["worker"] = (Value(1.0) * 2).parents

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(5)
    seen["main"] = (Value(1.0) * 2).parents  # the worker's no_grad is active right now
    release.set()
    t.join()
    assert len(seen["main"]) == 2 and seen["worker"] == ()


def test_detach_cuts_the_graph():
    x = Value(3.0, label="x")
    d = (x * 2).detach()
    y = d * x
    y.backward()
    assert d.is_leaf and x.grad == 6.0


def test_dropped_graphs_are_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x = Value(1.5)
        y = ((x * x).tanh() + x.exp()) / (x + 2)
        y.backward()
        (d,) = grad(y, [x], create_graph=True)
        grad(d, [x])  # a third graph on top, freed with the others
        probes = [weakref.ref(v) for v in autograd.topological_order(y) if v is not x]
        probes += [weakref.ref(v) for v in autograd.topological_order(d) if v is not x]
        del y, d
        assert all(p() is None for p in probes)
    finally:
        gc.enable()


def test_detect_anomaly_names_op_and_user_line():
    with detect_anomaly():
        x = Value(800.0)
        with pytest.raises(AnomalyError, match=r"exp produced inf .*test_backprop.py:\d+"):
            x.exp()


def test_detect_anomaly_in_backward():
    with detect_anomaly():
        x = Value(0.0)
        y = x**0.5  # fine forward: 0.0, but the slope is infinite at 0
        with pytest.raises(AnomalyError, match=r"backward of pow \(created at .*test_backprop"):
            y.backward()


def test_detect_anomaly_is_off_by_default():
    y = Value(800.0).exp()
    assert y.data == math.inf


def test_apply_checks_its_op():
    with pytest.raises(TypeError, match="takes an autograd Op, got str"):
        apply("mul", Value(1.0))


def test_n_ary_argument_errors():
    with pytest.raises(ValueError, match="needs at least one value"):
        autograd.sum([])
    with pytest.raises(ValueError, match="as many weights as inputs, got 2 and 1"):
        autograd.dot([1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="item #1 is str"):
        autograd.mean([1.0, "x"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=8), st.data())
def test_one_dot_node_equals_the_expanded_graph(ws, data):
    xs = data.draw(st.lists(st.floats(-10, 10), min_size=len(ws), max_size=len(ws)))
    b0 = data.draw(st.floats(-10, 10))
    w1, x1, b1 = [Value(v) for v in ws], [Value(v) for v in xs], Value(b0)
    w2, x2, b2 = [Value(v) for v in ws], [Value(v) for v in xs], Value(b0)
    z1 = autograd.dot(w1, x1, b1).tanh()
    z2 = b2
    for w, x in zip(w2, x2):
        z2 = z2 + w * x
    z2 = z2.tanh()
    z1.backward()
    z2.backward()
    assert z1.data == pytest.approx(z2.data, abs=1e-9)
    for a, b in zip(w1 + x1 + [b1], w2 + x2 + [b2]):
        assert a.grad == pytest.approx(b.grad, abs=1e-9)
