"""Neural networks on the ``autograd`` engine: the perceptron story, end to end.

A perceptron computes ``Z = w·x + b`` and ``A = activation(Z)``; a loss compares one
prediction with its label, the cost J is the mean loss over m examples; gradient descent
moves every weight by ``-lr * dJ/dw``; one pass over the data is an epoch; a deep network is
the same thing, layer after layer.

>>> from nn import MLP, fit, data
>>> X, y = data.moons(20, seed=0, labels="pm1")   # hinge loss wants -1/+1 labels
>>> model = MLP(2, [8, 1], seed=0)
>>> history = fit(model, X, y, loss="hinge", epochs=5, progress=False)
>>> len(history.cost)
5
"""

import autograd._required  # noqa: F401  (first: is 'autograd' gradstep's engine?)
from autograd import register_library_code

from . import data, losses, optim
from .diagnoses import Diagnosis, TrainingWarning, diagnose
from .layers import ACTIVATIONS, BIASES, INITS, MLP, Layer, Neuron, Perceptron
from .losses import (
    bce_with_logits,
    binary_cross_entropy,
    cross_entropy,
    difference,
    hinge,
    l2,
    mse,
)
from .metrics import confusion_matrix
from .module import Module, path_of
from .optim import SGD, Adam, GradientsNotZeroedWarning, Optimizer
from .torch_bridge import from_torch, to_torch
from .train import History, accuracy, fit, output_threshold, predict, predict_labels

register_library_code(__file__)  # anomaly reports point at the user's line, not ours

__all__ = [
    "ACTIVATIONS",
    "BIASES",
    "INITS",
    "MLP",
    "SGD",
    "Adam",
    "Diagnosis",
    "GradientsNotZeroedWarning",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "Perceptron",
    "TrainingWarning",
    "accuracy",
    "bce_with_logits",
    "binary_cross_entropy",
    "confusion_matrix",
    "cross_entropy",
    "data",
    "diagnose",
    "difference",
    "fit",
    "from_torch",
    "hinge",
    "l2",
    "losses",
    "mse",
    "optim",
    "output_threshold",
    "path_of",
    "predict",
    "predict_labels",
    "to_torch",
]
