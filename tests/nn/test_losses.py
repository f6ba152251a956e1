"""Tests for nn.losses: values against plain-math closed forms, gradients against finite
differences, numerical stability, reductions and every error message."""

import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from nn.losses import (
    EPS,
    LOSSES,
    bce_with_logits,
    binary_cross_entropy,
    cross_entropy,
    difference,
    get_loss,
    hinge,
    l2,
    mse,
)

SETTINGS = settings(max_examples=50, deadline=None)

moderate = st.floats(-5.0, 5.0, allow_nan=False)
probability = st.floats(0.01, 0.99)
unit_target = st.floats(0.0, 1.0)
label01 = st.sampled_from([0, 1])
label_pm1 = st.sampled_from([-1, 1])


# --- reference formulas in plain math ------------------------------------------------------


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def ref_bce(p: float, y: float) -> float:
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def ref_bce_logits(z: float, y: float) -> float:
    # log(1 + e^z) - z*y, written the long way (fine for the moderate z used here)
    return math.log(1 + math.exp(z)) - z * y


def ref_softmax(row: list[float]) -> list[float]:
    m = max(row)
    exps = [math.exp(x - m) for x in row]
    total = math.fsum(exps)
    return [e / total for e in exps]


REFERENCE = {
    "difference": lambda p, y: p - y,
    "mse": lambda p, y: (p - y) ** 2,
    "binary_cross_entropy": ref_bce,
    "bce_with_logits": ref_bce_logits,
    "hinge": lambda s, y: max(0.0, 1 - y * s),
}

# name -> strategy for one (prediction, target) pair where the loss is smooth
PAIRS = {
    "difference": st.tuples(moderate, moderate),
    "mse": st.tuples(moderate, moderate),
    "binary_cross_entropy": st.tuples(probability, unit_target),
    "bce_with_logits": st.tuples(moderate, unit_target),
    "hinge": st.tuples(moderate, label_pm1).filter(lambda sy: abs(1 - sy[0] * sy[1]) > 1e-3),
}


def close(a: float, b: float, tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def numeric_derivative(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


# --- values and gradients of the element-wise losses -------------------------------------


@pytest.mark.parametrize("name", list(REFERENCE))
@SETTINGS
@given(data=st.data())
def test_value_matches_closed_form(name, data):
    pairs = data.draw(st.lists(PAIRS[name], min_size=1, max_size=6), label="pairs")
    preds = [Value(p) for p, _ in pairs]
    targets = [y for _, y in pairs]
    expected = [REFERENCE[name](p, y) for p, y in pairs]
    loss = LOSSES[name]
    assert close(loss(preds, targets).data, math.fsum(expected) / len(expected))
    assert close(loss(preds, targets, reduction="sum").data, math.fsum(expected))


@pytest.mark.parametrize("name", list(REFERENCE))
@SETTINGS
@given(data=st.data())
def test_gradient_matches_finite_difference_of_closed_form(name, data):
    pairs = data.draw(st.lists(PAIRS[name], min_size=1, max_size=5), label="pairs")
    preds = [Value(p) for p, _ in pairs]
    targets = [y for _, y in pairs]
    LOSSES[name](preds, targets).backward()
    m = len(pairs)
    for v, (p, y) in zip(preds, pairs):
        expected = numeric_derivative(lambda x, y=y: REFERENCE[name](x, y), p) / m
        assert math.isclose(v.grad, expected, rel_tol=1e-5, abs_tol=1e-6), (v.grad, expected)


@pytest.mark.parametrize("name", list(REFERENCE))
@SETTINGS
@given(data=st.data())
def test_gradcheck_through_a_model(name, data):
    # predictions come from w*x + b, so backprop has to pass *through* the loss
    pairs = data.draw(st.lists(PAIRS[name], min_size=1, max_size=4), label="pairs")
    xs = [1.0 + 0.5 * i for i in range(len(pairs))]
    targets = [y for _, y in pairs]
    transform = (lambda z: z.sigmoid()) if name == "binary_cross_entropy" else (lambda z: z)
    w = data.draw(st.floats(-1.0, 1.0), label="w")
    b = data.draw(st.floats(-1.0, 1.0), label="b")
    if name == "hinge":  # stay off the kink, where finite differences straddle two slopes
        assume(all(abs(1 - y * (w * x + b)) > 1e-3 for x, y in zip(xs, targets)))

    def cost(w, b):
        return LOSSES[name]([transform(w * x + b) for x in xs], targets)

    assert autograd.gradcheck(cost, [w, b])


def test_mse_through_a_perceptron_by_hand():
    w, b = Value(0.5), Value(-1.0)
    xs, ys = [1.0, 2.0, -1.0], [1.0, 0.0, 0.5]
    J = mse([w * x + b for x in xs], ys)
    J.backward()
    preds = [0.5 * x - 1.0 for x in xs]
    assert close(J.data, sum((p - y) ** 2 for p, y in zip(preds, ys)) / 3)
    assert close(w.grad, sum(2 * (p - y) * x for p, y, x in zip(preds, ys, xs)) / 3)
    assert close(b.grad, sum(2 * (p - y) for p, y in zip(preds, ys)) / 3)


# --- the difference loss is a straight line ----------------------------------------------


@SETTINGS
@given(w1=moderate, w2=moderate)
def test_difference_cost_is_linear_in_w_with_constant_slope(w1, w2):
    xs, ys = [1.5, -0.5, 2.0], [1.0, 0.0, 1.0]
    slope = sum(xs) / len(xs)
    costs, grads = [], []
    for w0 in (w1, w2):
        w = Value(w0)
        J = difference([w * x for x in xs], ys)
        J.backward()
        costs.append(J.data)
        grads.append(w.grad)
    assert grads[0] == pytest.approx(slope) and grads[1] == pytest.approx(slope)
    assert costs[1] - costs[0] == pytest.approx(slope * (w2 - w1), abs=1e-9)


def test_difference_is_signed():
    assert difference([1.0], [3.0]).data == -2.0
    assert difference([3.0, 1.0], [1.0, 3.0]).data == 0.0  # errors cancel: why it fails


# --- the story's loss pictures (DESIGN.md) ------------------------------------------------


def _local_minima(costs: list[float]) -> int:
    return sum(costs[i - 1] > costs[i] < costs[i + 1] for i in range(1, len(costs) - 1))


def test_sigmoid_mse_cost_is_wavy_and_cross_entropy_is_a_bowl():
    xs, ys, b = [1.49, -1.37, 0.86, 1.83], [0, 0, 0, 1], 1.78
    grid = [-6 + 0.01 * i for i in range(1401)]  # w from -6 to 8
    mse_costs, ce_costs = [], []
    for w in grid:
        activations = [(Value(w) * x + b).sigmoid() for x in xs]
        mse_costs.append(mse(activations, ys).data)
        ce_costs.append(binary_cross_entropy(activations, ys).data)
    minima = [
        grid[i]
        for i in range(1, len(grid) - 1)
        if mse_costs[i - 1] > mse_costs[i] < mse_costs[i + 1]
    ]
    assert len(minima) == 2
    assert minima[0] == pytest.approx(-1.24, abs=0.02)
    assert minima[1] == pytest.approx(2.78, abs=0.02)
    assert _local_minima(ce_costs) == 1


# --- binary cross-entropy: clamping ------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "y", "expected"),
    [
        (0.0, 1, -math.log(EPS)),
        (0.0, 0, -math.log(1 - EPS)),
        (1.0, 0, -math.log(1 - (1 - EPS))),  # 1 - (1 - 1e-12) is 1.0000889e-12 in floats
        (1.0, 1, -math.log(1 - EPS)),
        (1e-300, 1, -math.log(EPS)),
    ],
)
def test_bce_clamps_to_a_finite_loss_with_zero_gradient(p, y, expected):
    v = Value(p)
    J = binary_cross_entropy([v], [y])
    J.backward()
    assert close(J.data, expected)
    assert v.grad == 0.0
    assert v in autograd.topological_order(J)  # p stays in the graph


def test_bce_just_inside_the_clamp_is_not_clamped():
    v = Value(1e-6)
    J = binary_cross_entropy([v], [1])
    J.backward()
    assert close(J.data, -math.log(1e-6))
    assert close(v.grad, -1e6)


@SETTINGS
@given(p=probability, y=unit_target)
def test_bce_accepts_soft_targets(p, y):
    assert close(binary_cross_entropy([p], [y]).data, ref_bce(p, y))


# --- bce_with_logits: agreement and stability ---------------------------------------------


@SETTINGS
@given(z=st.floats(-20.0, 20.0), y=unit_target)
def test_bce_with_logits_equals_bce_of_sigmoid(z, y):
    a = bce_with_logits([Value(z)], [y]).data
    b = binary_cross_entropy([Value(z).sigmoid()], [y]).data
    assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


@SETTINGS
@given(
    z=st.one_of(
        st.floats(-1e6, 1e6),
        st.sampled_from([-1e6, 1e6, -710.0, 710.0, -40.0, 40.0, 0.0, -0.0, 5e-324]),
    ),
    y=label01,
)
def test_bce_with_logits_is_finite_with_gradient_sigmoid_minus_y(z, y):
    v = Value(z)
    J = bce_with_logits([v], [y])
    J.backward()
    assert math.isfinite(J.data) and J.data >= 0
    assert math.isfinite(v.grad)
    assert math.isclose(v.grad, sigmoid(z) - y, rel_tol=1e-9, abs_tol=1e-12)
    # the loss itself: softplus(z) - z*y, which for |z| large is max(z, 0) - z*y
    if abs(z) > 40:
        assert J.data == pytest.approx(max(z, 0.0) - z * y, rel=1e-12)


@pytest.mark.parametrize("y", [0.0, 0.25, 1.0])
def test_bce_with_logits_gradient_at_zero_is_half_minus_y(y):
    # relu'(0) = abs'(0) = 0 in the engine; the loss must not inherit that kink
    z = Value(0.0)
    bce_with_logits([z], [y]).backward()
    assert z.grad == pytest.approx(0.5 - y)


@SETTINGS
@given(z=moderate, y=label01)
def test_bce_with_logits_second_derivative(z, y):
    v = Value(z)
    (dz,) = autograd.grad(bce_with_logits([v], [y]), [v], create_graph=True)
    (d2z,) = autograd.grad(dz, [v])
    s = sigmoid(z)
    assert math.isclose(d2z, s * (1 - s), rel_tol=1e-6, abs_tol=1e-12)


# --- hinge ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "y", "loss", "grad"),
    [(2.0, 1, 0.0, 0.0), (0.5, 1, 0.5, -1.0), (-0.5, -1, 0.5, 1.0), (1.0, -1, 2.0, 1.0)],
)
def test_hinge_table(score, y, loss, grad):
    s = Value(score)
    J = hinge([s], [y])
    J.backward()
    assert J.data == loss
    assert s.grad == grad


# --- cross_entropy ---------------------------------------------------------------------------

logit = st.floats(-10.0, 10.0)


@st.composite
def ce_batches(draw, min_k=1):
    k = draw(st.integers(min_k, 5))
    m = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(logit, min_size=k, max_size=k), min_size=m, max_size=m))
    targets = draw(st.lists(st.integers(0, k - 1), min_size=m, max_size=m))
    return rows, targets


@SETTINGS
@given(batch=ce_batches())
def test_cross_entropy_is_minus_log_softmax(batch):
    rows, targets = batch
    values = [[Value(x) for x in row] for row in rows]
    J = cross_entropy(values, targets)
    J.backward()
    m = len(rows)
    expected = [-math.log(ref_softmax(row)[t]) for row, t in zip(rows, targets)]
    assert math.isclose(J.data, math.fsum(expected) / m, rel_tol=1e-9, abs_tol=1e-12)
    for row, vrow, t in zip(rows, values, targets):
        for j, (p, v) in enumerate(zip(ref_softmax(row), vrow)):
            assert math.isclose(v.grad, (p - (j == t)) / m, rel_tol=1e-7, abs_tol=1e-12)


@SETTINGS
@given(batch=ce_batches(min_k=2), shift=st.floats(-1e3, 1e3))
def test_cross_entropy_is_shift_invariant(batch, shift):
    rows, targets = batch
    plain = [[Value(x) for x in row] for row in rows]
    moved = [[Value(x + shift) for x in row] for row in rows]
    J1, J2 = cross_entropy(plain, targets), cross_entropy(moved, targets)
    J1.backward()
    J2.backward()
    assert math.isclose(J1.data, J2.data, rel_tol=1e-6, abs_tol=1e-9)
    for r1, r2 in zip(plain, moved):
        for a, b in zip(r1, r2):
            assert math.isclose(a.grad, b.grad, rel_tol=1e-6, abs_tol=1e-9)


@SETTINGS
@given(batch=ce_batches())
def test_cross_entropy_gradcheck(batch):
    rows, targets = batch
    k = len(rows[0])
    flat = [x for row in rows for x in row]

    def cost(*xs):
        return cross_entropy([list(xs[i : i + k]) for i in range(0, len(xs), k)], targets)

    assert autograd.gradcheck(cost, flat)


def test_cross_entropy_with_huge_logits_stays_finite():
    row = [Value(1e6), Value(1e6 + 1.0), Value(-1e6)]
    J = cross_entropy([row], [0])
    J.backward()
    assert J.data == pytest.approx(math.log(1 + math.e), rel=1e-12)  # -log(1 / (1 + e))
    assert [v.grad for v in row] == pytest.approx([1 / (1 + math.e) - 1, math.e / (1 + math.e), 0])


def test_cross_entropy_with_one_class_costs_nothing():
    v = Value(3.0)
    J = cross_entropy([[v]], [0])
    J.backward()
    assert J.data == 0.0 and v.grad == 0.0


def test_cross_entropy_with_two_classes_is_bce_with_logits_on_the_difference():
    # softmax over [0, z] is sigmoid(z): the binary case is the k = 2 case
    for z, y in [(1.5, 1), (-0.7, 0), (3.0, 0)]:
        a = cross_entropy([[0.0, z]], [y]).data
        b = bce_with_logits([z], [y]).data
        assert a == pytest.approx(b, rel=1e-12)


# --- l2 ---------------------------------------------------------------------------------------


@SETTINGS
@given(params=st.lists(moderate, min_size=1, max_size=6), alpha=st.floats(0.0, 10.0))
def test_l2_value_and_gradient(params, alpha):
    values = [Value(p) for p in params]
    r = l2(values, alpha)
    r.backward()
    assert close(r.data, alpha * math.fsum(p * p for p in params))
    # One Σ p·p node whose two halves are the parameters themselves: no node per square.
    assert r.op.name == "mul" and r.parents[1].op.name == "dot"
    assert r.parents[1].parents == (*values, *values)
    for v, p in zip(values, params):
        assert close(v.grad, 2 * alpha * p)


def test_l2_gradcheck_and_generator_input():
    assert autograd.gradcheck(lambda a, b, c: l2((p for p in (a, b, c)), 0.3), [0.5, -1.5, 2.0])


# --- reductions and the shape of the graph --------------------------------------------------

ANY_BATCH = {
    "difference": ([0.3, -1.0, 2.0], [1.0, 0.0, 0.5]),
    "mse": ([0.3, -1.0, 2.0], [1.0, 0.0, 0.5]),
    "binary_cross_entropy": ([0.3, 0.9, 0.5], [1, 0, 1]),
    "bce_with_logits": ([0.3, -1.0, 2.0], [1, 0, 1]),
    "hinge": ([0.3, -1.0, 2.0], [1, -1, -1]),
    "cross_entropy": ([[0.3, 1.0], [-1.0, 0.0], [2.0, 2.5]], [0, 1, 1]),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_mean_is_sum_over_m_and_one_node(name):
    preds, targets = ANY_BATCH[name]
    m = len(targets)
    J = LOSSES[name](preds, targets)
    total = LOSSES[name](preds, targets, reduction="sum")
    assert J.op.name == "mean" and len(J.parents) == m
    assert total.op.name == "sum" and len(total.parents) == m
    assert J.data * m == pytest.approx(total.data, rel=1e-12)
    assert [p.label for p in J.parents] == ["L"] * m  # the views number them L(1), L(2), ...
    assert J.label == "J"


@pytest.mark.parametrize("name", list(REFERENCE))
@SETTINGS
@given(data=st.data())
def test_sum_gradients_are_m_times_mean_gradients(name, data):
    pairs = data.draw(st.lists(PAIRS[name], min_size=1, max_size=5), label="pairs")
    targets = [y for _, y in pairs]
    a = [Value(p) for p, _ in pairs]
    b = [Value(p) for p, _ in pairs]
    LOSSES[name](a, targets).backward()
    LOSSES[name](b, targets, reduction="sum").backward()
    for va, vb in zip(a, b):
        assert math.isclose(vb.grad, len(pairs) * va.grad, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("name", list(LOSSES))
def test_plain_numbers_and_generators_are_accepted(name):
    preds, targets = ANY_BATCH[name]
    lifted = [[Value(x) for x in p] if isinstance(p, list) else Value(p) for p in preds]
    expected = LOSSES[name](lifted, targets).data
    assert LOSSES[name](iter(preds), iter(targets)).data == expected


def test_seeded_random_batches_agree_across_reductions():
    rng = random.Random(0)
    preds = [rng.uniform(-3, 3) for _ in range(20)]
    ys = [rng.choice([0, 1]) for _ in range(20)]
    J = bce_with_logits(preds, ys)
    assert J.data == pytest.approx(sum(ref_bce_logits(z, y) for z, y in zip(preds, ys)) / 20)


# --- get_loss ---------------------------------------------------------------------------------


def test_get_loss_by_name_and_callable():
    for name, fn in LOSSES.items():
        assert get_loss(name) is fn
        assert fn.__name__ == name

    def custom(predictions, targets, reduction="mean"):
        return mse(predictions, targets, reduction)

    assert get_loss(custom) is custom


def test_get_loss_errors():
    with pytest.raises(ValueError, match=r"unknown loss 'MSE'; accepted: 'difference', 'mse',"):
        get_loss("MSE")
    with pytest.raises(ValueError, match=r"'cross_entropy' \(or a callable\)"):
        get_loss("nll")
    with pytest.raises(TypeError, match=r"get_loss\(\) takes a loss name or a callable, got int 3"):
        get_loss(3)


# --- error messages ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("reduction", ["avg", "none", None, "MEAN"])
def test_unknown_reduction(name, reduction):
    preds, targets = ANY_BATCH[name]
    with pytest.raises(
        ValueError,
        match=rf"{name}\(\) got reduction={reduction!r}; accepted: 'mean' \(the cost J\) or 'sum'",
    ):
        LOSSES[name](preds, targets, reduction=reduction)


@pytest.mark.parametrize("name", list(LOSSES))
def test_length_mismatch(name):
    preds, targets = ANY_BATCH[name]
    with pytest.raises(
        ValueError, match=rf"{name}\(\) needs one target per prediction, got 3 predictions and 2"
    ):
        LOSSES[name](preds, targets[:2])


@pytest.mark.parametrize("name", list(LOSSES))
def test_empty_input(name):
    with pytest.raises(
        ValueError, match=rf"{name}\(\) needs at least one example, got 0 predictions and 0"
    ):
        LOSSES[name]([], [])


@pytest.mark.parametrize("name", list(REFERENCE))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_targets(name, bad):
    preds, targets = ANY_BATCH[name]
    with pytest.raises(ValueError, match=rf"{name}\(\) needs finite targets; target #1 is {bad!r}"):
        LOSSES[name](preds, [targets[0], bad, targets[2]])


@pytest.mark.parametrize("name", list(REFERENCE))
def test_non_number_targets_and_predictions(name):
    preds, targets = ANY_BATCH[name]
    with pytest.raises(TypeError, match=r"takes real numbers as targets; target #2 is str 'a'"):
        LOSSES[name](preds, [targets[0], targets[1], "a"])
    if name == "cross_entropy":  # a class index cannot be a Value: one-hot lists can
        with pytest.raises(TypeError, match=r"target #0 is a Value .*one-hot lists of Values"):
            LOSSES[name](preds, [Value(1.0), *targets[1:]])
    else:  # a Value target is taken as given (a compiled function's input), not read
        as_values = LOSSES[name](preds, [Value(float(targets[0])), *targets[1:]])
        assert as_values.data == pytest.approx(LOSSES[name](preds, targets).data, rel=1e-15)
    with pytest.raises(TypeError, match=r"predictions; prediction #1 is NoneType None"):
        LOSSES[name]([preds[0], None, preds[2]], targets)
    with pytest.raises(TypeError, match=r"takes a list of predictions, got Value .*pass \["):
        LOSSES[name](Value(0.5), [targets[0]])


@pytest.mark.parametrize("name", ["binary_cross_entropy", "bce_with_logits"])
@pytest.mark.parametrize("bad", [2, -0.5, 1.0000001])
def test_binary_targets_out_of_range(name, bad):
    with pytest.raises(
        ValueError, match=rf"{name}\(\) needs targets in \[0, 1\] .*; target #1 is {bad!r}"
    ):
        LOSSES[name]([0.5, 0.5], [1, bad])


@pytest.mark.parametrize("bad", [1.5, -0.1, math.nan])
def test_bce_predictions_must_be_probabilities(bad):
    with pytest.raises(
        ValueError,
        match=rf"needs probabilities in \[0, 1\] as predictions; prediction #0 is {bad!r} "
        r"\(for raw scores use bce_with_logits\)",
    ):
        binary_cross_entropy([Value(bad), 0.5], [1, 0])


@pytest.mark.parametrize(("bad", "hint"), [(0, "to_pm1"), (2, ""), (0.5, "")])
def test_hinge_needs_pm1_labels(bad, hint):
    with pytest.raises(
        ValueError, match=rf"hinge\(\) needs labels -1 or \+1; target #2 is {float(bad)!r}.*{hint}"
    ):
        hinge([0.1, 0.2, 0.3], [1, -1, bad])


def test_cross_entropy_errors():
    rows = [[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]
    with pytest.raises(
        ValueError, match=r"class indices in \[0, 3\) for 3 classes; target #1 is 3"
    ):
        cross_entropy(rows, [0, 3])
    with pytest.raises(ValueError, match=r"target #0 is -1"):
        cross_entropy(rows, [-1, 0])
    with pytest.raises(
        TypeError, match=r"integer class indices as targets; target #1 is float 1.0"
    ):
        cross_entropy(rows, [0, 1.0])
    with pytest.raises(TypeError, match=r"target #0 is bool True"):
        cross_entropy(rows, [True, 0])
    with pytest.raises(
        ValueError,
        match=r"same number of logits in every row \(ragged logits\): row #0 has 3, "
        r"row #1 has 2",
    ):
        cross_entropy([[0.0, 1.0, 2.0], [1.0, 1.0]], [0, 1])
    with pytest.raises(ValueError, match=r"at least one logit per row; row #0 is empty"):
        cross_entropy([[], []], [0, 0])
    with pytest.raises(TypeError, match=r"one list of k logits per example; row #1 is float 2.0"):
        cross_entropy([[1.0], 2.0], [0, 0])


def test_l2_errors():
    for bad in (-0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match=rf"l2\(\) needs a finite alpha >= 0, got {bad!r}"):
            l2([Value(1.0)], bad)
    with pytest.raises(TypeError, match=r"l2\(\) takes a real number as alpha, got str '0.1'"):
        l2([Value(1.0)], "0.1")
    with pytest.raises(ValueError, match=r"l2\(\) needs at least one parameter, got none"):
        l2([], 0.1)
