"""fit refuses arguments that cannot train the model -- before any training, model unchanged."""

from __future__ import annotations

from fractions import Fraction

import pytest

from autograd import Value
from nn import SGD, Adam

# --- hyperparameters beyond the float range -----------------------------------------------------


HUGE = 10**400  # float(HUGE) raises OverflowError


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (SGD, {"lr": HUGE}, "lr must be a finite number > 0, got 1e+400"),
        (SGD, {"lr": -HUGE}, "lr must be a finite number > 0, got -1e+400"),
        (SGD, {"lr": Fraction(HUGE, 3)}, "lr must be a finite number > 0, got 3.333e+399"),
        (SGD, {"lr": 0.1, "momentum": HUGE}, "momentum must be in [0, 1), got 1e+400"),
        (SGD, {"lr": 0.1, "weight_decay": HUGE}, "weight_decay must be a finite number >= 0"),
        (Adam, {"lr": HUGE}, "lr must be a finite number > 0, got 1e+400"),
        (Adam, {"eps": HUGE}, "eps must be a finite number > 0, got 1e+400"),
        (Adam, {"betas": (0.9, HUGE)}, "betas[1] must be in [0, 1), got 1e+400"),
        (Adam, {"weight_decay": HUGE}, "weight_decay must be a finite number >= 0, got 1e+400"),
    ],
)
def test_a_hyperparameter_beyond_the_float_range_is_a_value_error(cls, kwargs, message):
    with pytest.raises(ValueError) as error:
        cls([Value(1.0)], **kwargs)
    assert str(error.value).startswith(message)


def test_a_learning_rate_set_later_beyond_the_float_range_leaves_the_old_one():
    opt = Adam([Value(1.0)], lr=0.01)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got 1e\+400"):
        opt.lr = 10**400
    assert opt.lr == 0.01
