"""Defects an adversarial pass found in the engine, each pinned by a test that failed before."""

from __future__ import annotations

import math
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import AnomalyError, Op, Value, apply, detect_anomaly

# --- n-ary nodes fail the way a chain of + does -----------------------------------------------

HUGE = st.sampled_from([1e308, -1e308, math.inf, -math.inf, math.nan, 1.5, -2.25, 0.0])


def chain_sum(xs: list[float]) -> float:
    total = Value(xs[0])
    for x in xs[1:]:
        total = total + x
    return total.data


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=200)
@given(st.lists(HUGE, min_size=1, max_size=6))
def test_sum_and_mean_overflow_like_a_chain_of_plus(xs):
    chained = chain_sum(xs)
    got = autograd.sum([Value(x) for x in xs]).data
    # exactly rounded where the float range allows it, else inf/nan as + would give
    if math.isfinite(chained):
        assert got == pytest.approx(chained, rel=1e-12, abs=1e-300) or math.fsum(xs) == got
    else:
        assert same(got, chained) or (math.isfinite(got) and not any(map(math.isinf, xs)))
    mean = autograd.mean([Value(x) for x in xs]).data
    assert same(mean, got / len(xs))


def test_the_reported_cases():
    assert autograd.sum([Value(1e308), Value(1e308)]).data == math.inf
    assert math.isnan(autograd.mean([Value(math.inf), Value(-math.inf)]).data)
    assert autograd.dot([Value(1e308)] * 2, [2.0, 2.0]).data == math.inf
    assert autograd.sum([Value(1e308), Value(1e308), Value(-1e308)]).data == math.inf  # as +


def test_anomaly_detection_names_the_n_ary_op_and_the_line():
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"sum produced inf .*test_hardening"):
        autograd.sum([Value(1e308), Value(1e308)])
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"mean produced nan"):
        autograd.mean([Value(math.inf), Value(-math.inf)])


# --- concurrent backprop ------------------------------------------------------------------------


def test_concurrent_grad_on_graphs_sharing_leaves_is_exact():
    shared = [Value(0.1 * (i + 1), label=f"s{i}") for i in range(10)]

    def build(seed: int) -> Value:
        out = Value(1.0)
        for i, s in enumerate(shared):
            out = out * (s + 0.01 * seed) + (s * s).tanh() * (i % 3 - 1)
        return out

    expected = {seed: autograd.grad(build(seed), shared) for seed in range(8)}
    wrong: list[tuple[int, int]] = []
    barrier = threading.Barrier(8)

    def work(seed: int) -> None:
        barrier.wait()
        for round_ in range(40):
            if autograd.grad(build(seed), shared) != expected[seed]:
                wrong.append((seed, round_))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_concurrent_backward_adds_every_pass_into_shared_grads():
    w = Value(1.0, label="w")
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(200):
            (w * 3.0 + w * w).backward()  # d/dw = 3 + 2w = 5, exactly

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert w.grad == 8 * 200 * 5.0


# --- custom ops are checked ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, derivative, got",
    [
        (3, lambda a, b, c, out: (1.0, 1.0), "2 derivatives for 3 inputs"),
        (1, lambda a, out: (1.0, 2.0), "2 derivatives for 1 input"),
        (2, lambda a, b, out: (1.0,), "1 derivative for 2 inputs"),
        (2, lambda a, b, out: 1.0, "float 1.0 for 2 inputs"),
    ],
)
@pytest.mark.parametrize("how", ["backward", "grad", "create_graph", "anomaly"])
def test_a_custom_op_with_the_wrong_number_of_derivatives_is_named(n, derivative, got, how):
    op = Op("my_op", "m", lambda *xs: sum(xs), derivative)
    xs = [Value(float(i + 1)) for i in range(n)]
    y = apply(op, *xs)
    with pytest.raises(ValueError, match=rf"derivative rule of 'my_op' returned {got}"):
        if how == "backward":
            y.backward()
        elif how == "anomaly":
            with detect_anomaly():
                y.backward()
        else:
            autograd.grad(y, xs, create_graph=how == "create_graph")


def test_a_rule_that_raises_keeps_its_own_error():
    op = Op("fragile", "f", lambda a: a, lambda a, out: (1 / (a - a),))
    with pytest.raises(ZeroDivisionError):
        apply(op, Value(1.0)).backward()


# --- every order agrees with the first --------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda x: 0.0**x,  # d/dx at x = 0.5: 0
        lambda x: x**0.5,  # at 0: inf
        lambda x: x**-1.0 if x.data else x * 0,
        lambda x: Value(0.0) ** x,
        lambda x: x ** Value(0.5),
        lambda x: (x * 0) ** 2.0,
    ],
)
@pytest.mark.parametrize("at", [0.0, 0.5, 2.0])
def test_create_graph_gives_the_first_order_value_everywhere(make, at):
    x1, x2 = Value(at), Value(at)
    try:
        (first,) = autograd.grad(make(x1), [x1])
    except (ZeroDivisionError, ValueError):
        return  # the forward itself is undefined here, at every order alike
    (graphed,) = autograd.grad(make(x2), [x2], create_graph=True)
    assert same(graphed.data, first)


def test_the_reported_pole():
    x = Value(0.5)
    (g,) = autograd.grad(0.0**x, [x], create_graph=True)
    assert g.data == 0.0
    z = Value(0.0)
    (h,) = autograd.grad(z**0.5, [z], create_graph=True)
    assert h.data == math.inf == autograd.grad(z**0.5, [z])[0]


# --- division is exact over the float range -------------------------------------------------------


def test_division_keeps_its_range():
    assert (Value(1e-309) / Value(1e-309)).data == 1.0
    x = Value(1e-160)
    (x / x).backward()
    assert x.grad == 0.0
    assert (Value(1e300) / Value(1e-10)).data == math.inf  # a true overflow stays one
    with pytest.raises(ZeroDivisionError, match=r"division by zero: 1.0 / 0.0"):
        Value(1.0) / 0


@settings(max_examples=100)
@given(st.floats(-1e3, 1e3), st.floats(0.01, 1e3), st.booleans())
def test_division_derivatives_at_every_order(a, b, negative):
    b = -b if negative else b
    x, y = Value(a), Value(b)
    q = x / y
    assert q.data == a / b
    dx, dy = autograd.grad(q, [x, y], create_graph=True)
    assert dx.data == pytest.approx(1 / b) and dy.data == pytest.approx(-a / b**2)
    (d2y,) = autograd.grad(dy, [y])
    assert d2y == pytest.approx(2 * a / b**3, rel=1e-9, abs=1e-12)


# --- conventions a REPL user expects ----------------------------------------------------------


def test_item_format_comparisons_and_truth():
    v = Value(0.123456, label="loss")
    assert v.item() == 0.123456 and type(v.item()) is float
    assert f"{v:.3f}" == "0.123" and f"{v}" == repr(v)
    values = [Value(3.0), Value(-1.0), Value(2.0)]
    assert max(values) is values[0] and [x.data for x in sorted(values)] == [-1.0, 2.0, 3.0]
    assert (Value(1.0) < 2) is True and (Value(1.0) >= Value(1.0)) is True
    assert (2 > Value(1.0)) is True  # the reflected comparison
    assert bool(Value(0.0)) is False and bool(Value(-0.5)) is True
    a, b = Value(1.0), Value(1.0)
    assert a != b and len({a, b}) == 2  # == is identity: Values stay usable as dict keys
    with pytest.raises(TypeError):
        _ = Value(1.0) < "2"


def test_a_value_assigned_to_data_is_caught_at_the_next_operation():
    w = Value(1.0, label="w")
    w.grad = 0.5
    w.data = w.data - 0.1 * w  # the mistake: a Value, not a number
    for use in (lambda: w * 2, lambda: w + w, lambda: w.tanh(), lambda: w**2, lambda: w.exp()):
        with pytest.raises(TypeError, match=r"w\.data holds a Value .* w\.data -= lr \* w\.grad"):
            use()
    w.data = 0.9  # fixed
    assert (w * 2).data == 1.8


# --- @no_grad on a generator function -----------------------------------------------------------


def test_no_grad_generator_runs_its_own_code_without_recording():
    from autograd import enable_grad, is_grad_enabled, no_grad

    @no_grad
    def scaled(x: Value):
        for k in range(3):
            yield x * k, is_grad_enabled()

    x = Value(2.0)
    steps = scaled(x)
    value, recording = next(steps)
    assert recording is False and value.parents == ()
    assert is_grad_enabled() and len((x * 2).parents) == 2  # the caller still records
    assert [(v.parents, r) for v, r in steps] == [((), False), ((), False)]
    abandoned = scaled(x)
    next(abandoned)
    del abandoned
    assert is_grad_enabled()

    @enable_grad()
    def recording_inside():
        yield is_grad_enabled()

    with no_grad():
        assert list(recording_inside()) == [True]
        assert not is_grad_enabled()


def test_no_grad_generator_passes_send_throw_and_return_through():
    from autograd import is_grad_enabled, no_grad

    @no_grad
    def echo():
        received = yield "ready"
        try:
            yield (received, is_grad_enabled())
        except KeyError as error:
            yield f"caught {error.args[0]} while recording={is_grad_enabled()}"
        return "done"

    g = echo()
    assert next(g) == "ready"
    assert g.send(41) == (41, False)
    assert g.throw(KeyError("k")) == "caught k while recording=False"
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "done" and is_grad_enabled()
