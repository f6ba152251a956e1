"""How a classifier's mistakes are spread over the classes: the confusion matrix.

Accuracy is one number; the confusion matrix says *which* classes the model mixes up. Row
``i`` is the examples whose true class is the i-th class, column ``j`` those the model
predicts as the j-th class: the diagonal holds the right answers, everything off it a
mistake ("a 3 read as an 8").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .module import Module
from .train import _check_data, _label_kind, predict_labels

__all__ = ["confusion_matrix"]


def confusion(
    model: Module, X: Sequence[Sequence[float]], y: Sequence[Any]
) -> tuple[list[int], list[list[int]], list[int]]:
    """``(classes, matrix, predictions)``: what :func:`confusion_matrix` counts, with the
    classes its rows and columns stand for and the predicted label of each example.

    >>> from nn import Perceptron
    >>> p = Perceptron(1, seed=0)
    >>> p.w[0].data, p.b.data = 1.0, 0.0
    >>> confusion(p, [[2.0], [-1.0]], [-1, 1])   # -1/+1 labels: the classes are -1 and 1
    ([-1, 1], [[0, 1], [1, 0]], [1, -1])
    """
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise TypeError(f"X must be a list of examples, got {type(X).__name__}")
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise TypeError(f"y must be a list of class labels, got {type(y).__name__}")
    if len(X) == 0:
        raise ValueError("X is empty: a confusion matrix counts at least one example")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)} labels")
    rows, targets = _check_data(X, y, getattr(model, "nin", None))
    kind = _label_kind(targets)
    if kind is None:
        raise ValueError(
            "a confusion matrix needs class labels (0/1, -1/+1 or 0..k-1), got "
            f"{_few_values(targets)}"
        )
    predicted = predict_labels(model, rows, "pm1" if kind == "pm1" else "01")
    classes = sorted(set(targets) | set(predicted))
    index = {c: i for i, c in enumerate(classes)}
    matrix = [[0] * len(classes) for _ in classes]
    for t, p in zip(targets, predicted):
        matrix[index[t]][index[p]] += 1
    return classes, matrix, predicted


def confusion_matrix(
    model: Module, X: Sequence[Sequence[float]], y: Sequence[Any]
) -> list[list[int]]:
    """Counts of (true class, predicted class): ``matrix[i][j]`` examples of the i-th class
    were predicted as the j-th.

    The predictions are ``nn.predict_labels(model, X)``: argmax for several outputs, the
    threshold for one output (0/1 labels, or -1/+1 when ``y`` holds -1/+1). The classes are
    ``sorted(set(y) | set(predictions))``, so the matrix is square, every row sums to that
    class's number of examples, all of it sums to ``len(X)``, and the diagonal's sum over
    ``len(X)`` is ``nn.accuracy(model, X, y)``.

    >>> from nn import Perceptron
    >>> p = Perceptron(1, seed=0)
    >>> p.w[0].data, p.b.data = 1.0, 0.0    # A = sigmoid(x): class 1 where x >= 0
    >>> confusion_matrix(p, [[2.0], [-1.0], [0.5], [-3.0]], [1, 0, 0, 0])
    [[2, 1], [0, 1]]
    """
    return confusion(model, X, y)[1]


def _few_values(values: list[Any]) -> str:
    shown = sorted({repr(v) for v in values})
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    return ", ".join(shown[:5]) + more
