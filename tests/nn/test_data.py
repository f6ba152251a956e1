"""Tests for nn.data: the seeded toy dataset generators."""

import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.data import (
    blobs,
    circles,
    gaussians,
    linearly_separable,
    logic,
    moons,
    quadrants,
    sine,
    spiral,
    to_01,
    to_pm1,
    xor,
)

SETTINGS = settings(max_examples=50, deadline=None)
LABEL_SETS = {"01": {0, 1}, "pm1": {-1, 1}}
TABLE_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]

# name -> (function taking n, seed, labels and giving a binary dataset, feature count)
BINARY = {
    "moons": (lambda n, seed, labels: moons(n, noise=0.1, seed=seed, labels=labels), 2),
    "circles": (lambda n, seed, labels: circles(n, noise=0.1, seed=seed, labels=labels), 2),
    "xor": (lambda n, seed, labels: xor(n, noise=0.1, seed=seed, labels=labels), 2),
    "linsep": (lambda n, seed, labels: linearly_separable(n, seed=seed, labels=labels), 2),
    "spiral": (lambda n, seed, labels: spiral(n, noise=0.1, seed=seed, labels=labels), 2),
    "quadrants": (lambda n, seed, labels: quadrants(n, noise=0.1, seed=seed, labels=labels), 2),
    "gaussians": (lambda n, seed, labels: gaussians(n, noise=0.1, seed=seed, labels=labels), 2),
    "linsep4d": (
        lambda n, seed, labels: linearly_separable(n, dim=4, seed=seed, labels=labels),
        4,
    ),
}
ALL = {
    **{name: (lambda n, seed, f=f: f(n, seed, "01")) for name, (f, _) in BINARY.items()},
    "blobs": lambda n, seed: blobs(n, k=3, seed=seed),
    "blobs3d": lambda n, seed: blobs(n, k=2, dim=3, seed=seed),
    "sine": lambda n, seed: sine(n, noise=0.1, seed=seed),
}


def _assert_shape(X, y, n, dim):
    assert isinstance(X, list) and isinstance(y, list)
    assert len(X) == n and len(y) == n
    for row in X:
        assert isinstance(row, list) and len(row) == dim
        assert all(type(v) is float and math.isfinite(v) for v in row)


def _perceptron_separates(X, y, max_epochs=2000):
    """True if the perceptron rule reaches zero training errors (only for separable data)."""
    w = [0.0] * len(X[0])
    b = 0.0
    for _ in range(max_epochs):
        mistakes = 0
        for x, t in zip(X, y):
            s = 1 if t == 1 else -1
            if s * (sum(wi * xi for wi, xi in zip(w, x)) + b) <= 0:
                w = [wi + s * xi for wi, xi in zip(w, x)]
                b += s
                mistakes += 1
        if mistakes == 0:
            return True
    return False


# --------------------------------------------------------------------------- shapes and labels


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("labels", ["01", "pm1"])
@SETTINGS
@given(n=st.integers(1, 60), seed=st.integers(-(2**40), 2**40))
def test_binary_shapes_and_label_values(name, labels, n, seed):
    fn, dim = BINARY[name]
    X, y = fn(n, seed, labels)
    _assert_shape(X, y, n, dim)
    assert set(y) <= LABEL_SETS[labels]
    assert all(type(t) is int for t in y)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("labels", ["01", "pm1"])
def test_binary_generators_use_both_classes(name, labels):
    fn, _ = BINARY[name]
    _, y = fn(200, 0, labels)
    assert set(y) == LABEL_SETS[labels]


@pytest.mark.parametrize("name", sorted(BINARY))
def test_pm1_is_the_01_labelling_mapped(name):
    fn, _ = BINARY[name]
    X01, y01 = fn(40, 5, "01")
    Xpm, ypm = fn(40, 5, "pm1")
    assert X01 == Xpm
    assert ypm == to_pm1(y01)


@SETTINGS
@given(n=st.integers(1, 60), k=st.integers(1, 6), dim=st.integers(1, 4), seed=st.integers())
def test_blobs_shape_labels_and_balance(n, k, dim, seed):
    if n < k:
        n = k
    X, y = blobs(n, k=k, dim=dim, seed=seed)
    _assert_shape(X, y, n, dim)
    assert set(y) == set(range(k))
    counts = [y.count(c) for c in range(k)]
    assert max(counts) - min(counts) <= 1


@pytest.mark.parametrize(("k", "dim"), [(2, 1), (3, 2), (5, 2), (9, 2), (4, 3), (6, 5)])
def test_blobs_points_are_nearest_to_their_own_cluster(k, dim):
    X, y = blobs(60 * k, k=k, std=0.1, dim=dim, seed=11)
    means = []
    for c in range(k):
        members = [x for x, t in zip(X, y) if t == c]
        means.append([statistics.fmean(col) for col in zip(*members)])
    for x, t in zip(X, y):
        nearest = min(range(k), key=lambda c: math.dist(x, means[c]))
        assert nearest == t
    gaps = [math.dist(a, b) for i, a in enumerate(means) for b in means[i + 1 :]]
    assert min(gaps) > 2.0


def test_blobs_std_sets_the_spread():
    X, y = blobs(3000, k=3, std=0.3, seed=2)
    for c in range(3):
        col = [x[0] for x, t in zip(X, y) if t == c]
        assert statistics.stdev(col) == pytest.approx(0.3, rel=0.1)


@SETTINGS
@given(n=st.integers(1, 60), seed=st.integers(), noise=st.floats(0, 1))
def test_sine_shape_range_and_targets(n, seed, noise):
    X, y = sine(n, noise=noise, seed=seed, xmin=-1.0, xmax=2.0)
    _assert_shape(X, y, n, 1)
    assert all(-1.0 <= x <= 2.0 for (x,) in X)
    X0, y0 = sine(n, noise=0.0, seed=seed, xmin=-1.0, xmax=2.0)
    assert X0 == X  # the noise level changes only the targets
    assert all(t == math.sin(x) for (x,), t in zip(X0, y0))


def test_sine_noise_has_the_requested_std():
    X, y = sine(4000, noise=0.2, seed=4)
    residuals = [t - math.sin(x) for (x,), t in zip(X, y)]
    assert statistics.stdev(residuals) == pytest.approx(0.2, rel=0.1)
    assert min(x for (x,) in X) >= -math.pi and max(x for (x,) in X) <= math.pi


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("name", sorted(ALL))
@SETTINGS
@given(seed=st.integers(-(2**64), 2**64))
def test_same_seed_same_output(name, seed):
    assert ALL[name](30, seed) == ALL[name](30, seed)


@pytest.mark.parametrize("name", sorted(ALL))
@SETTINGS
@given(seeds=st.lists(st.integers(0, 2**32), min_size=2, max_size=2, unique=True))
def test_different_seeds_different_output(name, seeds):
    a, b = seeds
    assert ALL[name](30, a) != ALL[name](30, b)


@pytest.mark.parametrize("name", sorted(ALL))
def test_global_rng_is_untouched(name):
    random.seed(123)
    state = random.getstate()
    ALL[name](25, 7)
    assert random.getstate() == state


def test_moons_noise_free_points_still_depend_on_seed_through_the_shuffle():
    a = moons(50, noise=0.0, seed=0)
    b = moons(50, noise=0.0, seed=1)
    assert a != b
    assert sorted(zip(map(tuple, a[0]), a[1])) == sorted(zip(map(tuple, b[0]), b[1]))


# --------------------------------------------------------------------------- geometry


@SETTINGS
@given(n=st.integers(1, 80), seed=st.integers(), labels=st.sampled_from(["01", "pm1"]))
def test_moons_and_circles_class_balance(n, seed, labels):
    neg, pos = sorted(LABEL_SETS[labels])
    for fn in (moons, circles):
        _, y = fn(n, seed=seed, labels=labels)
        assert y.count(neg) == n // 2
        assert y.count(pos) == n - n // 2


@SETTINGS
@given(n=st.integers(1, 80), seed=st.integers())
def test_noise_free_moons_lie_on_the_unit_half_circles(n, seed):
    X, y = moons(n, noise=0.0, seed=seed)
    for (a, b), t in zip(X, y):
        if t == 0:  # outer moon (cos t, sin t)
            assert math.hypot(a, b) == pytest.approx(1.0, abs=1e-12)
            assert b >= -1e-12
        else:  # inner moon (1 - cos t, 0.5 - sin t)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=1e-12)
            assert b <= 0.5 + 1e-12


def test_noise_free_moons_span_the_whole_half_circle():
    X, y = moons(11, noise=0.0, seed=0)
    outer = sorted(tuple(x) for x, t in zip(X, y) if t == 0)
    inner = sorted(tuple(x) for x, t in zip(X, y) if t == 1)
    assert outer[0] == pytest.approx((-1.0, 0.0), abs=1e-12)
    assert outer[-1] == pytest.approx((1.0, 0.0), abs=1e-12)
    assert inner[0] == pytest.approx((0.0, 0.5), abs=1e-12)
    assert inner[-1] == pytest.approx((2.0, 0.5), abs=1e-12)


@SETTINGS
@given(
    n=st.integers(1, 80),
    seed=st.integers(),
    factor=st.floats(0.01, 0.99),
)
def test_noise_free_circles_have_radius_1_and_factor(n, seed, factor):
    X, y = circles(n, noise=0.0, factor=factor, seed=seed)
    for x, t in zip(X, y):
        expected = 1.0 if t == 0 else factor
        assert math.hypot(*x) == pytest.approx(expected, rel=1e-12)
    points = [tuple(x) for x in X]
    if n >= 2:
        assert len(set(points)) == n  # no duplicated angles


def test_noise_moves_points_by_the_requested_std():
    X, _ = xor(4000, noise=0.2, seed=3)
    corners = TABLE_X * 1000
    dx = [x[0] - c[0] for x, c in zip(X, corners)]
    dy = [x[1] - c[1] for x, c in zip(X, corners)]
    assert statistics.stdev(dx) == pytest.approx(0.2, rel=0.1)
    assert statistics.stdev(dy) == pytest.approx(0.2, rel=0.1)
    X0, _ = moons(500, noise=0.0, seed=3)
    X1, _ = moons(500, noise=0.3, seed=3)
    assert X0 != X1


def test_xor_4_is_the_exact_table():
    assert xor() == (TABLE_X, [0, 1, 1, 0])
    assert xor(4, noise=0.0, seed=99) == (TABLE_X, [0, 1, 1, 0])
    assert xor(4, labels="pm1") == (TABLE_X, [-1, 1, 1, -1])


@SETTINGS
@given(n=st.integers(1, 50), seed=st.integers())
def test_xor_cycles_the_corners(n, seed):
    X, y = xor(n, noise=0.0, seed=seed)
    assert X == [TABLE_X[i % 4] for i in range(n)]
    assert y == [[0, 1, 1, 0][i % 4] for i in range(n)]
    Xn, yn = xor(n, noise=0.05, seed=seed)
    assert yn == y
    assert all(math.dist(a, b) < 0.5 for a, b in zip(Xn, X))


@pytest.mark.parametrize(
    ("gate", "expected"),
    [
        ("and", [0, 0, 0, 1]),
        ("or", [0, 1, 1, 1]),
        ("xor", [0, 1, 1, 0]),
        ("nand", [1, 1, 1, 0]),
        ("nor", [1, 0, 0, 0]),
    ],
)
def test_logic_truth_tables(gate, expected):
    ops = {
        "and": lambda a, b: a and b,
        "or": lambda a, b: a or b,
        "xor": lambda a, b: a != b,
        "nand": lambda a, b: not (a and b),
        "nor": lambda a, b: not (a or b),
    }
    X, y = logic(gate)
    assert X == TABLE_X
    assert y == expected
    assert y == [int(ops[gate](bool(a), bool(b))) for a, b in X]
    assert logic(gate, labels="pm1") == (TABLE_X, [2 * t - 1 for t in expected])
    assert logic(gate.upper()) == (X, y)


def test_logic_returns_fresh_lists():
    X, y = logic("and")
    X[0][0] = 5.0
    y[0] = 7
    assert logic("and") == (TABLE_X, [0, 0, 0, 1])


@SETTINGS
@given(
    n=st.integers(1, 120),
    dim=st.integers(1, 5),
    margin=st.floats(0.0, 0.49),
    seed=st.integers(),
    labels=st.sampled_from(["01", "pm1"]),
)
def test_linearly_separable_respects_its_plane_and_margin(n, dim, margin, seed, labels):
    X, y, (w, b) = linearly_separable(
        n, dim=dim, margin=margin, seed=seed, labels=labels, return_plane=True
    )
    _assert_shape(X, y, n, dim)
    assert len(w) == dim
    assert math.hypot(*w) == pytest.approx(1.0)
    assert -0.1 <= b <= 0.1
    positive = max(LABEL_SETS[labels])
    for x, t in zip(X, y):
        assert all(-1.0 <= v <= 1.0 for v in x)
        side = sum(wi * xi for wi, xi in zip(w, x)) + b
        assert abs(side) > margin
        assert (side > 0) == (t == positive)
    assert linearly_separable(n, dim=dim, margin=margin, seed=seed, labels=labels) == (X, y)


@pytest.mark.parametrize(("dim", "seed"), [(1, 0), (2, 1), (2, 2), (3, 3), (5, 4)])
def test_linearly_separable_is_learnable_by_a_perceptron(dim, seed):
    X, y = linearly_separable(150, dim=dim, margin=0.1, seed=seed)
    assert _perceptron_separates(X, y)


def test_perceptron_check_can_fail():
    X, y = xor()
    assert not _perceptron_separates(X, y, max_epochs=200)


def test_linearly_separable_margin_zero_is_still_strict():
    X, _, (w, b) = linearly_separable(500, margin=0.0, seed=8, return_plane=True)
    assert all(sum(wi * xi for wi, xi in zip(w, x)) + b != 0 for x in X)


# --------------------------------------------------------------------------- label conversion


@SETTINGS
@given(st.lists(st.sampled_from([0, 1])))
def test_to_pm1_round_trip(y):
    pm = to_pm1(y)
    assert set(pm) <= {-1, 1}
    assert [2 * t - 1 for t in y] == pm
    assert to_01(pm) == y


@SETTINGS
@given(st.lists(st.sampled_from([-1, 1])))
def test_to_01_round_trip(y):
    zo = to_01(y)
    assert set(zo) <= {0, 1}
    assert to_pm1(zo) == y


def test_converters_accept_float_and_bool_labels_and_return_ints():
    assert to_pm1((0.0, 1.0, True, False)) == [-1, 1, 1, -1]
    assert to_01([-1.0, 1.0]) == [0, 1]
    assert all(type(v) is int for v in to_pm1([0.0, 1.0]) + to_01([-1.0, 1.0]))


@pytest.mark.parametrize(
    ("fn", "y", "match"),
    [
        (to_pm1, [0, 1, 2], r"to_pm1 expects 0/1 labels, got 2 at index 2"),
        (to_pm1, [1, -1], r"got -1 at index 1 \(the labels look like -1/\+1 already\)"),
        (to_pm1, [0, 0.5], r"got 0\.5 at index 1"),
        (to_pm1, [0, "1"], r"got '1' at index 1"),
        (to_pm1, [float("nan")], r"got nan at index 0"),
        (to_01, [1, -1, 0], r"to_01 expects -1/\+1 labels, got 0 at index 2 \(.*0/1 already"),
        (to_01, [3], r"got 3 at index 0"),
        (to_01, [-1, None], r"got None at index 1"),
    ],
)
def test_converters_reject_bad_values(fn, y, match):
    with pytest.raises(ValueError, match=match):
        fn(y)


# --------------------------------------------------------------------------- bad arguments

BAD_ARGS = [
    # n
    (lambda: moons(0), ValueError, r"n must be an int >= 1, got 0"),
    (lambda: moons(-3), ValueError, r"n must be an int >= 1, got -3"),
    (lambda: moons(3.0), TypeError, r"n must be an int >= 1, got float 3\.0"),
    (lambda: moons(True), TypeError, r"n must be an int >= 1, got bool True"),
    (lambda: moons("10"), TypeError, r"n must be an int >= 1, got str '10'"),
    (lambda: circles(0), ValueError, r"n must be an int >= 1, got 0"),
    (lambda: xor(0), ValueError, r"n must be an int >= 1, got 0"),
    (lambda: xor(None), TypeError, r"n must be an int >= 1, got NoneType None"),
    (lambda: blobs(0), ValueError, r"n must be an int >= 1, got 0"),
    (lambda: linearly_separable(0), ValueError, r"n must be an int >= 1, got 0"),
    (lambda: sine(0), ValueError, r"n must be an int >= 1, got 0"),
    (lambda: sine(2.5), TypeError, r"n must be an int >= 1, got float 2\.5"),
    # noise / std
    (lambda: moons(5, noise=-0.1), ValueError, r"noise must be a finite number >= 0, got -0\.1"),
    (lambda: moons(5, noise=math.nan), ValueError, r"noise must be a finite number >= 0, got nan"),
    (lambda: circles(5, noise=math.inf), ValueError, r"noise must be .*>= 0, got inf"),
    (lambda: xor(5, noise=-1), ValueError, r"noise must be a finite number >= 0, got -1"),
    (lambda: xor(5, noise="0.1"), TypeError, r"noise must be a finite number >= 0, got str"),
    (lambda: xor(5, noise=True), TypeError, r"noise must be .* got bool True"),
    (lambda: sine(5, noise=-2.0), ValueError, r"noise must be a finite number >= 0, got -2\.0"),
    (lambda: sine(5, noise=None), TypeError, r"noise must be .* got NoneType None"),
    (lambda: blobs(5, std=-0.5), ValueError, r"std must be a finite number >= 0, got -0\.5"),
    (lambda: blobs(5, std=math.inf), ValueError, r"std must be a finite number >= 0, got inf"),
    # k / dim
    (lambda: blobs(5, k=0), ValueError, r"k must be an int >= 1, got 0"),
    (lambda: blobs(5, k=2.0), TypeError, r"k must be an int >= 1, got float 2\.0"),
    (lambda: blobs(2, k=3), ValueError, r"blobs needs n >= k .*got n=2, k=3"),
    (lambda: blobs(5, dim=0), ValueError, r"dim must be an int >= 1, got 0"),
    (lambda: linearly_separable(5, dim=0), ValueError, r"dim must be an int >= 1, got 0"),
    (lambda: linearly_separable(5, dim=1.5), TypeError, r"dim must be an int >= 1, got float"),
    # factor
    (lambda: circles(5, factor=0.0), ValueError, r"factor must be .*0 < factor < 1, got 0\.0"),
    (lambda: circles(5, factor=1), ValueError, r"factor must be .*0 < factor < 1, got 1$"),
    (lambda: circles(5, factor=-0.5), ValueError, r"0 < factor < 1, got -0\.5"),
    (lambda: circles(5, factor=math.nan), ValueError, r"0 < factor < 1, got nan"),
    (lambda: circles(5, factor="half"), TypeError, r"factor must be .* got str 'half'"),
    # margin
    (lambda: linearly_separable(5, margin=-0.1), ValueError, r"0 <= margin < 0\.5, got -0\.1"),
    (lambda: linearly_separable(5, margin=0.5), ValueError, r"0 <= margin < 0\.5, got 0\.5"),
    (lambda: linearly_separable(5, margin=math.inf), ValueError, r"margin < 0\.5, got inf"),
    (
        lambda: linearly_separable(5, return_plane="yes"),
        TypeError,
        r"return_plane must be True or False, got str 'yes'",
    ),
    # xmin / xmax
    (lambda: sine(5, xmin=1.0, xmax=1.0), ValueError, r"xmin must be < xmax, got xmin=1\.0"),
    (lambda: sine(5, xmin=2, xmax=-2), ValueError, r"xmin must be < xmax"),
    (lambda: sine(5, xmax=math.inf), ValueError, r"xmax must be a finite number, got inf"),
    (lambda: sine(5, xmin=math.nan), ValueError, r"xmin must be a finite number, got nan"),
    # labels
    (lambda: moons(5, labels="pm"), ValueError, r"labels must be '01' or 'pm1', got 'pm'"),
    (lambda: circles(5, labels=1), ValueError, r"labels must be '01' or 'pm1', got 1"),
    (lambda: xor(labels="-1/1"), ValueError, r"labels must be '01' or 'pm1', got '-1/1'"),
    (lambda: linearly_separable(5, labels=None), ValueError, r"'01' or 'pm1', got None"),
    (lambda: logic("and", labels="10"), ValueError, r"labels must be '01' or 'pm1', got '10'"),
    # gate
    (
        lambda: logic("xnor"),
        ValueError,
        r"unknown gate 'xnor'; accepted gates: 'and', 'or', 'xor', 'nand', 'nor'",
    ),
    (lambda: logic(3), TypeError, r"gate must be a string, one of 'and', .*got int 3"),
    # seed
    (lambda: moons(5, seed=1.5), TypeError, r"seed must be an int, got float 1\.5"),
    (lambda: blobs(5, seed=None), TypeError, r"seed must be an int, got NoneType None"),
    (lambda: sine(5, seed=False), TypeError, r"seed must be an int, got bool False"),
]


@pytest.mark.parametrize(("call", "exc", "match"), BAD_ARGS)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --------------------------------------------------------------------------- TF Playground's sets


def test_spiral_arms_are_half_a_turn_apart_and_grow_outwards():
    X, y = spiral(101, noise=0.0, turns=1.0, seed=0)
    arms = {c: sorted((math.hypot(*x), x) for x, t in zip(X, y) if t == c) for c in (0, 1)}
    assert len(arms[0]) == 50 and len(arms[1]) == 51
    for c, arm in arms.items():
        for r, (a, b) in arm:
            angle = 2 * math.pi * r + math.pi * c  # one turn from the centre to r = 1
            assert a == pytest.approx(r * math.cos(angle), abs=1e-12)
            assert b == pytest.approx(r * math.sin(angle), abs=1e-12)
    with pytest.raises(ValueError, match="turns must be a finite number > 0, got 0"):
        spiral(10, turns=0)


@SETTINGS
@given(seed=st.integers(0, 2**30))
def test_quadrants_label_by_the_sign_of_x1_times_x2_and_stay_centred(seed):
    X, y = quadrants(120, noise=0.0, seed=seed)
    assert all((a * b > 0) == bool(c) and min(abs(a), abs(b)) >= 0.05 for (a, b), c in zip(X, y))
    assert all(max(abs(a), abs(b)) <= 1.0 for a, b in X)


def test_gaussians_are_two_clouds_about_the_origin():
    X, y = gaussians(2000, noise=0.05, seed=3)
    for c, centre in ((0, -0.5), (1, 0.5)):
        xs = [x for x, t in zip(X, y) if t == c]
        for k in range(2):
            values = [x[k] for x in xs]
            assert statistics.fmean(values) == pytest.approx(centre, abs=0.05)
            assert statistics.stdev(values) == pytest.approx(0.3, abs=0.03)


# --------------------------------------------------------------------------- real data


@pytest.mark.parametrize(
    "name, shape, classes",
    [("digits", (1797, 64), 10), ("iris", (150, 4), 3), ("breast_cancer", (569, 30), 2),
     ("wine", (178, 13), 3)],
)  # fmt: skip
def test_real_data_sets_are_gradstep_lists(name, shape, classes):
    import nn.data

    X, y = getattr(nn.data, name)()
    assert (len(X), len(X[0])) == shape and len(y) == shape[0]
    assert all(type(v) is float for v in X[0]) and all(type(t) is int for t in y)
    assert sorted(set(y)) == list(range(classes))


def test_without_scikit_learn_the_error_says_how_to_install(monkeypatch):
    import builtins

    import nn.data

    real = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError("no sklearn")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r'pip install "gradstep\[data\]"'):
        nn.data.digits()


@SETTINGS
@given(
    fraction=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**20),
    counts=st.lists(st.integers(2, 30), min_size=1, max_size=4),
)
def test_split_is_stratified_seeded_and_loses_nothing(fraction, seed, counts):
    from nn.data import split

    y = [c for c, k in enumerate(counts) for _ in range(k)]
    X = [[float(i)] for i in range(len(y))]
    (Xa, ya), (Xb, yb) = split(X, y, fraction, seed=seed)
    assert sorted(Xa + Xb) == X  # every example once
    for c, k in enumerate(counts):
        in_test = yb.count(c)
        assert in_test == min(k - 1, max(0, round(fraction * k)))  # stratified
        assert ya.count(c) >= 1
    assert split(X, y, fraction, seed=seed) == ((Xa, ya), (Xb, yb))
    assert Xa == sorted(Xa) and Xb == sorted(Xb)  # the order of X is kept


def test_split_refuses_bad_input():
    from nn.data import split

    with pytest.raises(ValueError, match=r"test_fraction must be a number with 0 < .* got 1"):
        split([[0.0]], [0], 1)
    with pytest.raises(ValueError, match="X has 2 examples but y has 1 targets"):
        split([[0.0], [1.0]], [0])


def test_standardize_uses_the_training_set_only():
    from nn.data import standardize

    train = [[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]]
    test = [[100.0, 0.0]]
    a, b = standardize(train, test)
    for k in range(2):
        column = [r[k] for r in a]
        assert statistics.fmean(column) == pytest.approx(0.0, abs=1e-12)
    assert statistics.pstdev([r[0] for r in a]) == pytest.approx(1.0)
    sd = statistics.pstdev([1.0, 2.0, 3.0])
    assert b == [[pytest.approx((100.0 - 2.0) / sd), -10.0]]  # the test set moved nothing
    assert standardize(train)[1] is None
    with pytest.raises(ValueError, match=r"X_test\[0\] has 1 features, the training set 2"):
        standardize(train, [[1.0]])
