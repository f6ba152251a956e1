"""fit refuses arguments that cannot train the model -- before any training, model unchanged."""

from __future__ import annotations

from fractions import Fraction

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, data, fit, mse


def xor_model(seed: int = 0) -> MLP:
    return MLP(2, [4, 1], seed=seed)


def refused(model: MLP, error: type[Exception], match: str, **kwargs) -> None:
    """fit(model, ...) raises ``error`` and leaves the model exactly as it was."""
    X, y = data.xor()
    before = model.state_dict()
    with pytest.raises(error, match=match):
        fit(model, X, y, epochs=3, progress=False, **kwargs)
    assert model.state_dict() == before
    assert getattr(model, "decision_threshold", None) is None  # not even that was recorded


# --- the optimizer must update this model ---------------------------------------------------


def test_an_optimizer_over_another_models_parameters_is_refused():
    other = xor_model(seed=1)
    opt = SGD(other.parameters(), lr=0.1)
    refused(
        xor_model(),
        ValueError,
        r"updates none of the model's parameters \(it holds 17, the model has 17; .*"
        r"SGD\(model\.parameters\(\), lr=\.\.\.\)",
        optimizer=opt,
    )
    assert opt.steps == 0 and other.state_dict() == xor_model(seed=1).state_dict()


def test_an_optimizer_over_part_of_the_model_or_more_than_it_still_trains():
    """Documented choices: a subset freezes the rest; an extra Value (here a learnable scale
    of the loss) moves with the cost's gradient."""
    X, y = data.xor()
    model = xor_model()
    before = model.state_dict()
    last = model.layers[-1].parameters()  # fine-tune the output layer only
    scale = Value(1.0)
    fit(
        model,
        X,
        y,
        loss=lambda outputs, targets: mse(outputs, targets) * scale,
        optimizer=SGD([*last, scale], lr=0.1),
        epochs=3,
        progress=False,
    )
    after = model.state_dict()
    moved = {name for name in before if after[name] != before[name]}
    assert moved and all(name.startswith("layers.1.") for name in moved)
    assert scale.data != 1.0


@pytest.mark.parametrize("optimizer", ["adam", "sgd", Adam, 0.1])
def test_an_optimizer_that_is_not_an_optimizer_is_refused_saying_what_is(optimizer):
    refused(
        xor_model(),
        TypeError,
        r"optimizer must be None \(SGD with lr=0\.1\) or an nn\.Optimizer .*"
        r"Adam\(model\.parameters\(\), lr=0\.01\); got ",
        optimizer=optimizer,
    )


@pytest.mark.parametrize("model", [None, "mlp", lambda x: x])
def test_a_model_that_is_not_a_module_is_a_type_error(model):
    X, y = data.xor()
    with pytest.raises(TypeError, match=r"model must be an nn\.Module .*, got "):
        fit(model, X, y, epochs=1, progress=False)


def test_a_callback_that_cannot_be_called_is_refused_before_epoch_1():
    refused(
        xor_model(), TypeError, r"callback must be None or a function .*got str 'x'", callback="x"
    )


# --- a loss of the user's must return a Value ------------------------------------------------


@pytest.mark.parametrize(
    "returned, shown",
    [(0.5, "float 0.5"), ([Value(0.5)], r"list \[Value\(data=0.5"), (None, "NoneType None")],
)
@pytest.mark.parametrize("compile", [False, True])
def test_a_loss_returning_no_value_is_a_type_error_before_the_first_update(
    returned, shown, compile
):
    calls = []

    def my_loss(outputs, targets):
        calls.append(len(outputs))
        return returned

    model = xor_model()
    opt = SGD(model.parameters(), lr=0.1)
    refused(
        model,
        TypeError,
        rf"loss function 'my_loss' returned {shown}.*; it must return a Value, the cost J",
        loss=my_loss,
        optimizer=opt,
        batch_size=2,
        compile=compile,
    )
    # Refused at its first call, on the first minibatch (compiled, the loss runs eagerly too).
    assert calls == [2]
    assert opt.steps == 0


def test_a_loss_returning_a_value_is_passed_through_unchanged():
    X, y = data.xor()
    model = xor_model()
    seen = []

    def my_loss(outputs, targets):
        cost = mse(outputs, targets)
        seen.append(cost)
        return cost

    history = fit(model, X, y, loss=my_loss, epochs=2, progress=False, shuffle=False)
    reference = xor_model()
    expected = fit(reference, X, y, loss="mse", epochs=2, progress=False, shuffle=False)
    assert history.cost == expected.cost and len(seen) == 2
    assert model.state_dict() == reference.state_dict()


# --- hyperparameters beyond the float range -----------------------------------------------------


HUGE = 10**400  # float(HUGE) raises OverflowError
SHOWN = "100000000000...(401 digits)"  # as every message shortens a huge number


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (SGD, {"lr": HUGE}, f"lr must be a finite number > 0, got {SHOWN}"),
        (SGD, {"lr": -HUGE}, f"lr must be a finite number > 0, got -{SHOWN}"),
        (SGD, {"lr": Fraction(HUGE, 3)}, "lr must be a finite number > 0, got Fraction(1000"),
        (SGD, {"lr": 0.1, "momentum": HUGE}, f"momentum must be in [0, 1), got {SHOWN}"),
        (SGD, {"lr": 0.1, "weight_decay": HUGE}, "weight_decay must be a finite number >= 0"),
        (Adam, {"lr": HUGE}, f"lr must be a finite number > 0, got {SHOWN}"),
        (Adam, {"eps": HUGE}, f"eps must be a finite number > 0, got {SHOWN}"),
        (Adam, {"betas": (0.9, HUGE)}, f"betas[1] must be in [0, 1), got {SHOWN}"),
        (Adam, {"weight_decay": HUGE}, f"weight_decay must be a finite number >= 0, got {SHOWN}"),
    ],
)
def test_a_hyperparameter_beyond_the_float_range_is_a_value_error(cls, kwargs, message):
    with pytest.raises(ValueError) as error:
        cls([Value(1.0)], **kwargs)
    assert str(error.value).startswith(message)


def test_a_learning_rate_set_later_beyond_the_float_range_leaves_the_old_one():
    opt = Adam([Value(1.0)], lr=0.01)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got 1000+\.\.\."):
        opt.lr = 10**400
    assert opt.lr == 0.01


@pytest.mark.parametrize(
    "alpha, error", [(10**400, ValueError), (-1.0, ValueError), ("x", TypeError)]
)
def test_an_l2_rate_beyond_the_float_range_is_refused_before_training(alpha, error):
    refused(xor_model(), error, "l2_alpha must be a", l2_alpha=alpha)
