"""The eager engine's per-op chain steps (autograd/chains.py) and its marking walk
(autograd/backprop.py).

A chain step is generated from the op's own rule (by transcription) or calls the rule; either
way it must add exactly what calling the rule and multiplying by the gradient adds. The walk
marks nodes in their ``_pass_grad`` slot instead of keeping a set; it must give the same
depth-first order as ever and leave the slots as it found them when it is not a pass.
"""

from __future__ import annotations

import gc
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Op, Value, apply, chains, ops

#: Every op of one or two inputs in the engine, with its arity (wide ops have none).
FIXED: list[tuple[Op, int]] = [
    (op, 2 if op in (ops.ADD, ops.MUL, ops.DIV, ops.POW) else 1)
    for op in ops.PRIMITIVES.values()
    if op.vstacked is None
] + [
    (ops.power(2.0), 1),
    (ops.power(3.0), 1),
    (ops.power(0.5), 1),
    (ops.power(-1.0), 1),
    (ops.clamp(-1.0, 1.0), 1),
    (ops.within(((0.0, 1.0),), "{!r} is out".format), 1),
]

#: The ops whose rule is plain arithmetic: their step is generated, not a call of the rule.
GENERATED = {"add", "mul", "div", "neg", "exp", "log", "tanh", "sigmoid", "relu", "abs",
             "pow**2", "clamp", "check"}  # fmt: skip

any_float = st.floats(allow_nan=True, allow_infinity=True)


def _node(op: Op, arity: int) -> Value:
    """A node of ``op`` (its data is overwritten by the tests: the step only reads data)."""
    inputs = [Value(0.5), Value(2.0)][:arity]
    return apply(op, *inputs)


def _step(op: Op, node: Value):  # type: ignore[no-untyped-def]
    return op._chain or chains.chain_step(op, node)


def _same(x: float, y: float) -> bool:
    """Equal bit for bit as far as Python can tell: NaN for NaN, and the sign of a zero."""
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


@pytest.mark.parametrize("op, arity", FIXED, ids=lambda x: getattr(x, "symbol", str(x)))
def test_which_steps_are_generated(op: Op, arity: int) -> None:
    step = _step(op, _node(op, arity))
    key = op.name + (op.symbol if op.name == "pow" and op is not ops.POW else "")
    assert hasattr(step, "source") == (key in GENERATED), key
    if hasattr(step, "source"):
        assert "derivative" not in step.source  # the rule is written in, not called


@pytest.mark.parametrize("op, arity", FIXED, ids=lambda x: getattr(x, "symbol", str(x)))
@settings(max_examples=60, deadline=None)
@given(data=st.lists(any_float, min_size=4, max_size=4), before=st.lists(any_float, min_size=2))
def test_each_step_adds_what_the_rule_says(op: Op, arity: int, data, before) -> None:  # type: ignore[no-untyped-def]
    """Bit for bit (NaN for NaN) the rule's derivatives times g, added to what was there."""
    node = _node(op, arity)
    parents = node._parents
    *xs, out, g = data[: arity + 2]
    for p, x in zip(parents, xs):
        p.data = x
    node.data = out
    for p, b in zip(parents, before):
        p._pass_grad = b
    start = [p._pass_grad for p in parents]
    try:
        expected = [g * d for d in op.derivative(*xs, out)]
    except Exception as error:  # the step must fail the same way
        with pytest.raises(type(error)):
            _step(op, node)(node, g)
        return
    _step(op, node)(node, g)
    for p, s, e in zip(parents, start, expected):
        assert _same(p._pass_grad, s + e), (op, xs, out, g)


def test_one_input_twice_gets_both_contributions() -> None:
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0  # p0 and p1 are the same node: two += into one slot


def test_a_rule_that_cannot_be_transcribed_still_backprops() -> None:
    x, y = Value(2.0), Value(3.0)
    z = (x**y).softplus() + x ** 3.0
    z.backward()
    s = 1 / (1 + math.exp(-(2.0**3.0)))
    assert math.isclose(x.grad, s * 3.0 * 2.0**2 + 3 * 2.0**2)
    assert math.isclose(y.grad, s * 2.0**3 * math.log(2.0))
    assert not hasattr(ops.SOFTPLUS._chain, "source")


def test_a_custom_op_calls_its_rule_and_its_arity_errors_still_name_it() -> None:
    SIN = Op("sin", "sin", math.sin, lambda x, out: (math.cos(x),))
    x = Value(0.5)
    apply(SIN, x).backward()
    assert x.grad == math.cos(0.5)
    assert SIN._chain is chains.by_rule  # a rule of yours is called, never transcribed
    # Arithmetic a transcription could read -- still called: it is not gradstep's own rule.
    TWICE = Op("twice", "2x", lambda x: 2 * x, lambda x, out: (2.0,))
    apply(TWICE, x).backward()
    assert TWICE._chain is chains.by_rule and x.grad == math.cos(0.5) + 2.0
    for arity in (1, 2, 3):
        BAD = Op("bad", "bad", lambda *xs: sum(xs), lambda *args, k=arity: (1.0,) * (k + 1))
        with pytest.raises(ValueError, match=f"rule of 'bad' returned {arity + 1} derivatives"):
            apply(BAD, *[Value(1.0)] * arity).backward()


def test_a_custom_op_of_any_arity_shares_one_step() -> None:
    ADD3 = Op("add3", "+3", lambda *xs: sum(xs), lambda *args: (1.0,) * (len(args) - 1))
    xs = [Value(float(i)) for i in range(4)]
    (apply(ADD3, xs[0]) + apply(ADD3, *xs[:2]) + apply(ADD3, *xs)).backward()
    assert [x.grad for x in xs] == [3.0, 2.0, 1.0, 1.0]


def _textbook_order(root: Value) -> list[Value]:
    """The reference: the textbook depth-first walk (a set of seen nodes and a stack of
    (node, iterator over its parents) pairs, which is recursion written out), parents in
    their order, each node after all its parents."""
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p not in seen:
                seen.add(p)
                stack.append((p, iter(p._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _random_graph(seed: int, size: int, depth: int = 0) -> Value:
    """Shared inputs, repeated parents (a * a), wide sums, and ``depth`` more ops on top."""
    rng = random.Random(seed)
    vals = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    for _ in range(size):
        a, b = rng.choice(vals), rng.choice(vals)
        vals.append(
            rng.choice([a * b, a + b, a - b, a.tanh(), a * a, autograd.sum([a, b, a, vals[0]])])
        )
    top = vals[-1]
    for i in range(depth):  # a deep chain that still reads the shared nodes now and then
        top = top * 0.5 + (rng.choice(vals) if i % 97 == 0 else 1.0)
    return top


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), size=st.integers(0, 80))
def test_the_marking_walk_keeps_the_depth_first_order(seed: int, size: int) -> None:
    root = _random_graph(seed, size)
    assert autograd.topological_order(root) == _textbook_order(root)


def test_the_walk_keeps_the_order_on_a_deep_graph() -> None:
    root = _random_graph(7, 200, depth=5000)
    order = autograd.topological_order(root)
    assert order == _textbook_order(root) and len(order) > 10_000


def test_a_deep_walk_sets_off_no_garbage_collection() -> None:
    """The walk's stack holds only nodes, which are on the heap already: a stack of
    (node, iterator) pairs 100,000 deep makes the collector run hundreds of times."""
    root = _random_graph(3, 20, depth=50_000)
    runs: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        autograd.topological_order(root)
        root.backward()
    finally:
        gc.callbacks.remove(count)
    assert runs == []
    # the same check sees the collector run for the textbook walk, which it should
    gc.callbacks.append(count)
    try:
        _textbook_order(root)
    finally:
        gc.callbacks.remove(count)
    assert runs != []


def test_a_walk_outside_a_pass_leaves_the_slots_as_they_were() -> None:
    x = Value(2.0)
    y = x * 3.0 + x
    marks = [object() for _ in autograd.topological_order(y)]
    for node, m in zip(autograd.topological_order(y), marks):
        node._pass_grad = m
    autograd.topological_order(y)
    y2 = y
    for _ in range(5000):  # and a deep walk on top of them
        y2 = y2 * 1.0
    autograd.topological_order(y2)
    assert [node._pass_grad for node in autograd.topological_order(y)] == marks


def test_topological_order_inside_a_rule_does_not_disturb_the_pass() -> None:
    """A custom rule may look at the graph (or call grad()) while backward() runs."""
    x = Value(1.5)
    seen: list[int] = []

    def rule(a: float, out: float) -> tuple[float, ...]:
        seen.append(len(autograd.topological_order(h)))  # h's nodes are in the outer pass
        return (2.0,)

    LOOK = Op("look", "look", lambda a: 2 * a, rule)
    h = x * x + x
    y = apply(LOOK, h) * h
    y.backward()
    assert seen == [3]
    h_data = 1.5 * 1.5 + 1.5
    assert x.grad == pytest.approx((2 * 1.5 + 1) * (2.0 * h_data + 2 * h_data))


def test_a_pass_that_stopped_on_an_error_leaves_no_stale_marks() -> None:
    calls = []

    def rule(a: float, out: float) -> tuple[float, ...]:
        calls.append(a)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return (1.0,)

    FLAKY = Op("flaky", "flaky", lambda a: a, rule)
    x = Value(2.0)
    y = apply(FLAKY, x * x) + x
    with pytest.raises(RuntimeError):
        y.backward()
    autograd.zero_grad(y)
    y.backward()
    assert x.grad == 2 * 2.0 + 1.0
