"""Training: forward, cost, backward, update -- one epoch after another.

>>> from nn import MLP, fit, data, optim
>>> X, y = data.xor()
>>> model = MLP(2, [8, 1], activation="tanh", output="sigmoid", seed=3)
>>> history = fit(model, X, y, loss="mse", optimizer=optim.Adam(model.parameters(), lr=0.1),
...               epochs=150, progress=False)
>>> history.accuracy[-1]
1.0
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import random
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import autograd
from autograd import Value
from autograd.messages import describe

from .diagnoses import (
    GRADIENT_EPOCHS,
    Diagnosis,
    TrainingWarning,
    check_activity,
    check_divergence,
    check_gradients,
    check_plateau,
    hidden_activation,
    layer_grad_norms,
    layers_of,
)
from .display import history_card
from .losses import (
    LOSSES,
    bce_with_logits,
    binary_cross_entropy,
    cross_entropy,
    difference,
    get_loss,
    hinge,
    mse,
)
from .module import Module
from .optim import SGD, Optimizer, _non_negative
from .steps import CompiledStep, EagerStep
from .steps import scores as _scores

__all__ = ["History", "accuracy", "fit", "output_threshold", "predict", "predict_labels"]

# How a trained single output is read: losses on logits/scores put the boundary at 0;
# losses on values put it halfway between the two labels.
_LOSSES_ON_SCORES = (bce_with_logits, hinge, cross_entropy)
_LOSSES_ON_VALUES = (mse, difference, binary_cross_entropy)


@dataclass
class History:
    """What ``fit`` saw, one entry per epoch.

    ``cost`` is the mean loss over the epoch's examples (plus the L2 term, if any);
    ``accuracy`` is the fraction of examples classified right by the predictions made
    during the epoch (``None`` entries for regression targets).

    In a notebook it shows as a small card with its cost (and accuracy) curve.

    >>> h = History(cost=[0.7, 0.4], accuracy=[0.5, 1.0])
    >>> len(h), h.cost[-1]
    (2, 0.4)
    >>> h
    History(2 epochs, cost J 0.7 -> 0.4, accuracy 100%)
    """

    cost: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    #: Per epoch, each layer's gradient norm (layer 1 first) after the epoch's last step.
    grad_norms: list[list[float]] = field(default_factory=list)
    #: What went wrong, in words (:class:`nn.Diagnosis`); empty for a healthy run.
    diagnosis: list[Diagnosis] = field(default_factory=list)
    #: Per epoch, the cost and accuracy on a validation (test) set, when one is given.
    val_cost: list[float] = field(default_factory=list)
    val_accuracy: list[float | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cost)

    def __repr__(self) -> str:
        return f"History({self._summary()})"

    def _summary(self) -> str:
        n = len(self.cost)
        if n == 0:
            return "0 epochs"
        text = f"{n} epoch{'s' if n != 1 else ''}, cost J {self.cost[0]:.4g} -> {self.cost[-1]:.4g}"
        last = self.accuracy[-1] if self.accuracy else None
        text += f", accuracy {last:.0%}" if last is not None else ""
        if self.val_cost:
            text += f"; validation cost {self.val_cost[-1]:.4g}"
            val = self.val_accuracy[-1] if self.val_accuracy else None
            text += f", accuracy {val:.0%}" if val is not None else ""
        return text

    def _repr_html_(self) -> str:
        return history_card(
            self._summary(),
            self.cost,
            self.accuracy,
            [d.message for d in self.diagnosis],
            self.val_cost,
            self.val_accuracy,
        )


# --- reading a model's outputs -------------------------------------------------------------


def _label_kind(y: Sequence[Any]) -> str | None:
    if any(isinstance(v, (list, tuple)) for v in y):
        return None  # several numbers per example: regression
    values = set(y)
    if values <= {0, 1}:
        return "01"
    if values <= {-1, 1}:
        return "pm1"
    if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        return "classes"
    return None  # regression


def output_threshold(
    model: Module, labels: str | None = "01", threshold: float | None = None
) -> float:
    """Where a model's single output is split into two classes.

    An explicit ``threshold`` wins; then what ``fit`` recorded for the model (0 after a loss
    on logits or scores, the midpoint of the labels after a loss on values); otherwise 0.5
    for a sigmoid (a probability) and the midpoint of the labels for anything else -- 0.5
    for 0/1 labels, 0 for -1/+1 (``labels="pm1"``).

    >>> from nn import MLP, Perceptron
    >>> output_threshold(Perceptron(2)), output_threshold(MLP(2, [1]), "pm1")
    (0.5, 0.0)
    """
    if threshold is not None:
        return float(threshold)
    recorded = getattr(model, "decision_threshold", None)
    if recorded is not None:
        return recorded
    if getattr(model, "output_activation", "linear") in ("sigmoid", "step"):
        return 0.5
    return 0.0 if labels == "pm1" else 0.5


def _to_label(scores: list[float], kind: str | None, threshold: float) -> int:
    if len(scores) > 1:
        return max(range(len(scores)), key=scores.__getitem__)  # argmax over classes
    positive = scores[0] >= threshold
    if kind == "pm1":
        return 1 if positive else -1
    return 1 if positive else 0


def _correct(outputs: Any, targets: list[Any], kind: str, threshold: float) -> int:
    """How many of a batch's outputs (lists of floats, or an (examples, k) NumPy array from
    a step on arrays) give the target's label -- by :func:`_to_label`'s rule either way: the
    first largest score of several, else the single score against the threshold."""
    if not hasattr(outputs, "shape"):
        return sum(_to_label(out, kind, threshold) == t for out, t in zip(outputs, targets))
    import numpy as np

    if outputs.shape[1] > 1:
        labels = outputs.argmax(axis=1)  # the first maximum, as max() over the indices
    else:
        labels = np.where(outputs[:, 0] >= threshold, 1, -1 if kind == "pm1" else 0)
    return int((labels == np.array(targets)).sum())


def predict(model: Module, X: Sequence[Sequence[float]]) -> list[Any]:
    """The model's raw outputs for each example (floats, or lists of floats), no graph kept.

    >>> from nn import Perceptron
    >>> p = Perceptron(1, seed=0)
    >>> predict(p, [[0.0]])
    [0.5]
    """
    with autograd.no_grad():
        outs = [_scores(model(x)) for x in _plain(X)]
    return [o[0] if len(o) == 1 else o for o in outs]


def predict_labels(
    model: Module,
    X: Sequence[Sequence[float]],
    labels: str = "01",
    threshold: float | None = None,
) -> list[int]:
    """Class labels: argmax for several outputs; for one output, 0/1 (``labels="01"``) or
    -1/+1 (``labels="pm1"``) split at ``threshold`` (by default as :func:`accuracy` says).

    >>> from nn import Perceptron
    >>> predict_labels(Perceptron(1, seed=0), [[5.0], [-5.0]], threshold=0.5)
    [1, 0]
    """
    cut = output_threshold(model, labels, threshold)
    with autograd.no_grad():
        return [_to_label(_scores(model(x)), labels, cut) for x in _plain(X)]


def accuracy(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    threshold: float | None = None,
) -> float:
    """Fraction of examples whose predicted label equals ``y`` (0/1, ±1 or class indices).

    Several outputs are read by argmax. One output is split at ``threshold``; by default
    0 if :func:`fit` trained the model with a loss on logits or scores (``bce_with_logits``,
    ``hinge``), else 0.5 after a sigmoid and the midpoint of the labels otherwise.

    >>> from nn import Perceptron
    >>> accuracy(Perceptron(1, seed=0), [[1.0], [-1.0]], [1, 0]) in (0.0, 0.5, 1.0)
    True
    """
    X, y = _check_data(X, y, getattr(model, "nin", None))
    kind = _label_kind(y)
    if kind is None:
        raise ValueError("accuracy() needs class labels (0/1, -1/+1 or 0..k-1), got real targets")
    predicted = predict_labels(model, X, "pm1" if kind == "pm1" else "01", threshold)
    return sum(p == t for p, t in zip(predicted, y)) / len(y)


# --- checking data -------------------------------------------------------------------------


def _plain(data: Any) -> Any:
    """A NumPy array or a pandas DataFrame/Series as plain lists (rows of Python floats and
    ints), anything else as it is: every entry point then reads one kind of data, and the
    History of an array is the History of the same numbers as lists."""
    if hasattr(data, "to_numpy") and not isinstance(data, (list, tuple)):  # pandas
        data = data.to_numpy()
    if hasattr(data, "tolist") and hasattr(data, "ndim"):  # NumPy
        return data.tolist()
    return data


def _check_data(
    X: Sequence[Sequence[Any]], y: Sequence[Any], nin: int | None
) -> tuple[list[list[float]], list[Any]]:
    X, y = _plain(X), _plain(y)
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise TypeError(f"X must be a list of examples, got {type(X).__name__}")
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise TypeError(f"y must be a list of targets, got {type(y).__name__}")
    if len(X) == 0:
        raise ValueError("X is empty: there is nothing to learn from")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} targets")
    rows: list[list[float]] = []
    width = None
    for i, row in enumerate(X):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise ValueError(f"example #{i} must be a list of features, got {row!r}")
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise ValueError(f"X is ragged: example #0 has {width} features, #{i} has {len(row)}")
        try:
            floats = [float(v) for v in row]
        except (TypeError, ValueError):
            raise ValueError(f"example #{i} has a non-numeric feature: {row!r}") from None
        if not all(math.isfinite(v) for v in floats):
            raise ValueError(f"example #{i} has a NaN or infinite feature: {row!r}")
        rows.append(floats)
    if nin is not None and width != nin:
        raise ValueError(f"the model takes {nin} features per example, X has {width}")
    # NumPy scalars become plain numbers, so labels compare and print as users expect.
    targets = [
        t.item() if hasattr(t, "item") and not isinstance(t, (list, tuple)) else t for t in y
    ]
    for i, t in enumerate(targets):
        values = t if isinstance(t, (list, tuple)) else [t]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"target #{i} must be a finite number, got {t!r}")
    return rows, targets


# --- the loop -----------------------------------------------------------------------------


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    loss: str | Callable[..., Value] = "mse",
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    *,
    l2_alpha: float = 0.0,
    shuffle: bool = True,
    seed: int = 0,
    callback: Callable[[int, float, float | None], Any] | None = None,
    progress: bool | None = None,
    compile: bool | str = False,
    diagnose: bool = True,
    validation: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
    patience: int | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` by gradient descent and return the :class:`History`.

    Each epoch is one pass over the data in batches (the whole set when ``batch_size`` is
    None): forward, the cost J (``loss``, mean over the batch, plus ``l2_alpha`` times the
    sum of squared parameters), backward, and one optimizer step. ``optimizer`` defaults to
    ``SGD(model.parameters(), lr=0.1)``. Batches are reshuffled every epoch with
    ``random.Random(seed)`` when ``shuffle``. ``callback(epoch, cost, accuracy)`` runs after
    each epoch; returning ``False`` stops training. A tqdm progress bar shows the epoch,
    cost and accuracy: by default in a terminal and in a Jupyter notebook (a widget there if
    ipywidgets is installed), and not when the output goes to a file or a CI log;
    ``progress=True`` or ``False`` decides for you.

    ``compile=True`` traces the training step once and replays it (see
    :func:`autograd.compile`), many times faster: vectorised over each minibatch when NumPy
    is installed (``pip install "gradstep[fast]"``), each step's numbers then equal to the
    eager step's to ~1e-12. ``compile="python"`` replays the eager arithmetic itself: the
    very History of ``compile=False``, bit for bit, still several times faster. (Rounding
    differences of 1e-16 can grow in a run that amplifies them -- Adam with a tiny ``eps``,
    points exactly on the boundary -- as with any change of summation order.) A model it
    cannot replay soundly -- the ``step`` activation, a branch on data in your own module or
    loss -- raises :class:`autograd.CompileError` saying why, before any training.

    Data problems (ragged X, mismatched lengths, the wrong number of features, NaN) raise
    ValueError before any training starts; so do arguments of the wrong kind (a model that
    is not a :class:`Module`, an optimizer given by name, a callback that cannot be called:
    TypeError), and an optimizer that updates none of the model's parameters (ValueError:
    built from another model, it would train nothing). An optimizer over only some of the
    model's parameters is fine -- the others stay frozen, as in fine-tuning -- and it may
    hold Values outside the model too (a learnable parameter of your own loss, say): they
    move with the cost's gradient like the model's. A loss of your own must return a Value
    (the cost J); anything else is a TypeError raised before that batch's update, so a
    first batch refused leaves the model as it was.

    With ``diagnose`` (the default) the run is watched for what a learner meets when
    training fails (:mod:`nn.diagnoses`): a cost that diverges -- training stops there and the
    weights go back to the last good ones --, dead ReLU neurons, vanishing or exploding
    gradients, a plateau short of the goal, saturated sigmoid/tanh neurons. Each finding is
    kept in ``History.diagnosis`` and said once as a :class:`nn.TrainingWarning`; a healthy
    run says nothing. ``History.grad_norms`` holds each layer's gradient norm per epoch.

    ``validation=(X_val, y_val)``: at the end of each epoch the model's cost (``loss``, no L2
    term) and accuracy on that set go to ``History.val_cost`` and ``History.val_accuracy`` --
    examples it does not train on, so the curves tell learning from memorising.
    ``patience=k`` (with a validation set) stops when the validation cost has not improved
    for ``k`` epochs in a row and puts back the weights of the epoch where it was lowest.

    >>> from nn import Perceptron, data
    >>> X, y = data.logic("and")
    >>> p = Perceptron(2, seed=0)
    >>> history = fit(p, X, y, loss="binary_cross_entropy", epochs=3, progress=False)
    >>> len(history.cost), history.cost[-1] < history.cost[0]
    (3, True)
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"model must be an nn.Module (an MLP, a Perceptron, ...), got {describe(model)}"
        )
    X, y = _check_data(X, y, getattr(model, "nin", None))
    epochs = _whole(epochs, "epochs")
    if batch_size is not None:
        batch_size = _whole(batch_size, "batch_size", "None or an int")
    l2_alpha = _non_negative("l2_alpha", l2_alpha)  # as the optimizers check their rates
    if callback is not None and not callable(callback):
        raise TypeError(
            f"callback must be None or a function callback(epoch, cost, accuracy), "
            f"got {describe(callback)}"
        )
    loss_fn = get_loss(loss)
    if loss_fn not in LOSSES.values():  # the built-in losses always return a Value
        loss_fn = _CheckedLoss(loss_fn)
    _check_targets_fit(model, X, y, loss_fn)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    _check_optimizer(model, optimizer)
    if compile is False:
        step: EagerStep = EagerStep(model, X, y, loss_fn, optimizer, l2_alpha)
    elif compile is True or compile in ("auto", "python", "numpy"):
        backend = "auto" if compile is True else compile
        step = CompiledStep(model, X, y, loss_fn, optimizer, l2_alpha, backend, resident=True)
    else:
        raise ValueError(
            f"compile must be False, True, 'auto', 'python' or 'numpy'; got {compile!r}"
        )
    kind = _label_kind(y)
    if loss_fn in _LOSSES_ON_SCORES:
        model.decision_threshold = 0.0  # logits and margins change sign at the boundary
    elif kind in ("01", "pm1") and loss_fn in _LOSSES_ON_VALUES:
        model.decision_threshold = 0.5 if kind == "01" else 0.0  # halfway between the labels
    cut = output_threshold(model, kind)
    history = History()
    checker = _Validation(model, validation, loss_fn, kind, cut, patience, history)
    checker.use(step)
    rng = random.Random(seed)
    order = list(range(len(X)))
    size = batch_size or len(X)

    watch = _Watch(model, X, optimizer, history) if diagnose else None
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in bar:
            if shuffle:
                rng.shuffle(order)
            if watch is not None:
                watch.before_epoch()
            total_cost, correct = 0.0, 0
            for start in range(0, len(order), size):
                batch = order[start : start + size]
                try:
                    cost, outputs = step(batch)
                except ValueError:
                    # The optimizer refuses a NaN/inf gradient before it changes anything:
                    # with diagnoses on, that is the cost diverging, said below.
                    if watch is None or watch.gradients_finite():
                        raise
                    total_cost, correct = math.nan, 0
                    break
                total_cost += cost * len(batch)
                if kind is not None:
                    correct += _correct(outputs, [y[i] for i in batch], kind, cut)
            step.flush()  # the model as the epoch left it, for the checks and the callback
            epoch_cost = total_cost / len(X)
            epoch_acc = correct / len(X) if kind is not None else None
            history.cost.append(epoch_cost)
            history.accuracy.append(epoch_acc)
            if watch is not None and watch.after_epoch():
                break  # diverged: the weights are the last good ones again
            if checker.after_epoch():
                break  # no better on the validation set for `patience` epochs: best weights back
            if hasattr(bar, "set_postfix"):
                postfix = {"cost": f"{epoch_cost:.4f}"}
                if epoch_acc is not None:
                    postfix["acc"] = f"{epoch_acc:.0%}"
                bar.set_postfix(postfix, refresh=False)
            if callback is not None and callback(epoch + 1, epoch_cost, epoch_acc) is False:
                break
    finally:
        step.flush()  # whatever stopped training, the model holds the last step's numbers
        if hasattr(bar, "close"):
            bar.close()
    if watch is not None:
        watch.after_training()
    return history


class _Validation:
    """fit's validation set: the cost and accuracy on it after every epoch, and early stopping
    (``patience``) with the weights of the best epoch put back."""

    def __init__(
        self,
        model: Module,
        validation: Any,
        loss_fn: Callable[..., Value],
        kind: str | None,
        cut: float,
        patience: Any,
        history: History,
    ) -> None:
        self.model, self.loss_fn, self.kind, self.cut = model, loss_fn, kind, cut
        self.history = history
        if patience is not None:
            patience = _whole(patience, "patience")
            if validation is None:
                raise ValueError(
                    "patience needs a validation set: fit(..., validation=(X_val, y_val), "
                    f"patience={patience})"
                )
        self.patience = patience
        self.data: tuple[list[list[float]], list[Any]] | None = None
        if validation is not None:
            if not isinstance(validation, (tuple, list)) or len(validation) != 2:
                raise TypeError(
                    f"validation must be a pair (X_val, y_val), got {describe(validation)}"
                )
            try:
                Xv, yv = _check_data(validation[0], validation[1], getattr(model, "nin", None))
                _check_targets_fit(model, Xv, yv, loss_fn)
            except (TypeError, ValueError) as error:  # the same checks as X, y: say which set
                raise type(error)(f"validation set: {error}") from None
            self.data = (Xv, yv)
        self.params = model.parameters()
        self.best_cost, self.best, self.waited = math.inf, [p.data for p in self.params], 0
        self.step: Any = None
        self.rows: list[tuple[Any, Any]] = []

    def use(self, step: Any) -> None:
        """Measure with the training step's compiled loss, when it has one."""
        self.step = step
        if self.data is not None and isinstance(step, CompiledStep) and step.per_example:
            self.rows = step.rows_of(*self.data)

    def after_epoch(self) -> bool:
        """Measure on the validation set; True: stop (patience ran out, best weights back)."""
        if self.data is None:
            return False
        Xv, yv = self.data
        step = self.step
        if isinstance(step, CompiledStep) and step.per_example:
            cost, outputs = step.measure(self.rows)  # no graph, NumPy-fast
        else:
            with autograd.no_grad():
                values = [self.model(x) for x in Xv]
                cost = self.loss_fn(values, yv).data
            outputs = [_scores(v) for v in values]
        self.history.val_cost.append(cost)
        kind = self.kind
        self.history.val_accuracy.append(
            None if kind is None
            else sum(_to_label(o, kind, self.cut) == t for o, t in zip(outputs, yv)) / len(yv)
        )  # fmt: skip
        if self.patience is None:
            return False
        if cost < self.best_cost:
            self.best_cost, self.best, self.waited = cost, [p.data for p in self.params], 0
            return False
        self.waited += 1
        if self.waited < self.patience:
            return False
        for p, w in zip(self.params, self.best):
            p.data = w
        return True


class _Watch:
    """fit's eye on a run: after each epoch and at the end, the checks of :mod:`nn.diagnoses`,
    each kind said once; and the weights to go back to should the cost diverge."""

    def __init__(self, model: Module, X: list[list[float]], optimizer: Any, history: History):
        self.model, self.X, self.history = model, X, history
        self.lr = getattr(optimizer, "lr", None)
        self.params = model.parameters()
        layers = layers_of(model)
        self.groups = [] if layers is None else [layer.parameters() for layer in layers]
        self.activation = hidden_activation(model)
        self.best = self.start = [p.data for p in self.params]  # before training: the fallback
        self.best_cost = math.inf
        self.said: set[str] = set()
        self.stopped = False

    def say(self, diagnosis: Diagnosis | None) -> None:
        if diagnosis is None or diagnosis.kind in self.said:
            return
        self.said.add(diagnosis.kind)
        self.history.diagnosis.append(diagnosis)
        warnings.warn(diagnosis.message, TrainingWarning, stacklevel=4)

    def before_epoch(self) -> None:
        self.start = [p.data for p in self.params]

    def gradients_finite(self) -> bool:
        return all(math.isfinite(p.grad) for p in self.params)

    def after_epoch(self) -> bool:
        """Checks after one epoch; True: stop (the cost diverged)."""
        history = self.history
        history.grad_norms.append(layer_grad_norms(self.model, self.groups))
        cost = history.cost[-1]
        if math.isfinite(cost) and cost < self.best_cost:
            # The epoch's cost was measured on the way from its starting weights: those are
            # the ones it describes (with the whole set as one batch, exactly).
            self.best, self.best_cost = self.start, cost
        diverged = check_divergence(history.cost, self.lr)
        if diverged is not None:
            for p, w in zip(self.params, self.best):  # the best the run found: finite
                p.data = w
            self.say(diverged)
            self.stopped = True
            return True
        if len(history.cost) == GRADIENT_EPOCHS:
            self.say(check_gradients(history.grad_norms, len(history.cost), self.activation))
        return False

    def after_training(self) -> None:
        history = self.history
        epochs = len(history.cost)
        if self.stopped or not epochs:
            return
        if epochs < GRADIENT_EPOCHS:
            self.say(check_gradients(history.grad_norms, epochs, self.activation))
        layers = layers_of(self.model)
        hidden = layers is not None and len(layers) > 1
        self.say(check_plateau(history.cost, history.accuracy, hidden, self.lr))
        for finding in check_activity(self.model, self.X, epochs):
            self.say(finding)


def _whole(value: Any, name: str, accepted: str = "an int") -> int:
    """``value`` as an int >= 1: ints and NumPy integers pass, bools and floats do not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be {accepted} >= 1, got {value!r}")
    return int(value)


class _CheckedLoss:
    """A loss of the user's, refusing a result that is not a Value before anything uses it.

    A float, a list or None would otherwise fail as a bare AttributeError on ``backward()``;
    checked here, the TypeError comes before that batch's update and names the loss.
    """

    def __init__(self, loss_fn: Callable[..., Any]) -> None:
        self.loss_fn = loss_fn
        self.name = getattr(loss_fn, "__name__", None) or repr(loss_fn)

    def __call__(self, outputs: Any, targets: Any) -> Value:
        cost = self.loss_fn(outputs, targets)
        if not isinstance(cost, Value):
            raise TypeError(
                f"loss function {self.name!r} returned {describe(cost)}; it must return a "
                "Value, the cost J of the batch (e.g. mse(outputs, targets)), to backpropagate"
            )
        return cost


def _check_optimizer(model: Module, optimizer: Any) -> None:
    """Refuse an optimizer given by name, or one that would train nothing of the model."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "optimizer must be None (SGD with lr=0.1) or an nn.Optimizer over the model's "
            f"parameters, e.g. Adam(model.parameters(), lr=0.01); got {describe(optimizer)}"
        )
    ours = model.parameters()
    ids = {id(p) for p in ours}
    if not any(id(p) in ids for p in optimizer.params):
        raise ValueError(
            f"the optimizer updates none of the model's parameters (it holds "
            f"{len(optimizer.params)}, the model has {len(ours)}; built for another model?): "
            f"give it this model's, e.g. {type(optimizer).__name__}(model.parameters(), lr=...)"
        )


def _check_targets_fit(model: Module, X: list[list[float]], y: list[Any], loss_fn: Any) -> None:
    """Refuse, before training, targets the model or the loss cannot learn from."""
    builtin = loss_fn in LOSSES.values()
    for i, t in enumerate(y):
        if builtin and isinstance(t, (list, tuple)):
            raise ValueError(
                f"target #{i} is a list {t!r}: the built-in losses take one number per "
                "example (a class index for cross_entropy); give a loss function of your own "
                "for several targets per example"
            )
    if _label_kind(y) != "classes":
        return
    classes = max(y) + 1
    with autograd.no_grad():
        outputs = len(_scores(model(X[0])))
    if outputs < classes:
        raise ValueError(
            f"the labels run from 0 to {classes - 1} ({classes} classes), but the model has "
            f"{outputs} output{'s' if outputs != 1 else ''}: give it {classes} outputs "
            "(one score per class) and use loss='cross_entropy'"
        )


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (not a terminal IPython, not a plain script)."""
    ipython = sys.modules.get("IPython")  # never imported here: only if the user runs it
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython else None
    return shell is not None and hasattr(shell, "kernel")


def _progress_bar(epochs: int, progress: bool | None) -> Any:
    notebook = _in_notebook()
    if progress is None:
        stderr = sys.stderr
        progress = notebook or bool(getattr(stderr, "isatty", lambda: False)())
    if not progress:
        return range(epochs)
    # tqdm only when a bar is wanted; in a notebook its widget needs ipywidgets, without
    # which tqdm's text bar (carriage returns, which Jupyter handles) does the job.
    if notebook and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm
    else:
        from tqdm import tqdm
    return tqdm(range(epochs), desc="epoch", unit="epoch", leave=True)
