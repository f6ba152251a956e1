"""The NumPy backend's array forms against the float rules they stand for.

The oracle is the eager engine (its ``math.fsum``-rounded sums, and ``backward()``): the
array forms may differ from it only in the last bits of a sum.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy", reason="the NumPy backend: pip install -e '.[fast]'")

import autograd  # noqa: E402
from autograd import Value, arrays, ops  # noqa: E402

EPS = 2.0**-52
numbers = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
columns = st.lists(st.lists(numbers, min_size=3, max_size=3), min_size=1, max_size=40)


def _close_to_fsum(got, terms):
    exact = math.fsum(terms)
    bound = 4 * EPS * abs(exact) + len(terms) * EPS * EPS * math.fsum(map(abs, terms)) + 1e-300
    return abs(got - exact) <= bound


@settings(max_examples=200, deadline=None)
@given(columns)
def test_vfsum_is_fsum_to_the_last_bits(rows):
    got = arrays.fsum([np.array(r) for r in rows])
    for j in range(3):
        terms = [r[j] for r in rows]
        assert _close_to_fsum(float(got[j]), terms), (terms, got[j], math.fsum(terms))


@pytest.mark.parametrize(
    "terms, expected",
    [
        ([1.0, 1e-20, -1.0], 1e-20),
        ([1e16, 1.0, -1e16], 1.0),
        ([3.0], 3.0),
        ([1.0, math.inf, 2.0], math.inf),
        ([1.0, math.nan], math.nan),
    ],
)
def test_vfsum_keeps_what_a_plain_sum_loses(terms, expected):
    got = float(arrays.fsum([np.array([t]) for t in terms])[0])
    assert got == expected or (math.isnan(expected) and math.isnan(got))


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.lists(numbers, min_size=n, max_size=n),
            st.lists(numbers, min_size=n, max_size=n),
            st.booleans(),
            numbers,
        )
    )
)
def test_vdot_and_vlogsumexp_are_their_float_forms(case):
    w, x, with_bias, b = case
    args = w + x + ([b] if with_bias else [])
    got = float(ops.DOT.vforward(*[np.array([a]) for a in args])[0])
    assert _close_to_fsum(got, [wi * xi for wi, xi in zip(w, x)] + ([b] if with_bias else []))
    small = [v / 1e3 for v in w]
    got = float(ops.LOGSUMEXP.vforward(*[np.array([a]) for a in small])[0])
    assert math.isclose(got, ops.logsumexp(*small), rel_tol=1e-13, abs_tol=1e-13)


def _eager_and_numpy(fn, rows, params):
    """fn over a batch, eagerly (mean, backward) and by the NumPy backend: (cost, grads)."""
    for p in params:
        p.grad = 0.0
    cost = autograd.mean([fn(*r) for r in rows])
    cost.backward()
    eager = (cost.data, [p.grad for p in params])
    for p in params:
        p.grad = 0.0
    c = autograd.compile(fn, backend="numpy")
    got = c.backward_batch(rows)
    assert "with NumPy (in 1 batch)" in c.explain()
    return eager, (got, [p.grad for p in params])


def test_a_wide_op_with_repeated_inputs_adds_every_share():
    """A Σ over 30 inputs, some the same node many times (x·x, w twice): one scatter that
    must add repeated rows up."""
    w = [Value(0.1 * i - 1) for i in range(6)]

    def fn(x, y):
        t = x * x  # the same node six times over, and the parameter w[0] itself too
        terms = [wi * x for wi in w] + [t, y * y, w[0], w[1] * y] * 6
        return autograd.sum(terms).tanh()

    rows = [(0.3 * k - 2, 1.0 - 0.2 * k) for k in range(40)]
    (c0, g0), (c1, g1) = _eager_and_numpy(fn, rows, w)
    program = autograd.compile(fn, backend="numpy")
    program.backward_batch(rows)
    wide = [s for s in next(iter(program._entries.values())).numpy.steps if getattr(s, "wide", 0)]
    assert len(wide) == 1 and not wide[0].unique  # the repeated rows: np.add.at
    assert math.isclose(c1, c0, rel_tol=1e-12)
    assert all(math.isclose(a, b, rel_tol=1e-10, abs_tol=1e-12) for a, b in zip(g1, g0))


def test_a_parameter_in_a_layer_and_elsewhere_gets_both_gradients():
    """A weight both in a layer (matrix product, no row of its own) and in a term of its own
    (which needs its row): both shares reach its gradient."""
    W = [[Value(0.3), Value(-0.2)], [Value(0.5), Value(0.1)]]
    b = [Value(0.05), Value(-0.1)]
    flat = [*W[0], *W[1], *b]

    def fn(x0, x1):
        z = [autograd.dot(row, [x0, x1], bias=bi) for row, bi in zip(W, b)]
        return (z[0].tanh() + z[1].relu()) + W[0][0] * W[0][0] * 3.0 + b[1] * x0

    rows = [(0.1 * k - 1, 0.5 - 0.05 * k) for k in range(50)]
    (c0, g0), (c1, g1) = _eager_and_numpy(fn, rows, flat)
    assert math.isclose(c1, c0, rel_tol=1e-12)
    assert all(math.isclose(a, b, rel_tol=1e-10, abs_tol=1e-12) for a, b in zip(g1, g0))
    program = autograd.compile(fn, backend="numpy")
    program.backward_batch(rows)
    entry = next(iter(program._entries.values()))
    # Only the two parameters used outside the layer matrices have rows.
    assert len(entry.numpy.param_rows) == 2 and entry.numpy.layers == 1


def test_checks_with_different_messages_run_as_one_group_and_fail_with_the_right_one():
    from autograd.functional import check_within

    def fn(a, b, c):
        checked = [
            check_within(v, [(0.0, 1.0)], f"input {name} out of range: {{}}".format)
            for v, name in zip((a, b, c), "abc")
        ]
        return autograd.sum(checked)

    c = autograd.compile(fn, backend="numpy")
    rows = [(0.1, 0.2, 0.3)] * 30
    assert c.backward_batch(rows) == pytest.approx(0.6)
    entry = next(iter(c._entries.values()))
    assert (
        sum(getattr(s, "op", None) is not None and s.op.name == "check" for s in entry.numpy.steps)
        == 1
    )
    with pytest.raises(ValueError, match=r"^input b out of range: 2\.0$"):
        c.backward_batch([*rows, (0.5, 2.0, 3.0)])
