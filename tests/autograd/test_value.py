"""Constructing Values, what they show, and the errors for bad input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value


@pytest.mark.parametrize(
    "given_, expected",
    [
        (3, 3.0),
        (2.5, 2.5),
        (True, 1.0),
        (Fraction(1, 4), 0.25),
        (np.float64(1.5), 1.5),
        (np.float32(0.5), 0.5),
        (np.int64(7), 7.0),
        (np.bool_(True), 1.0),
        (np.array(2.0), 2.0),
    ],
)
def test_real_numbers_become_plain_floats(given_, expected):
    v = Value(given_)
    assert v.data == expected
    assert type(v.data) is float
    assert v.grad == 0.0 and type(v.grad) is float


@pytest.mark.parametrize(
    "bad, shown",
    [
        ("1.0", "str '1.0'"),
        (1 + 2j, "complex"),
        (None, "NoneType None"),
        ([1.0], "list [1.0]"),
        (np.array([1.0, 2.0]), "ndarray"),
    ],
)
def test_anything_else_is_a_type_error_saying_what_was_given(bad, shown):
    with pytest.raises(TypeError, match=r"takes a real number .*got " + shown.split()[0]):
        Value(bad)


def test_a_value_is_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"got a Value .*detach"):
        Value(Value(1.0))


def test_label_must_be_text():
    with pytest.raises(TypeError, match="label must be a str, got int 3"):
        Value(1.0, label=3)


def test_repr_is_what_a_repl_user_wants():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    assert repr(c) == "Value(data=-6.0, grad=1.0, op='*', label='c')"
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"
    assert repr(Value(2.0) ** 2) == "Value(data=4.0, grad=0.0, op='**2')"


def test_unsupported_operand_is_python_type_error():
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="unsupported operand"):
        None * Value(2.0)


def test_operators_with_numbers_on_either_side():
    x = Value(2.0)
    assert [(x + 1).data, (1 + x).data, (x - 1).data, (1 - x).data] == [3.0, 3.0, 1.0, -1.0]
    assert [(x * 3).data, (3 * x).data, (x / 4).data, (4 / x).data] == [6.0, 6.0, 0.5, 2.0]
    assert [(x**3).data, (3**x).data, (x ** Value(3.0)).data] == [8.0, 9.0, 8.0]
    assert [(-x).data, abs(Value(-2.0)).data] == [-2.0, 2.0]


def test_math_functions_refuse_values_instead_of_leaving_the_graph():
    # No __float__: math.exp(v) would silently return a float and drop out of the graph.
    import math as m

    with pytest.raises(TypeError):
        m.exp(Value(1.0))


def test_parents_are_kept_in_written_order():
    a, b = Value(1.0), Value(2.0)
    assert (a - b).parents[0] is a
    left = 5 + b
    assert left.parents[1] is b and left.parents[0].data == 5.0


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_saturating_functions_never_overflow(x):
    t, s, e = Value(x).tanh(), Value(x).sigmoid(), Value(x).exp()
    assert -1.0 <= t.data <= 1.0
    assert 0.0 <= s.data <= 1.0
    assert e.data >= 0.0  # inf past ~709.78, never OverflowError
    for v in (t, s, e):
        v.backward()


def test_exp_overflow_is_inf_and_saturated_grads_are_finite():
    assert Value(1000.0).exp().data == math.inf
    s = Value(-1000.0).sigmoid()
    s.backward()
    assert s.data == 0.0 and s.parents[0].grad == 0.0
    t = Value(1000.0).tanh()
    t.backward()
    assert t.data == 1.0 and t.parents[0].grad == 0.0


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Value(-1.0).log(), ValueError, r"log\(\) needs a positive input, got -1.0"),
        (lambda: Value(0.0).log(), ValueError, r"log\(\) needs a positive input, got 0.0"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"0.0 \*\* -1.0: zero cannot be raised"),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, r"0.0 \*\* -2.0"),
        (
            lambda: Value(-8.0) ** 0.5,
            ValueError,
            r"-8.0 \*\* 0.5: a negative base needs an integer",
        ),
        (lambda: (-2) ** Value(0.5), ValueError, r"-2.0 \*\* 0.5: a negative base"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"division by zero: 1.0 / 0.0"),
        (lambda: 3 / Value(0.0), ZeroDivisionError, r"division by zero: 3.0 / 0.0"),
    ],
)
def test_domain_errors_name_the_operation_and_operand(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_negative_base_with_integer_exponent_is_real():
    y = Value(-2.0) ** 3
    y.backward()
    assert y.data == -8.0 and y.parents[0].grad == 12.0
    assert (Value(-2.0) ** Value(2.0)).data == 4.0


def test_pow_overflow_is_signed_inf_not_an_error():
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf


def test_nan_passes_through_instead_of_raising():
    assert math.isnan(Value(math.nan).log().data)
    assert math.isnan(Value(math.nan).relu().data)


def test_slots_no_dict_identity_hash():
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.color = "red"
    w = Value(1.0)
    assert v != w and len({v, w}) == 2


@pytest.mark.parametrize(
    "make",
    [lambda: Value(10**400), lambda: Value(2.0) + 10**400, lambda: Value(2.0) ** (10**400)],
)
def test_integers_beyond_the_float_range_are_a_clear_value_error(make):
    with pytest.raises(ValueError, match="too large for a float"):
        make()


# --- constants and the notebook card ------------------------------------------------------


def test_numbers_in_arithmetic_become_constants_and_values_stay_variables():
    from autograd import Constant, dot, mean

    x = Value(2.0, label="x")
    for expr, position in ((x * 3, 1), (3 * x, 0), (x + 1, 1), (2**x, 0), (x / 4, None)):
        parents = expr.parents
        if position is not None:
            assert parents[position].is_constant and type(parents[position]) is Constant
    assert not x.is_constant and not (x * 3).is_constant
    assert all(p.is_constant for p in mean([1.0, 2.0]).parents)
    z = dot([x], [5.0])
    assert [p.is_constant for p in z.parents] == [False, True]
    assert isinstance(Constant(1.0), Value) and repr(Constant(1.0, label="y")) == (
        "Constant(1.0, label='y')"
    )


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_subtracting_a_number_is_one_node_with_the_same_value_and_gradient(a, c):
    x = Value(a)
    y = x - c
    assert y.op.name == "add" and y.parents[0] is x
    assert y.parents[1].is_constant and y.parents[1].data == -c
    assert y.data == a - c  # IEEE: a - c == a + (-c) exactly
    y.backward()
    assert x.grad == 1.0
    w = Value(a)
    k = c - w  # the other way round: the variable is negated, c is a constant
    k.backward()
    assert k.data == c - a and w.grad == -1.0


def test_the_card_shows_label_data_grad_and_op_and_escapes_the_label():
    v = Value(0.5, label="<script>alert(1)</script>")
    y = v * 2
    y.label = "y"
    y.backward()
    card = y._repr_html_()
    assert 'class="gradstep-value"' in card
    for text in ("y", "data", "1", "grad", "op *"):
        assert text in card
    leaf = v._repr_html_()
    assert "<script>" not in leaf and "&lt;script&gt;alert(1)&lt;/script&gt;" in leaf
    assert "leaf" in leaf and "grad" in leaf
    const = y.parents[1]._repr_html_()
    assert "constant" in const and "<small>grad</small>" not in const
    assert repr(y) == "Value(data=1.0, grad=1.0, op='*', label='y')"  # the text form stays
