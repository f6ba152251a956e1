"""gradstep's engine: scalar reverse-mode automatic differentiation.

>>> from autograd import Value
>>> w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-1.0, label="b")
>>> z = w * x + b           # the perceptron's pre-activation
>>> a = z.sigmoid()         # and its activation
>>> a.backward()
>>> round(w.grad, 4)        # dA/dw = σ'(z) * x
0.5

Nothing here imports a third-party package.
"""

from . import ops
from ._clash import warn_if_mixed
from .compiler import Compiled, compile
from .functional import dot, logsumexp, mean, sum
from .gradcheck import GradcheckError, gradcheck, numerical_grad
from .gradients import backward, grad, topological_order, zero_grad
from .mode import (
    AnomalyError,
    CompileError,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    is_tracing,
    no_grad,
    register_library_code,
)
from .ops import Op
from .value import Constant, Value, apply

__all__ = [
    "Value",
    "Constant",
    "Op",
    "ops",
    "apply",
    "backward",
    "grad",
    "topological_order",
    "zero_grad",
    "compile",
    "Compiled",
    "CompileError",
    "sum",
    "mean",
    "dot",
    "logsumexp",
    "gradcheck",
    "numerical_grad",
    "GradcheckError",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "is_tracing",
    "detect_anomaly",
    "AnomalyError",
    "register_library_code",
]

__version__ = "0.1.0"

# HIPS autograd shares the import name: if its files landed in this folder, say so.
warn_if_mixed(__file__)

# Show errors as ``autograd.AnomalyError`` rather than by the private module they live in.
for _name in ("AnomalyError", "GradcheckError", "CompileError"):
    globals()[_name].__module__ = __name__
del _name
