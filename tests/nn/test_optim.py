"""Tests for nn.optim: SGD and Adam against hand-computed updates, state, and errors."""

import copy
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.value as value_module
from autograd import Value
from nn import MLP, data, fit, mse
from nn.optim import SGD, Adam, GradientsNotZeroedWarning, Optimizer

TARGET = 3.0
TIGHT = {"rel": 1e-12, "abs": 1e-12}


def quadratic_step(opt, w):
    """One training step on f(w) = (w - 3)^2 through autograd."""
    opt.zero_grad()
    loss = (w - TARGET) ** 2
    loss.backward()
    opt.step()


def quad_grad(w):
    """df/dw of (w - 3)^2, in plain floats."""
    return 2.0 * (w - TARGET)


# --- hand-computed references (plain floats, textbook formulas) -----------------------------


def sgd_reference(w, lr, steps, momentum=0.0, weight_decay=0.0):
    trajectory = []
    v = None
    for _ in range(steps):
        g = quad_grad(w) + weight_decay * w
        if momentum:
            v = g if v is None else momentum * v + g
            g = v
        w = w - lr * g
        trajectory.append(w)
    return trajectory


def adam_reference(w, lr, steps, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    trajectory = []
    m = v = 0.0
    for t in range(1, steps + 1):
        g = quad_grad(w) + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
        trajectory.append(w)
    return trajectory


def run(opt, w, steps):
    trajectory = []
    for _ in range(steps):
        quadratic_step(opt, w)
        trajectory.append(w.data)
    return trajectory


# --- SGD ------------------------------------------------------------------------------------


def test_sgd_first_steps_by_hand():
    w = Value(0.0)
    opt = SGD([w], lr=0.1)
    # grad = 2(0 - 3) = -6 -> w = 0 + 0.6; grad = 2(0.6 - 3) = -4.8 -> w = 0.6 + 0.48
    quadratic_step(opt, w)
    assert w.data == pytest.approx(0.6, **TIGHT)
    quadratic_step(opt, w)
    assert w.data == pytest.approx(1.08, **TIGHT)


@pytest.mark.parametrize("w0", [0.0, -2.5, 10.0])
@pytest.mark.parametrize("lr", [0.01, 0.1, 0.4])
def test_sgd_matches_reference(w0, lr):
    w = Value(w0)
    assert run(SGD([w], lr=lr), w, 8) == pytest.approx(sgd_reference(w0, lr, 8), **TIGHT)


@pytest.mark.parametrize(
    "momentum, weight_decay", [(0.9, 0.0), (0.5, 0.0), (0.0, 0.1), (0.9, 0.05)]
)
def test_sgd_momentum_and_weight_decay_match_reference(momentum, weight_decay):
    w = Value(-1.0)
    opt = SGD([w], lr=0.05, momentum=momentum, weight_decay=weight_decay)
    expected = sgd_reference(-1.0, 0.05, 10, momentum, weight_decay)
    assert run(opt, w, 10) == pytest.approx(expected, **TIGHT)


def test_sgd_momentum_first_step_is_plain_sgd_then_accumulates():
    w = Value(0.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    quadratic_step(opt, w)  # v = g = -6
    assert w.data == pytest.approx(0.6, **TIGHT)
    quadratic_step(opt, w)  # g = -4.8, v = 0.9 * -6 - 4.8 = -10.2
    assert w.data == pytest.approx(0.6 + 1.02, **TIGHT)


def test_sgd_weight_decay_pulls_the_minimum_towards_zero():
    # (w - 3)^2 + (wd / 2) w^2 has its minimum at 6 / (2 + wd).
    w = Value(0.0)
    opt = SGD([w], lr=0.1, weight_decay=1.0)
    run(opt, w, 300)
    assert w.data == pytest.approx(2.0, abs=1e-9)


def test_sgd_several_params_are_updated_independently():
    a, b = Value(1.0), Value(-2.0)
    a.grad, b.grad = 0.5, -4.0
    SGD([a, b], lr=0.25).step()
    assert (a.data, b.data) == (1.0 - 0.125, -2.0 + 1.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda w: SGD([w], lr=0.1),
        lambda w: SGD([w], lr=0.01, momentum=0.9),
        lambda w: Adam([w], lr=0.1),
        lambda w: Adam([w], lr=0.05, betas=(0.8, 0.99)),
    ],
)
def test_converges_to_the_minimum(make):
    w = Value(-4.0)
    run(make(w), w, 2000)
    assert w.data == pytest.approx(TARGET, abs=1e-4)


# --- Adam -----------------------------------------------------------------------------------


def test_adam_first_step_moves_by_lr_against_the_gradient_sign():
    for grad, expected in [(123.0, 0.9), (-0.001, 1.1)]:
        w = Value(1.0)
        w.grad = grad
        Adam([w], lr=0.1).step()
        assert w.data == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lr": 0.1},
        {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3},
        {"lr": 0.1, "betas": (0.0, 0.0)},
        {"lr": 0.1, "weight_decay": 0.2},
    ],
)
def test_adam_matches_reference(kwargs):
    w = Value(0.5)
    opt = Adam([w], **kwargs)
    beta1, beta2 = kwargs.get("betas", (0.9, 0.999))
    expected = adam_reference(
        0.5,
        kwargs.get("lr", 0.001),
        12,
        beta1,
        beta2,
        kwargs.get("eps", 1e-8),
        kwargs.get("weight_decay", 0.0),
    )
    assert run(opt, w, 12) == pytest.approx(expected, **TIGHT)
    assert opt.steps == 12


def test_adam_by_hand_two_steps():
    w = Value(0.0)
    opt = Adam([w], lr=0.1, betas=(0.5, 0.5), eps=1e-300)
    quadratic_step(opt, w)
    # g = -6: m = -3, v = 18, m_hat = -6, v_hat = 36 -> w = 0 + 0.1 * 6 / 6
    assert w.data == pytest.approx(0.1, **TIGHT)
    quadratic_step(opt, w)
    # g = -5.8: m = -4.4, v = 25.82; m_hat = -4.4/0.75, v_hat = 25.82/0.75
    expected = 0.1 + 0.1 * (4.4 / 0.75) / math.sqrt(25.82 / 0.75)
    assert w.data == pytest.approx(expected, **TIGHT)


# --- what a step may touch --------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda ps: Adam(ps, lr=0.1, weight_decay=0.01),
    ],
)
def test_step_builds_no_graph_nodes(make, monkeypatch):
    params = [Value(1.0, label="a"), Value(-2.0, label="b")]
    opt = make(params)
    loss = (params[0] * params[1] - 1) ** 2
    loss.backward()
    grads = [p.grad for p in params]

    made = []
    real_node = value_module._node
    monkeypatch.setattr(value_module, "_node", lambda *args: made.append(args) or real_node(*args))
    monkeypatch.setattr(value_module, "_new", lambda cls: made.append(cls) or object.__new__(cls))
    opt.step()
    with pytest.warns(GradientsNotZeroedWarning):  # the same .grad twice, and it says so
        opt.step()
    assert made == []
    for p, g, label in zip(params, grads, ["a", "b"]):
        assert p.parents == () and p.op is None and p.is_leaf
        assert type(p.data) is float
        assert p.grad == g  # step leaves gradients alone
        assert p.label == label


def test_step_with_int_data_leaves_a_float():
    w = Value(1.0)
    w.data = 2  # someone assigned an int
    w.grad = 1
    SGD([w], lr=1).step()
    assert type(w.data) is float and w.data == 1.0


def test_zero_grad_resets_only_grads():
    params = [Value(1.0), Value(2.0), Value(3.0)]
    for i, p in enumerate(params):
        p.grad = float(i) + 0.5
    opt = Adam(params, lr=0.1)
    opt.zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0, 0.0]
    assert all(type(p.grad) is float for p in params)
    assert [p.data for p in params] == [1.0, 2.0, 3.0]
    assert opt.steps == 0


def test_without_zero_grad_gradients_accumulate_into_the_step():
    w = Value(0.0)
    opt = SGD([w], lr=0.1)
    ((w - 3) ** 2).backward()
    ((w - 3) ** 2).backward()  # grad is now -12
    opt.step()
    assert w.data == pytest.approx(1.2, **TIGHT)


def _hand_loop(opt, model, X, y, steps, clear):
    for _ in range(steps):
        if clear is not None:
            clear()
        mse([model(x) for x in X], y).backward()
        opt.step()


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_a_step_after_a_step_without_zero_grad_warns_once(cls, recwarn):
    model = MLP(2, [4, 1], seed=0)
    X, y = data.xor()
    opt = cls(model.parameters(), lr=0.05)
    _hand_loop(opt, model, X, y, 5, None)
    said = [w for w in recwarn if w.category is GradientsNotZeroedWarning]
    assert len(said) == 1  # once, not on every step
    text = str(said[0].message)
    assert text.startswith(f"{cls.__name__}.step() ran again without zero_grad()")
    assert "still in .grad" in text and "accumulate=True" in text
    assert said[0].filename == __file__  # points at the learner's opt.step() line
    assert issubclass(GradientsNotZeroedWarning, __import__("nn").TrainingWarning)


@pytest.mark.parametrize("clear", ["optimizer", "model"])
def test_zero_grad_of_the_optimizer_or_the_model_between_steps_is_silent(clear, recwarn):
    model = MLP(2, [4, 1], seed=0)
    X, y = data.xor()
    opt = SGD(model.parameters(), lr=0.05)
    _hand_loop(opt, model, X, y, 5, opt.zero_grad if clear == "optimizer" else model.zero_grad)
    assert not [w for w in recwarn if w.category is GradientsNotZeroedWarning]


def test_accumulating_on_purpose_is_silent_and_sums_the_gradients(recwarn):
    w = Value(0.0)
    opt = SGD([w], lr=0.1, accumulate=True)
    for _ in range(3):
        ((w - 3) ** 2).backward()
        opt.step()
    assert not [x for x in recwarn if x.category is GradientsNotZeroedWarning]
    # what accumulation means: each step moves by the sum of every gradient so far
    v, grad = 0.0, 0.0
    for _ in range(3):
        grad += 2 * (v - 3)
        v -= 0.1 * grad
    assert w.data == pytest.approx(v, **TIGHT)
    with pytest.raises(TypeError, match="accumulate must be True or False, got str"):
        Adam([w], accumulate="yes")


def test_fit_after_a_forgetful_hand_loop_is_silent(recwarn):
    model = MLP(2, [4, 1], seed=0)
    X, y = data.xor()
    opt = SGD(model.parameters(), lr=0.05)
    _hand_loop(opt, model, X, y, 1, None)  # one step: nothing stale yet
    ((model(X[0]) - 1) ** 2).backward()  # a stray backward, then fit
    fit(model, X, y, optimizer=opt, epochs=3, progress=False)
    assert not [w for w in recwarn if w.category is GradientsNotZeroedWarning]


def test_lr_can_change_between_steps():
    w = Value(0.0)
    opt = SGD([w], lr=0.1)
    expected = 0.0
    for lr in [0.1, 0.05, 0.01, 0.3]:
        opt.lr = lr
        quadratic_step(opt, w)
        expected = expected - lr * quad_grad(expected)
        assert w.data == pytest.approx(expected, **TIGHT)


def test_adam_lr_schedule_matches_reference():
    w = Value(0.0)
    opt = Adam([w], lr=0.2)
    m = v = 0.0
    expected = 0.0
    for t in range(1, 9):
        opt.lr = 0.2 * 0.5**t
        quadratic_step(opt, w)
        g = quad_grad(expected)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        step = opt.lr * (m / (1 - 0.9**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        expected = expected - step
        assert w.data == pytest.approx(expected, **TIGHT)


def test_setting_a_bad_lr_later_is_refused_and_keeps_the_old_one():
    opt = SGD([Value(0.0)], lr=0.1)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got -0\.5"):
        opt.lr = -0.5
    with pytest.raises(TypeError, match=r"lr must be a real number .* got str '0\.1'"):
        opt.lr = "0.1"
    assert opt.lr == 0.1
    opt.lr = 2  # ints are fine and become floats
    assert opt.lr == 2.0 and type(opt.lr) is float


def test_momentum_and_betas_are_checked_when_reassigned():
    sgd = SGD([Value(0.0)], lr=0.1)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\), got 1\.5"):
        sgd.momentum = 1.5
    adam = Adam([Value(0.0)])
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1\), got 1"):
        adam.betas = (0.9, 1)
    assert sgd.momentum == 0.0 and adam.betas == (0.9, 0.999)


# --- non-finite gradients --------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)]
)
def test_non_finite_grad_raises_before_changing_anything(bad, make):
    params = [Value(1.0, label="w1"), Value(2.0), Value(3.0, label="bias")]
    opt = make(params)
    for p in params:
        p.grad = 0.5
    opt.step()  # some state in the buffers
    before_data = [p.data for p in params]
    before_state = opt.state_dict()
    opt.zero_grad()
    params[0].grad = 1.0  # a good grad first: it must not be applied either
    params[2].grad = bad
    with pytest.raises(ValueError, match=r"params\[2\] \(label 'bias'\) has a non-finite gradient"):
        opt.step()
    assert [p.data for p in params] == before_data
    assert opt.state_dict() == before_state


def test_non_finite_grad_message_without_label():
    a, b = Value(1.0), Value(2.0)
    a.grad, b.grad = 0.0, math.nan
    opt = SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match=r"params\[1\] has a non-finite gradient \(nan\)") as info:
        opt.step()
    assert "label" not in str(info.value)
    assert (a.data, b.data) == (1.0, 2.0)


# --- state_dict -----------------------------------------------------------------------------


OPTIMIZERS = {
    "sgd": lambda ps, lr=0.05: SGD(ps, lr=lr),
    "sgd-momentum-decay": lambda ps, lr=0.05: SGD(ps, lr=lr, momentum=0.9, weight_decay=0.01),
    "adam": lambda ps, lr=0.05: Adam(ps, lr=lr, betas=(0.8, 0.99), weight_decay=0.001),
}


def two_param_step(opt, a, b):
    opt.zero_grad()
    loss = (a - 3) ** 2 + (a * b - 1) ** 2
    loss.backward()
    opt.step()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_round_trip_resumes_identically(name):
    make = OPTIMIZERS[name]
    # One uninterrupted run of 10 steps, with a learning-rate change after step 3.
    a, b = Value(0.0), Value(2.0)
    straight = make([a, b])
    for i in range(10):
        if i == 3:
            straight.lr = 0.02
        two_param_step(straight, a, b)

    # The same run, saved after 5 steps (through JSON) and resumed in a fresh optimizer.
    a1, b1 = Value(0.0), Value(2.0)
    first = make([a1, b1])
    for i in range(5):
        if i == 3:
            first.lr = 0.02
        two_param_step(first, a1, b1)
    saved = json.loads(json.dumps({"opt": first.state_dict(), "data": [a1.data, b1.data]}))

    a2, b2 = Value(saved["data"][0]), Value(saved["data"][1])
    resumed = make([a2, b2], lr=0.7)  # a different lr: load_state_dict restores the saved one
    resumed.load_state_dict(saved["opt"])
    assert resumed.lr == 0.02 and resumed.steps == 5
    for _ in range(5):
        two_param_step(resumed, a2, b2)

    assert (a2.data, b2.data) == (a.data, b.data)
    assert resumed.state_dict() == straight.state_dict()


def test_state_dict_is_plain_json_and_a_copy():
    opt = Adam([Value(1.0), Value(2.0)], lr=0.1)
    opt.params[0].grad = 1.0
    opt.step()
    state = opt.state_dict()
    assert json.loads(json.dumps(state)) == state
    assert state["type"] == "Adam" and state["steps"] == 1
    assert state["betas"] == [0.9, 0.999]
    assert all(type(x) is float for x in state["m"] + state["v"])
    state["m"][0] = 99.0  # editing the dict must not reach the optimizer
    assert opt.state_dict()["m"][0] != 99.0
    loaded = copy.deepcopy(opt.state_dict())
    opt.load_state_dict(loaded)
    loaded["v"][1] = 5.0  # nor editing what was loaded
    assert opt.state_dict()["v"][1] == 0.0


def corrupt(state, **changes):
    out = copy.deepcopy(state)
    for key, value in changes.items():
        if value is KeyError:
            del out[key]
        else:
            out[key] = value
    return out


@pytest.mark.parametrize(
    "change, message",
    [
        ({"velocity": [0.0]}, r"state_dict\['velocity'\] has 1 entries, but this optimizer has 2"),
        ({"velocity": [0.0, 0.0, 0.0]}, r"has 3 entries, but this optimizer has 2 params"),
        ({"velocity": 0.0}, r"state_dict\['velocity'\] must be a list of floats, got float"),
        ({"velocity": [0.0, "x"]}, r"state_dict\['velocity'\]\[1\] must be a real number"),
        ({"velocity": KeyError}, r"missing \['velocity'\], unexpected \[\]"),
        ({"extra": 1}, r"missing \[\], unexpected \['extra'\]"),
        ({"type": "Adam"}, r"state_dict is for 'Adam', not 'SGD'"),
        ({"steps": -1}, r"state_dict\['steps'\] must be an int >= 0, got int -1"),
        ({"steps": 2.0}, r"state_dict\['steps'\] must be an int >= 0, got float 2\.0"),
        ({"lr": 0.0}, r"state_dict\['lr'\] must be a finite number > 0, got 0\.0"),
        ({"lr": None}, r"state_dict\['lr'\] must be a real number .* got NoneType None"),
        ({"momentum": 1.0}, r"state_dict\['momentum'\] must be in \[0, 1\), got 1\.0"),
    ],
)
def test_load_state_dict_rejects_bad_state_and_changes_nothing(change, message):
    a, b = Value(1.0), Value(2.0)
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = 1.0, -1.0
    opt.step()
    good = opt.state_dict()
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(corrupt(good, **change))
    assert opt.state_dict() == good


def test_load_state_dict_rejects_bad_adam_betas():
    opt = Adam([Value(1.0)])
    good = opt.state_dict()
    with pytest.raises(ValueError, match=r"state_dict\['betas'\] must be a pair"):
        opt.load_state_dict(corrupt(good, betas=[0.9]))
    with pytest.raises(ValueError, match=r"state_dict\['betas'\]\[0\] must be in \[0, 1\)"):
        opt.load_state_dict(corrupt(good, betas=[1.0, 0.9]))
    assert opt.state_dict() == good


def test_load_state_dict_needs_a_dict():
    opt = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(TypeError, match=r"load_state_dict\(\) takes a dict, got list"):
        opt.load_state_dict([0.1])


# --- constructor errors -----------------------------------------------------------------------


def test_params_are_materialised_from_any_iterable():
    values = [Value(1.0), Value(2.0)]
    opt = SGD((v for v in values), lr=0.1)
    assert isinstance(opt.params, list)
    assert opt.params == values and all(p is v for p, v in zip(opt.params, values))


@pytest.mark.parametrize(
    "params, error, message",
    [
        ([], ValueError, r"params is empty"),
        (iter(()), ValueError, r"params is empty"),
        (5, TypeError, r"params must be an iterable of Values, got int 5"),
        (Value(1.0), TypeError, r"got a single Value; use \[value\]"),
        ([Value(1.0), 2.0], TypeError, r"params\[1\] must be an autograd\.Value, got float 2\.0"),
        ([Value(1.0), Value(2.0), "w"], TypeError, r"params\[2\] must be .* got str 'w'"),
    ],
)
@pytest.mark.parametrize("cls", [SGD, Adam])
def test_bad_params(cls, params, error, message):
    with pytest.raises(error, match=message):
        cls(params, lr=0.1)


def test_duplicate_params_are_refused():
    w, b = Value(1.0, label="w"), Value(0.0)
    with pytest.raises(ValueError, match=r"params\[2\] is the same Value as params\[0\]"):
        SGD([w, b, w], lr=0.1)


@pytest.mark.parametrize(
    "lr, error, message",
    [
        (0, ValueError, r"lr must be a finite number > 0, got 0"),
        (-0.1, ValueError, r"lr must be a finite number > 0, got -0\.1"),
        (math.nan, ValueError, r"lr must be a finite number > 0, got nan"),
        (math.inf, ValueError, r"lr must be a finite number > 0, got inf"),
        ("0.1", TypeError, r"lr must be a real number \(int or float\), got str '0\.1'"),
        (True, TypeError, r"lr must be a real number \(int or float\), got bool True"),
        (None, TypeError, r"lr must be a real number \(int or float\), got NoneType None"),
        ([0.1], TypeError, r"lr must be a real number \(int or float\), got list"),
    ],
)
@pytest.mark.parametrize("cls", [SGD, Adam])
def test_bad_lr(cls, lr, error, message):
    with pytest.raises(error, match=message):
        cls([Value(1.0)], lr=lr)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\), got 1\.0"),
        ({"momentum": -0.1}, ValueError, r"momentum must be in \[0, 1\), got -0\.1"),
        ({"momentum": math.nan}, ValueError, r"momentum must be in \[0, 1\), got nan"),
        ({"momentum": "0.9"}, TypeError, r"momentum must be a real number .* got str"),
        ({"weight_decay": -1e-3}, ValueError, r"weight_decay must be a finite number >= 0"),
        ({"weight_decay": math.inf}, ValueError, r"weight_decay must be .* >= 0, got inf"),
        ({"weight_decay": None}, TypeError, r"weight_decay must be a real number"),
    ],
)
def test_bad_sgd_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        SGD([Value(1.0)], lr=0.1, **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"betas": (0.9,)}, TypeError, r"betas must be a pair \(beta1, beta2\), got tuple"),
        ({"betas": 0.9}, TypeError, r"betas must be a pair \(beta1, beta2\), got float 0\.9"),
        ({"betas": (1.0, 0.999)}, ValueError, r"betas\[0\] must be in \[0, 1\), got 1\.0"),
        ({"betas": (0.9, -0.5)}, ValueError, r"betas\[1\] must be in \[0, 1\), got -0\.5"),
        ({"betas": (0.9, "x")}, TypeError, r"betas\[1\] must be a real number"),
        ({"eps": 0.0}, ValueError, r"eps must be a finite number > 0, got 0\.0"),
        ({"eps": -1e-8}, ValueError, r"eps must be a finite number > 0, got -1e-08"),
        ({"weight_decay": -1.0}, ValueError, r"weight_decay must be a finite number >= 0"),
        ({"lr": 0.0}, ValueError, r"lr must be a finite number > 0, got 0\.0"),
    ],
)
def test_bad_adam_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        Adam([Value(1.0)], **kwargs)


def test_optimizer_is_abstract():
    with pytest.raises(TypeError, match=r"abstract"):
        Optimizer([Value(1.0)], lr=0.1)


def test_repr_shows_hyperparameters():
    opt = SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
    assert repr(opt) == "SGD(2 params, lr=0.1, momentum=0.9, weight_decay=0.0, steps=0)"


# --- property ---------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(finite, min_size=1, max_size=4),
    grads=st.lists(finite, min_size=4, max_size=4),
    lr=st.floats(min_value=1e-300, max_value=1e3),
)
def test_plain_sgd_step_is_exactly_data_minus_lr_grad(data, grads, lr):
    params = [Value(x) for x in data]
    for p, g in zip(params, grads):
        p.grad = g
    SGD(params, lr=lr).step()
    for p, x, g in zip(params, data, grads):
        assert p.data == x - lr * g
        assert p.grad == g
