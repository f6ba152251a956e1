"""autograd.compile: a traced function replays exactly what the eager engine computes.

The oracle is the eager engine itself, run on the same function: the Python backend must give
the same floats bit for bit, the NumPy backend the same to ~1e-12 of the numbers involved, and
both the same errors. Functions come from hypothesis (random straight-line programs over every
primitive, with shared subexpressions) and from ``nn`` models.
"""

from __future__ import annotations

import math
import subprocess
import sys
import threading

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import CompileError, Value
from autograd.compiler import codegen

np = pytest.importorskip("numpy")  # the test extra installs it: this never skips in CI

BACKENDS = ("python", "numpy")

# --- random programs over every primitive ----------------------------------------------------

UNARY = {
    "neg": lambda a: -a,
    "square": lambda a: a * a,
    "pow3": lambda a: a**3,
    "inverse": lambda a: a**-1,
    "sqrt": lambda a: a**0.5,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "abs": lambda a: abs(a),
    "softplus": lambda a: a.softplus(),
    "clamp": lambda a: a.clamp(-1.0, 1.5),
    "scale": lambda a: 0.5 * a - 1,
    "rdiv": lambda a: 2 / a,
    "rpow": lambda a: 2**a,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "sum": lambda a, b: autograd.sum([a, b, a, 1.0]),
    "mean": lambda a, b: autograd.mean([a, b, b]),
    "dot": lambda a, b: autograd.dot([a, b], [b, 0.5], a),
    "logsumexp": lambda a, b: autograd.logsumexp([a, b, a]),
}


@st.composite
def programs(draw, max_steps: int = 10):
    """(steps, inputs, params): a straight-line program whose steps reuse earlier values."""
    n_in = draw(st.integers(1, 3))
    n_par = draw(st.integers(0, 2))
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        available = n_in + n_par + k
        pick = st.integers(0, available - 1)
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(sorted(UNARY))), draw(pick)))
        else:
            steps.append((draw(st.sampled_from(sorted(BINARY))), draw(pick), draw(pick)))
    number = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
    return steps, n_in, [draw(number) for _ in range(n_par)], number


def program_fn(steps, params):
    def fn(*xs):
        vals = [*xs, *params]
        for op, *args in steps:
            table = UNARY if len(args) == 1 else BINARY
            vals.append(table[op](*(vals[i] for i in args)))
        out = vals[-1]
        return out if isinstance(out, Value) else Value(out)  # a lone input

    return fn


def outcome(call, *args):
    """What ``call(*args)`` gives: ("ok", result) or ("error", type, message)."""
    try:
        return ("ok", call(*args))
    except (ValueError, ArithmeticError, autograd.AnomalyError) as e:
        return ("error", type(e), str(e))


def bits(x: float) -> tuple:
    return (math.copysign(1.0, x), x) if x == x else ("nan",)


def eager_backward(fn, params, args):
    for p in params:
        p.grad = 0.0
    out = fn(*map(Value, args))
    out.backward()
    return out.data, [p.grad for p in params]


def compiled_backward(c, params, args):
    for p in params:
        p.grad = 0.0
    out = c.backward(*args)
    return out, [p.grad for p in params]


@pytest.mark.parametrize("limit", [codegen.GENERATE_UP_TO, 0], ids=["code", "tape"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), program=programs())
def test_python_backend_is_bit_for_bit_the_eager_engine(limit, data, program):
    steps, n_in, numbers, number = program
    params = [Value(v, label=f"w{i}") for i, v in enumerate(numbers)]
    fn = program_fn(steps, params)
    default, codegen.GENERATE_UP_TO = codegen.GENERATE_UP_TO, limit
    try:  # generated code, or (limit 0) every trace replayed as a tape
        c = autograd.compile(fn, backend="python")
        c(*[0.5] * n_in)  # traced and its replay built under this limit
    except (ValueError, ArithmeticError):
        pass  # 0.5 is outside the domain: traced again below, at the drawn inputs
    finally:
        codegen.GENERATE_UP_TO = default
    for _ in range(3):  # several calls of one trace: the replay must not keep stale numbers
        args = [data.draw(number) for _ in range(n_in)]
        expected = outcome(eager_backward, fn, params, args)
        got = outcome(compiled_backward, c, params, args)
        event(f"eager: {expected[0]}")
        if expected[0] == "error" or got[0] == "error":
            assert got == expected
            continue
        (e_out, e_grads), (g_out, g_grads) = expected[1], got[1]
        assert bits(g_out) == bits(e_out)
        assert [bits(g) for g in g_grads] == [bits(g) for g in e_grads]
        assert bits(c(*args)) == bits(e_out)


def close_to_eager(got: float, expected: float, scale: float) -> bool:
    """Equal to ~1e-12 of the numbers involved (NumPy sums and rounds transcendental
    functions in its own way, so cancellation may cost a few more bits than that)."""
    if math.isnan(expected) or math.isinf(expected):
        return bits(got) == bits(expected)
    return abs(got - expected) <= 1e-12 * max(scale, abs(expected), 1.0)


def magnitude(fn, args) -> float:
    """The largest number the eager graph of ``fn(*args)`` holds: what rounding scales with."""
    out = fn(*map(Value, args))
    out.backward()
    nodes = autograd.topological_order(out)
    return max(max(abs(v.data), abs(v.grad)) for v in nodes)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), program=programs())
def test_numpy_batches_match_the_eager_mean(data, program):
    steps, n_in, numbers, number = program
    params = [Value(v, label=f"w{i}") for i, v in enumerate(numbers)]
    fn = program_fn(steps, params)
    batch = [
        tuple(data.draw(number) for _ in range(n_in)) for _ in range(data.draw(st.integers(1, 6)))
    ]

    def eager():
        for p in params:
            p.grad = 0.0
        cost = autograd.mean([fn(*map(Value, a)) for a in batch])
        cost.backward()
        return cost.data, [p.grad for p in params]

    def compiled():
        for p in params:
            p.grad = 0.0
        cost = autograd.compile(fn, backend="numpy").backward_batch(batch)
        return cost, [p.grad for p in params]

    expected = outcome(eager)
    got = outcome(compiled)
    event(f"eager: {expected[0]}")
    if expected[0] == "error" or got[0] == "error":
        assert got == expected  # the same error, with the same message
        return
    scale = max(magnitude(fn, a) for a in batch)
    if not math.isfinite(scale):
        return  # an infinity inside: NaN and inf propagate alike, but not to compare digits
    (e_cost, e_grads), (g_cost, g_grads) = expected[1], got[1]
    assert close_to_eager(g_cost, e_cost, scale)
    for g, e in zip(g_grads, e_grads):
        assert close_to_eager(g, e, scale), (g_grads, e_grads)


def moons_model(sizes=(16, 16, 1), activation="relu", **kw):
    X, y = nn.data.moons(40, noise=0.1, seed=1, labels="pm1")
    model = nn.MLP(2, list(sizes), activation=activation, seed=2, **kw)
    return model, list(zip(X, y))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_mlp_batch_matches_eager_to_1e_12(activation, backend):
    model, batch = moons_model(activation=activation)
    params = model.parameters()

    def loss(x, t):
        return nn.hinge([model(x)], [t])

    cost = autograd.mean([loss(x, t) for x, t in batch])
    cost.backward()
    expected = [p.grad for p in params]
    model.zero_grad()
    got_cost = autograd.compile(loss, backend=backend).backward_batch(batch)
    got = [p.grad for p in params]
    assert math.isclose(got_cost, cost.data, rel_tol=1e-12)
    norm = max(abs(g) for g in expected)
    assert norm > 0
    assert all(abs(a - b) <= 1e-12 * norm for a, b in zip(got, expected))
    # ... and per parameter, for every gradient not itself a cancellation
    assert all(
        math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14 * norm) for a, b in zip(got, expected)
    )


def test_the_numpy_backend_runs_dense_layers_as_matrix_products():
    model, batch = moons_model()
    c = autograd.compile(lambda x, t: nn.hinge([model(x)], [t]), backend="numpy")
    c.backward_batch(batch)
    assert "3 as matrix products" in c.explain()


# --- what becomes what -------------------------------------------------------------------------


def test_parameters_are_read_live_and_their_gradients_accumulate():
    w = Value(2.0, label="w")
    c = autograd.compile(lambda x: w * x)
    assert c(3.0) == 6.0
    w.data = 5.0  # an optimizer step between calls
    assert c(3.0) == 15.0
    c.backward(3.0)
    c.backward(1.0)
    assert w.grad == 4.0  # added, as backward() adds


def test_numbers_are_constants_and_values_made_inside_are_parameters():
    w = Value(1.5)

    def f(x):
        return w * x * Value(2.0) + 1  # 1 is a constant; Value(2.0) could be a lazy weight

    c = autograd.compile(f)
    c.backward(3.0)
    trace = c.trace
    assert trace.params[0] is w and len(trace.params) == 2
    assert trace.constant_values == [1.0]
    assert w.grad == 6.0


def test_a_weight_made_lazily_on_the_first_call_is_a_live_parameter():
    class Lazy:
        w: Value | None = None

        def __call__(self, x):
            if self.w is None:
                self.w = Value(1.0, label="w")
            return self.w * x * x

    model = Lazy()
    c = autograd.compile(model)
    assert c(2.0) == 4.0
    model.w.data = 10.0  # an optimizer step
    assert c(2.0) == 40.0 and c.backward(2.0) == 40.0
    assert model.w.grad == 4.0


def test_value_arguments_get_their_gradients():
    w = Value(3.0)
    c = autograd.compile(lambda a, xs: w * a * autograd.sum(xs))
    a, x1 = Value(2.0), Value(5.0)
    assert c.backward(a, [x1, 1.0]) == 36.0
    assert (a.grad, x1.grad, w.grad) == (18.0, 6.0, 12.0)
    a.grad = x1.grad = 0.0
    c.backward_batch([(a, [x1, 1.0]), (2.0, [1.0, 1.0])], reduction="sum", backend="numpy")
    assert (a.grad, x1.grad) == (18.0, 6.0)


def test_several_outputs_and_backward_follows_the_first():
    w = Value(2.0)
    c = autograd.compile(lambda x: (w * x, w + x))
    assert c(3.0) == (6.0, 5.0)
    assert c.backward(3.0) == (6.0, 5.0)
    assert w.grad == 3.0
    cost, outputs = c.backward_batch([(1.0,), (3.0,)], return_outputs=True)
    assert (cost, outputs) == (4.0, [(2.0, 3.0), (6.0, 5.0)])


def test_a_new_argument_structure_traces_again_and_each_is_kept():
    c = autograd.compile(lambda xs: autograd.sum([x * x for x in xs]))
    assert c([1.0, 2.0]) == 5.0
    assert c([1.0, 2.0, 3.0]) == 14.0
    assert c((4.0, 1.0)) == 17.0
    assert c.traces == 2
    assert c.graph.data == 17.0  # the graph of the last trace, with the last call's numbers
    cost = c.backward_batch([([1.0],), ([1.0, 2.0],), ([3.0],)], reduction="sum")
    assert cost == 1.0 + 5.0 + 9.0
    assert c.traces == 3


def test_the_graph_is_a_value_the_teaching_views_take():
    w = Value(0.5, label="w")
    c = autograd.compile(lambda x: (w * x).tanh())
    with pytest.raises(ValueError, match="nothing traced yet"):
        _ = c.graph
    c(1.0)
    order = autograd.topological_order(c.graph)
    assert w in order and c.graph.op.name == "tanh"
    assert "x" in {v.label for v in order}  # the input placeholder is named after its argument


def test_explain_says_what_was_compiled():
    w = Value(1.0)
    c = autograd.compile(lambda xs, t: (w * xs[0] + xs[1] - t) ** 2)
    assert "nothing traced" in c.explain()
    c.backward_batch([([1.0, 2.0], 3.0)] * 50, backend="numpy")
    text = c.explain()
    assert text.startswith("<lambda>(xs[2], t) traced once:")
    assert "3 inputs, 1 parameter" in text and "50 with NumPy (in 1 batch)" in text


def test_decorator_forms():
    @autograd.compile
    def f(x):
        return x * 2

    @autograd.compile(backend="python")
    def g(x):
        return x * 3

    assert (f(1.0), g(1.0)) == (2.0, 3.0)
    assert isinstance(f, autograd.Compiled) and g.backend == "python"


# --- refusals: data-dependent structure is never baked in ------------------------------------


def refused(fn, *args, match):
    with pytest.raises(CompileError, match=match) as info:
        autograd.compile(fn)(*args)
    return str(info.value)


def test_reading_data_is_refused_with_the_line():
    def f(x):
        if x.data > 0:  # the line the error must name
            return x * 2
        return x * 3

    message = refused(f, 1.0, match="reads .data of the input x ")
    assert "if x.data > 0:" in message and "test_compile.py" in message


@pytest.mark.parametrize(
    "fn, how",
    [
        (lambda x: x * 2 if x > 0 else x, r"compares \(>\)"),
        (lambda x: max(x, x * 2), "compares"),
        (lambda x: x if bool(x) else -x, r"calls bool\(\) on"),
        (lambda x: Value(x.item()), r"calls item\(\) on"),
        (lambda x: x.detach() * x, r"calls detach\(\) on"),
    ],
    ids=["comparison", "max", "bool", "item", "detach"],
)
def test_every_way_of_reading_a_number_is_refused(fn, how):
    refused(fn, 1.0, match=how)


def test_a_parameter_read_is_refused_too():
    w = Value(1.0, label="w")
    refused(lambda x: x * (2.0 if w.data > 0 else 3.0), 1.0, match="the parameter 'w'")


def test_the_step_activation_is_refused_and_the_others_compile():
    model = nn.MLP(2, [3, 1], activation="step")
    with pytest.raises(CompileError, match="'step' activation"):
        autograd.compile(model)([1.0, 2.0])
    for activation in ("relu", "tanh", "sigmoid", "linear"):
        m = nn.MLP(2, [3, 1], activation=activation, seed=0)
        assert autograd.compile(m)([1.0, 2.0]) == m([1.0, 2.0]).data


@pytest.mark.parametrize("loss", sorted(nn.losses.LOSSES))
def test_every_builtin_loss_compiles(loss):
    model = nn.MLP(2, [4, 2 if loss == "cross_entropy" else 1], seed=0)
    fn = nn.losses.get_loss(loss)
    target = [1.0, 0.0] if loss == "cross_entropy" else (1.0 if loss == "hinge" else 0.0)
    out = model if loss != "binary_cross_entropy" else (lambda x: model(x).sigmoid())

    def f(x, t):
        return fn([out(x)], [t])

    c = autograd.compile(f, backend="python")
    assert bits(c([0.5, -1.0], target)) == bits(f([0.5, -1.0], target).data)


def test_a_value_computed_before_the_call_is_refused():
    w = Value(2.0)
    w2 = w * w  # computed eagerly, outside: a replay could not recompute it
    refused(lambda x: w2 * x, 1.0, match="computed before the call")


def test_no_grad_inside_is_refused():
    def f(x):
        with autograd.no_grad():
            y = x * 2
        return y + x

    refused(f, 1.0, match="under no_grad")


def test_bad_returns_and_arguments():
    refused(lambda x: 3.0, 1.0, match="must return a Value")
    with pytest.raises(TypeError, match="numbers, Values and lists"):
        autograd.compile(lambda x: x * 2)("1.0")
    c = autograd.compile(lambda x: x * 2)
    c(1.0)
    with pytest.raises(TypeError, match="str '1'"):
        c.backward_batch([("1",)], backend="numpy")
    with pytest.raises(TypeError, match="takes a function"):
        autograd.compile(3)
    with pytest.raises(ValueError, match="backend must be one of"):
        autograd.compile(lambda x: x, backend="gpu")
    with pytest.raises(ValueError, match="reduction must be"):
        c.backward_batch([(1.0,)], reduction="max")
    with pytest.raises(ValueError, match="non-empty list"):
        c.backward_batch([])


@pytest.mark.parametrize("traced_before", [False, True])
def test_a_compiled_function_is_not_called_inside_another(traced_before):
    w = Value(2.0)
    inner = autograd.compile(lambda x: w * x)
    if traced_before:
        inner(1.0)  # its replay would hand back a bare number: frozen into the outer trace
    with pytest.raises(CompileError, match="while tracing"):
        autograd.compile(lambda x: x * inner(1.0))(1.0)


# --- errors: the eager engine's, from every backend --------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_domain_errors_are_the_eager_ones(backend):
    w = Value(1.0)

    def f(x):
        return (w * x).log()

    batch = [(1.0,), (2.0,), (-3.0,), (0.0,)]
    with pytest.raises(ValueError) as eager:
        autograd.mean([f(*a) for a in batch])
    with pytest.raises(ValueError) as compiled:
        autograd.compile(f, backend=backend).backward_batch(batch)
    assert str(compiled.value) == str(eager.value)
    assert w.grad == 0.0  # nothing was added


@pytest.mark.parametrize("backend", BACKENDS)
def test_anomalies_are_the_eager_ones(backend):
    w = Value(1.0)

    def f(x):
        return (w * x).exp() * 0.0 + (w / x)

    batch = [(1.0,), (1000.0,)]
    with autograd.detect_anomaly():
        with pytest.raises(autograd.AnomalyError) as eager:
            autograd.mean([f(*a) for a in batch]).backward()
        c = autograd.compile(f, backend=backend)
        with pytest.raises(autograd.AnomalyError) as compiled:
            c.backward_batch(batch)
        with pytest.raises(autograd.AnomalyError) as single:
            c(1000.0)
    assert str(compiled.value) == str(eager.value)
    assert str(single.value) == str(eager.value)
    c.backward_batch(batch)  # without anomaly detection, inf is only a number


# --- backends -------------------------------------------------------------------------------------


def test_auto_takes_numpy_for_big_batches_only():
    model, batch = moons_model(sizes=(4, 1))
    c = autograd.compile(lambda x, t: nn.hinge([model(x)], [t]))
    c.backward_batch(batch[:2])
    c.backward_batch(batch * 3)
    assert "replayed: 2 examples in Python, 120 with NumPy (in 1 batch)" in c.explain()


def test_import_autograd_imports_no_numpy_and_python_works_without_it():
    code = (
        "import sys; sys.modules['numpy'] = None\n"  # as if NumPy were not installed
        "import autograd, nn\n"
        "from autograd import Value\n"
        "w = Value(2.0)\n"
        "c = autograd.compile(lambda x: w * x)\n"
        "assert c.backward_batch([(1.0,)] * 5000) == 2.0\n"  # auto: Python without NumPy
        "try:\n"
        "    c.backward_batch([(1.0,)], backend='numpy')\n"
        "except autograd.CompileError as e:\n"
        "    assert 'gradstep[fast]' in str(e), e\n"
        "else:\n"
        "    raise AssertionError('numpy backend without numpy')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    fresh = "import sys, autograd, nn; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", fresh], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


# --- threads -------------------------------------------------------------------------------


def test_tracing_in_one_thread_does_not_refuse_reads_in_another():
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow(x):
        started.set()
        release.wait(5)
        return x * 2

    def trace():
        try:
            autograd.compile(slow)(1.0)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=trace)
    t.start()
    assert started.wait(5)
    v = Value(3.0) * 2
    assert v.data > 0 and v.item() == 6.0 and bool(v)  # reads here are nobody's business
    release.set()
    t.join()
    assert not errors


def test_concurrent_batches_add_up():
    model, batch = moons_model(sizes=(4, 1))
    c = autograd.compile(lambda x, t: nn.hinge([model(x)], [t]))
    c.backward_batch(batch, reduction="sum")
    once = [p.grad for p in model.parameters()]
    model.zero_grad()
    threads = [
        threading.Thread(
            target=c.backward_batch, args=(batch,), kwargs={"reduction": "sum", "backend": b}
        )
        for b in ("python", "numpy") * 4
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p, g in zip(model.parameters(), once):
        assert math.isclose(p.grad, 8 * g, rel_tol=1e-11, abs_tol=1e-12)


# --- the array forms of the primitives -----------------------------------------------------------

ARRAY_FORMS = [
    ("log", autograd.ops.LOG, [np.array([0.5, 2.0, 1e-300, 7.0])]),
    ("exp", autograd.ops.EXP, [np.array([-800.0, 0.0, 3.0, 700.0])]),
    ("tanh", autograd.ops.TANH, [np.array([-30.0, 0.1, 2.0])]),
    ("sigmoid", autograd.ops.SIGMOID, [np.array([-800.0, -1.0, 0.0, 5.0, 800.0])]),
    ("softplus", autograd.ops.SOFTPLUS, [np.array([-800.0, -1.0, 0.0, 1e-20, 40.0, 800.0])]),
    ("relu", autograd.ops.RELU, [np.array([-1.0, 0.0, 2.0, np.nan])]),
    ("div", autograd.ops.DIV, [np.array([1.0, -2.0, 0.0]), np.array([3.0, 1e-300, -4.0])]),
    ("pow", autograd.ops.POW, [np.array([2.0, 0.0, 9.0, -8.0]), np.array([0.5, 2.0, -0.5, 3.0])]),
    (
        "sum",
        autograd.ops.SUM,
        [np.array([1.0, 2.0]), np.array([1e-20, 3.0]), np.array([-1.0, 0.5])],
    ),
    (
        "logsumexp",
        autograd.ops.LOGSUMEXP,
        [np.array([1000.0, -np.inf, 0.0]), np.array([1000.0, -np.inf, 1e-3])],
    ),
    ("clamp", autograd.ops.clamp(-1.0, 1.0), [np.array([-5.0, 0.25, 5.0, np.nan])]),
]


@pytest.mark.parametrize("name, op, arrays", ARRAY_FORMS, ids=[r[0] for r in ARRAY_FORMS])
def test_array_forms_agree_with_the_scalar_forward(name, op, arrays):
    got = op.vforward(*arrays)
    for i in range(len(arrays[0])):
        expected = op.forward(*(float(a[i]) for a in arrays))
        assert got[i] == pytest.approx(expected, rel=1e-15, abs=0, nan_ok=True), (name, i)


@pytest.mark.parametrize(
    "op, arrays",
    [
        (autograd.ops.LOG, [np.array([1.0, -2.0, 0.0])]),
        (autograd.ops.DIV, [np.array([1.0, 2.0]), np.array([1.0, 0.0])]),
        (autograd.ops.POW, [np.array([1.0, -8.0]), np.array([2.0, 0.5])]),
        (autograd.ops.within(((0.0, 1.0),), "need [0, 1], got {}".format), [np.array([0.5, 1.5])]),
        (
            autograd.ops.within(((-1.0, -1.0), (1.0, 1.0)), "need ±1, got {}".format),
            [np.array([1.0, 0.0])],
        ),
    ],
)
def test_array_forms_raise_the_scalar_error_of_the_first_bad_element(op, arrays):
    first_bad = 1
    with pytest.raises(Exception) as scalar:
        op.forward(*(float(a[first_bad]) for a in arrays))
    with pytest.raises(type(scalar.value), match=re_escape(str(scalar.value))):
        op.vforward(*arrays)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


# --- found by trying to break it -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, what",
    [
        (lambda x: x + autograd.grad(x * x, [x])[0], r"calls backward\(\) or grad\(\)"),
        (lambda x: x * float(f"{x:.3f}"), "formats"),
        (lambda x: x * (x * x).local_grads()[0], r"calls local_grads\(\)"),
    ],
    ids=["grad", "format", "local_grads"],
)
def test_numbers_read_through_the_engine_itself_are_refused(fn, what):
    refused(fn, 2.0, match=what)


def test_backward_inside_is_refused():
    def f(x):
        y = x * x
        y.backward()
        return y

    refused(f, 2.0, match="backward")


def test_a_refusal_the_function_swallows_is_raised_all_the_same():
    def f(x):
        try:
            scale = 1.0 / x.data
        except Exception:  # the point: it catches the refusal too
            scale = 1.0
        return x * scale

    refused(f, 2.0, match="reads .data of the input x")


def test_labels_python_would_confuse_are_not_variable_names():
    a, b = Value(1.0, label="µ"), Value(5.0, label="μ")  # micro sign, Greek mu: one name to Python
    seed = Value(3.0, label="ｓeed")  # folds into 'seed', a name of the generated code
    c = autograd.compile(lambda x: a * x + b * x * x + seed)
    assert c(2.0) == 1.0 * 2 + 5.0 * 4 + 3.0
    c.backward(2.0)
    assert (a.grad, b.grad, seed.grad) == (2.0, 4.0, 1.0)


def test_rules_of_your_own_run_at_every_call():
    scale = [2.0]
    square = autograd.ops.Op(
        "sq", "sq", lambda a: a * a * scale[0], lambda a, out: (2 * a * scale[0],)
    )
    c = autograd.compile(lambda x: autograd.apply(square, x) * autograd.apply(square, -3.0))
    assert c(1.0) == 2.0 * 18.0
    scale[0] = 1.0  # a rule reading a global: a replay must see the change, as eager does
    assert c(1.0) == 1.0 * 9.0
    halve = autograd.ops.Op(
        "half", "h", lambda a: complex(a) if a < 0 else a / 2, lambda a, out: (0.5,)
    )
    c = autograd.compile(lambda x: autograd.apply(halve, x))
    assert c(4.0) == 2.0
    with pytest.raises(TypeError) as eager:
        autograd.apply(halve, Value(-1.0))
    with pytest.raises(TypeError) as compiled:
        c(-1.0)
    assert str(compiled.value) == str(eager.value)


def test_a_computed_value_as_argument_passes_its_gradient_on():
    w = Value(0.5, label="w")
    c = autograd.compile(lambda x: (x * w).tanh())
    c.backward(w * 0.5)  # the argument depends on w too
    compiled = w.grad
    w.grad = 0.0
    x = w * 0.5
    (x * w).tanh().backward()
    assert compiled == w.grad


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_raises_the_error_eager_raises_first(backend):
    def f(x):
        return x**3 + (x - 2).log()  # example 0 overflows in backward, example 1 fails forward

    batch = [(1e200,), (1.0,)]
    with pytest.raises(Exception) as eager:
        autograd.mean([f(Value(a)) for (a,) in batch]).backward()
    with pytest.raises(Exception) as compiled:
        autograd.compile(f, backend=backend).backward_batch([(3.0,), (5.0,)] * 2000 + batch)
    assert type(compiled.value) is type(eager.value)
    assert str(compiled.value) == str(eager.value)


@pytest.mark.parametrize("backend", ["python", "numpy"])
def test_past_the_float_range_compiled_gives_what_eager_gives(backend):
    # (1e200 ** 3)' overflows: eagerly the cube and its slope are inf (no OverflowError).
    w = Value(1.0)

    def cube(x):
        return (w * x) ** 3

    eager = autograd.mean([cube(Value(a)) for a in (1.0, 1e200)])
    eager.backward()
    eager_grad, w.grad = w.grad, 0.0
    assert eager.data == eager_grad == math.inf
    cost = autograd.compile(cube, backend=backend).backward_batch([(1.0,), (1e200,)])
    assert (cost, w.grad) == (eager.data, eager_grad)


def test_an_op_of_yours_without_an_array_form_stays_in_python():
    cos = autograd.ops.Op("cos", "cos", math.cos, lambda a, out: (-math.sin(a),))
    c = autograd.compile(lambda x: autograd.apply(cos, x))
    with pytest.raises(CompileError, match="no array form"):
        c.backward_batch([(0.5,)], backend="numpy")
    assert c.backward_batch([(0.5,)] * 3000) == pytest.approx(math.cos(0.5))  # auto: Python


def test_a_rule_that_fails_on_arrays_falls_back_to_python_for_good():
    cos = autograd.ops.Op(
        "cos", "cos", math.cos, lambda a, out: (-math.sin(a),), vforward=lambda a: np.cos(a)
    )
    w = Value(0.5)
    c = autograd.compile(lambda x: autograd.apply(cos, w * x), backend="numpy")
    c.backward_batch([(1.0,), (2.0,)], reduction="sum")
    assert w.grad == pytest.approx(-math.sin(0.5) - 2 * math.sin(1.0))
    assert "numpy: not used -- TypeError" in c.explain()


def test_a_parameter_holding_a_non_number_is_the_eager_type_error():
    w = Value(1.0, label="w")
    c = autograd.compile(lambda x: w * x)
    c(1.0)
    w.data = Value(2.0)  # a classic slip
    with pytest.raises(TypeError) as eager:
        w * 1.0
    with pytest.raises(TypeError) as compiled:
        c(1.0)
    assert str(compiled.value) == str(eager.value)


def test_gradients_are_plain_floats():
    x = Value(2.0)
    w = Value(1.0)
    autograd.compile(lambda a: w * a).backward_batch([(x,), (1.0,)], backend="numpy")
    assert type(x.grad) is float and type(w.grad) is float


def test_under_no_grad_nothing_is_added_and_tracing_still_works():
    w = Value(2.0)
    c = autograd.compile(lambda x: w * x)
    with autograd.no_grad():
        assert c.backward(3.0) == 6.0  # traced here, under no_grad
        assert c.backward_batch([(1.0,)]) == 2.0
    assert w.grad == 0.0  # as eagerly: no graph, no gradient
    c.backward(3.0)
    assert w.grad == 3.0


@pytest.mark.parametrize("n", [1, 2, 7])
def test_a_python_batch_with_a_regulariser_is_eager_bit_for_bit(n):
    model, batch = moons_model(sizes=(5, 1), activation="tanh")
    params = model.parameters()
    batch = batch[:n]

    def loss(x, t):
        return nn.hinge([model(x)], [t])

    cost = autograd.mean([loss(x, t) for x, t in batch]) + nn.l2(params, 1e-3)
    cost.backward()
    expected = [p.grad for p in params]
    model.zero_grad()
    reg = autograd.compile(lambda: nn.l2(params, 1e-3))
    got = autograd.compile(loss).backward_batch(batch, plus=reg, backend="python")
    assert got == cost.data
    assert [p.grad for p in params] == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_list_where_the_first_row_has_a_number_is_another_structure(backend):
    c = autograd.compile(lambda x: autograd.sum(x) if isinstance(x, list) else x * 1.0)
    batch = [(1.0,), ([2.0, 3.0],), ([4.0, 5.0],)] * 1000
    assert c.backward_batch(batch, reduction="sum", backend=backend) == 15.0 * 1000
    assert c.traces == 2
