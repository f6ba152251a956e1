"""The course's exercises: what each asks, its hint, and how an answer is judged.

Each judge works out the truth with gradstep when it is called -- nothing here stores an
answer. ``viz.course.check(id, answer)`` calls them.
"""

from __future__ import annotations

import functools
import itertools
import numbers
from typing import Any

from autograd import Value

from .course import NotAnswered, Unexpected, call, close, exercise, is_blank, number

# --- 1. The perceptron ---------------------------------------------------------------------


def _neuron(w: list[float], x: list[float], b: float) -> float:
    z = sum((Value(wi) * xi for wi, xi in zip(w, x)), Value(b))
    return z.sigmoid().data


@exercise(
    "1.1",
    "Compute A = σ(w·x + b) for w = (0.5, -1.0), x = (2.0, 1.0), b = 0.25.",
    "first Z = 0.5·2.0 + (-1.0)·1.0 + 0.25, then A = 1 / (1 + e^(-Z)).",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer)
    z = 0.5 * 2.0 - 1.0 * 1.0 + 0.25
    want = _neuron([0.5, -1.0], [2.0, 1.0], 0.25)
    if close(got, want, 1e-3):
        return True, f"Z = {z:g}, so A = σ({z:g}) ≈ {want:.4f}."
    if close(got, z, 1e-9):
        return False, "that is Z, the weighted sum; the neuron's output is σ(Z)."
    return False, f"{got:g} is not σ(Z) for this neuron."


@exercise(
    "1.2",
    "Choose b so that a neuron with w = 1.5 outputs A = 0.5 for x = 2.",
    "σ(Z) = 0.5 exactly when Z = 0, and here Z = 1.5·2 + b.",
)
def _(answer: Any) -> tuple[bool, str]:
    b = number(answer, "a number (the bias)")
    a = _neuron([1.5], [2.0], b)
    if close(a, 0.5, 1e-9):
        return True, f"with b = {b:g}, Z = 1.5·2 + b = 0 and σ(0) = 0.5: the switch sits at x = 2."
    return False, f"with b = {b:g} the neuron outputs A = σ({3 + b:g}) = {a:.4f}, not 0.5."


# --- 2. Forward propagation ------------------------------------------------------------------

_FORWARD_CASES = [
    (0.8, -1.2, 0.1, 1.5, -0.5),
    (0.0, 0.0, 0.0, 3.0, -2.0),
    (2.0, 1.0, -3.0, 0.5, 0.25),
    (-1.5, 0.5, 2.0, -2.0, 4.0),
    (10.0, -10.0, 0.5, 1.0, 1.0),
]


@exercise(
    "2.1",
    "Write forward(w1, w2, b, x1, x2) returning σ(w1·x1 + w2·x2 + b) with plain floats.",
    "z = w1 * x1 + w2 * x2 + b, then return 1 / (1 + math.exp(-z)).",
)
def _(answer: Any) -> tuple[bool, str]:
    for case in _FORWARD_CASES:
        w1, w2, b, x1, x2 = case
        want = _neuron([w1, w2], [x1, x2], b)
        got = number(call(answer, *case), "your function to return a number")
        if not close(got, want, 1e-9):
            return False, f"forward{case} returned {got:g}; the neuron gives {want:.6g}."
    return True, f"it matches gradstep's forward pass on all {len(_FORWARD_CASES)} inputs."


@exercise(
    "2.2",
    "How many operation nodes does the forward pass of (x * x + x).tanh() compute?",
    "count the operations: one for each of *, + and tanh (x itself is an input, not an op).",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer, "a whole number")
    x = Value(0.5)
    ops = [v for v in _order((x * x + x).tanh()) if v.op is not None]
    if got == len(ops):
        symbols = ", ".join(v.op.symbol for v in ops if v.op is not None)
        return True, f"{len(ops)} operations: {symbols}; x is an input, used three times."
    if got == len(ops) + 1:
        return False, "that counts x too; x is an input, not an operation."
    return False, f"{got:g} is not the number of operations."


def _order(root: Value) -> list[Value]:
    from autograd import topological_order

    return topological_order(root)


# --- 3. Loss and cost --------------------------------------------------------------------------


@exercise(
    "3.1",
    "The squared-error cost J of predictions 0.7, 0.1, 0.4 for labels 1, 0, 0.",
    "each loss is (A − y)²; the cost is their mean: add the three and divide by 3.",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import mse

    got = number(answer)
    cost = mse([0.7, 0.1, 0.4], [1, 0, 0])
    losses = [loss.data for loss in cost.parents]
    if close(got, cost.data, 1e-6):
        return True, f"the losses are {', '.join(f'{v:.2f}' for v in losses)}; their mean is J."
    if close(got, sum(losses), 1e-6):
        return False, "that is the sum of the losses; the cost is their mean."
    return False, f"{got:g} is not the mean squared error of these predictions."


@exercise(
    "3.2",
    "(loss of (A=0.8, y=1), cost of (0.8, 1) and (0.4, 0)) with the cross-entropy loss.",
    "loss₁ = −log 0.8 (y = 1 keeps only the first term); loss₂ = −log(1 − 0.4); cost = mean.",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import binary_cross_entropy

    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, f"expected a pair (loss, cost), got {answer!r}."
    loss, cost = (number(v) for v in answer)
    want = binary_cross_entropy([0.8, 0.4], [1, 0])
    want_loss, want_cost = want.parents[0].data, want.data
    if close(loss, want_loss, 1e-4) and close(cost, want_cost, 1e-4):
        return True, f"one example: loss {want_loss:.4f}; the mean over both: cost {want_cost:.4f}."
    if close(loss, want_cost, 1e-4) and close(cost, want_loss, 1e-4):
        return False, "the two are swapped: the loss is one example's, the cost the mean."
    if not close(loss, want_loss, 1e-4):
        return False, f"the first example's loss is not {loss:g}."
    return False, f"the loss is right, the cost {cost:g} is not the mean of the two losses."


# --- 4. The plain difference -------------------------------------------------------------------


@exercise(
    "4.1",
    "Two predictions, each at least 1 away from the label 1, with difference cost 0.",
    "one prediction above 1 and one below, by the same amount: the errors cancel.",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import difference

    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, f"expected a pair (p1, p2), got {answer!r}."
    p1, p2 = (number(v) for v in answer)
    cost = difference([p1, p2], [1, 1]).data
    if min(abs(p1 - 1), abs(p2 - 1)) < 1:
        return False, f"{p1:g} and {p2:g} are not both at least 1 away from the label 1."
    if abs(cost) > 1e-12:
        return False, f"their difference cost is {cost:g}, not 0."
    return True, f"errors {p1 - 1:+g} and {p2 - 1:+g} cancel: cost 0, yet both are wrong."


@exercise(
    "4.2",
    "dJ/dw of the difference cost of the linear neuron A = w·x + 1.78 on DESIGN_X.",
    "J(w) = mean(w·xᵢ + b − yᵢ) is a straight line in w; its slope is mean(x).",
)
def _(answer: Any) -> tuple[bool, str]:
    import autograd
    from nn import difference

    from .plots import DESIGN_B, DESIGN_X, DESIGN_Y

    got = number(answer)
    slopes = []
    for w0 in (-2.0, 0.0, 3.0):  # any w gives the same slope: check a few
        w = Value(w0)
        cost = difference([w * x + DESIGN_B for x in DESIGN_X], DESIGN_Y)
        (slope,) = autograd.grad(cost, [w])
        slopes.append(slope)
    if close(got, slopes[0], 1e-6):
        return True, f"dJ/dw = mean(x) = {slopes[0]:.4f} at every w ({len(slopes)} checked)."
    return False, f"{got:g} is not the slope; backprop gives the same value at every w."


# --- 5. Squared error through a sigmoid --------------------------------------------------------


@exercise(
    "5.1",
    "The largest value of σ′(Z) = σ(Z)·(1 − σ(Z)).",
    "s·(1 − s) is a parabola in s with its top at s = 1/2, i.e. at Z = 0.",
)
def _(answer: Any) -> tuple[bool, str]:
    import autograd

    got = number(answer)
    z = Value(0.0)
    (top,) = autograd.grad(z.sigmoid(), [z])
    if close(got, top, 1e-6):
        return True, f"σ′(0) = σ(0)·(1 − σ(0)) = 0.5·0.5 = {top:g}: a sigmoid slows every gradient."
    if close(got, 0.5, 1e-9):
        return False, "0.5 is σ(0), the value; the question is about its slope σ′."
    return False, f"{got:g} is not the largest slope of the sigmoid."


@exercise(
    "5.2",
    "A start w0 from which 25 steps of descent with α = 15 reach the global minimum (≈ 2.77).",
    "the barrier between the valleys is near w = 0.33: start to its right.",
)
def _(answer: Any) -> tuple[bool, str]:
    from .plots import DESIGN_X, DESIGN_Y, cost_curve, gradient_descent_path, local_minima

    w0 = number(answer, "a number (the starting weight)")
    ws = [i / 100 for i in range(-400, 501)]
    costs = cost_curve("mse", DESIGN_X, DESIGN_Y, ws)
    best = min(local_minima(ws, costs), key=lambda w: costs[ws.index(w)])
    end, cost = gradient_descent_path("mse", DESIGN_X, DESIGN_Y, w0, 15.0, 25)[-1]
    if abs(end - best) < 0.05:
        return True, f"from w0 = {w0:g}, descent ends at w = {end:.2f} (J = {cost:.4f})."
    return False, f"from w0 = {w0:g}, descent ends at w = {end:.2f}, not in the global valley."


# --- 6. Cross-entropy ------------------------------------------------------------------------


@exercise(
    "6.1",
    "dL/dw of the cross-entropy loss for x = 2, y = 1, w = 0.5, b = 0, by (A − y)·x.",
    "A = σ(0.5·2 + 0) = σ(1); then multiply (A − 1) by x = 2.",
)
def _(answer: Any) -> tuple[bool, str]:
    import autograd
    from nn import binary_cross_entropy

    got = number(answer)
    w = Value(0.5)
    a = (w * 2.0).sigmoid()
    (want,) = autograd.grad(binary_cross_entropy([a], [1]), [w])
    if close(got, want, 1e-4):
        return True, f"(A − y)·x = ({a.data:.4f} − 1)·2 = {want:.4f}, the same as backward()."
    if close(got, -want, 1e-4):
        return False, "the sign is off: A < y here, so the gradient is negative (raise w)."
    return False, f"{got:g} is not (A − y)·x for this example."


@exercise(
    "6.2",
    "J''(2) of the cross-entropy cost on DESIGN_X, DESIGN_Y (bias 1.78), by autograd.grad twice.",
    "w = Value(2.0); build J; dJ, = autograd.grad(J, [w], create_graph=True); then grad dJ.",
)
def _(answer: Any) -> tuple[bool, str]:
    import autograd
    from nn import binary_cross_entropy

    from .plots import DESIGN_B, DESIGN_X, DESIGN_Y

    got = number(answer)
    w = Value(2.0)
    cost = binary_cross_entropy([(w * x + DESIGN_B).sigmoid() for x in DESIGN_X], DESIGN_Y)
    (first,) = autograd.grad(cost, [w], create_graph=True)
    (want,) = autograd.grad(first, [w])
    if close(got, want, 1e-6):
        return True, f"J''(2) = {want:.4f} > 0, as everywhere on a convex cost."
    if close(got, first.data, 1e-6):
        return False, "that is the first derivative J'(2); differentiate it once more."
    return False, f"{got:g} is not J''(2)."


# --- 7. Gradient descent ---------------------------------------------------------------------


def _moons_task() -> tuple[list[list[float]], list[int]]:
    from nn import data

    return data.moons(40, noise=0.2, seed=1)


def _descend(
    model: Any, X: Any, y: Any, alpha: float, epochs: int, zero_grad: bool = True
) -> list[float]:
    from nn import binary_cross_entropy

    costs = []
    for _ in range(epochs):
        if zero_grad:
            model.zero_grad()
        cost = binary_cross_entropy([model(x) for x in X], y)
        cost.backward()
        for param in model.parameters():
            param.data -= alpha * param.grad
        costs.append(cost.data)
    return costs


@exercise(
    "7.1",
    "Write my_train(model, X, y, alpha, epochs): gradient descent on the cross-entropy cost.",
    "each epoch: model.zero_grad(); J = nn.binary_cross_entropy([model(x) for x in X], y); "
    "J.backward(); p.data -= alpha * p.grad for every p in model.parameters().",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import Perceptron

    if not callable(answer):
        raise Unexpected(f"expected your function my_train, got {type(answer).__name__}.")
    if is_blank(answer):
        raise NotAnswered("my_train is still blank: write its body.")
    X, y = _moons_task()
    theirs, ours = Perceptron(2, seed=0), Perceptron(2, seed=0)
    costs = answer(theirs, X, y, 1.0, 5)
    reference = _descend(ours, X, y, 1.0, 5)
    forgetful = Perceptron(2, seed=0)
    _descend(forgetful, X, y, 1.0, 5, zero_grad=False)
    if all(
        close(a.data, b.data, 1e-9) for a, b in zip(theirs.parameters(), forgetful.parameters())
    ):
        return False, (
            "your loop never zeroes the gradients, so each backward() adds to the last "
            "epoch's (chapter 8 shows what that does)."
        )
    for got, want in zip(theirs.parameters(), ours.parameters()):
        if not close(got.data, want.data, 1e-9):
            return False, (
                f"after 5 epochs with α = 1, {got.label} is {got.data:.6f}; gradient descent "
                f"gives {want.data:.6f}."
            )
    if not (isinstance(costs, list) and len(costs) == 5):
        return False, "the parameters are right; now return the list of the 5 costs too."
    if not all(close(number(a), b, 1e-9) for a, b in zip(costs, reference)):
        return False, "the parameters are right, but the costs returned are not the costs."
    return True, (
        f"the same parameters as gradstep's loop; cost {reference[0]:.3f} → {reference[-1]:.3f}."
    )


@exercise(
    "7.2",
    "A learning rate for which 30 steps from Perceptron(2, seed=0) bring the cost below 0.31.",
    "0.05 crawls and 50 jumps around: try values in between (the plot shows one that works).",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import Perceptron

    alpha = number(answer, "a number (the learning rate)")
    if alpha <= 0:
        return False, f"α = {alpha:g} would climb uphill (or stand still): it must be > 0."
    costs = _descend(Perceptron(2, seed=0), *_moons_task(), alpha, 30)
    final = costs[-1]
    if final < 0.31:
        return True, f"with α = {alpha:g} the cost falls from {costs[0]:.3f} to {final:.3f}."
    wobbly = sum(b > a for a, b in itertools.pairwise(costs)) > 3
    why = "it goes up and down: too large" if wobbly else "it falls too slowly: too small"
    return False, f"with α = {alpha:g} the cost ends at {final:.3f}; {why}."


# --- 8. Epochs and accumulation ----------------------------------------------------------------


@exercise(
    "8.1",
    "[w1.grad, w2.grad, b.grad] after backward() on each of the 3 first examples' mse loss.",
    "q.zero_grad() once, then for x, t in zip(X[:3], y[:3]): nn.mse([q(x)], [t]).backward().",
)
def _(answer: Any) -> tuple[bool, str]:
    import autograd
    from nn import Perceptron, mse

    if not (isinstance(answer, (list, tuple)) and len(answer) == 3):
        return False, f"expected three numbers [w1.grad, w2.grad, b.grad], got {answer!r}."
    got = [number(v) for v in answer]
    X, y = _moons_task()
    q = Perceptron(2, seed=0)
    total = mse([q(x) for x in X[:3]], y[:3], reduction="sum")
    want = autograd.grad(total, q.parameters())
    if all(close(a, b, 1e-9) for a, b in zip(got, want)):
        return True, "three backward() calls added up to the gradient of the summed loss."
    last = autograd.grad(mse([q(X[2])], [y[2]]), q.parameters())
    if all(close(a, b, 1e-9) for a, b in zip(got, last)):
        return False, "those are the last example's gradients alone: do not reset in between."
    mean = [g / 3 for g in want]
    if all(close(a, b, 1e-9) for a, b in zip(got, mean)):
        return False, "that is the gradient of the mean; the three calls add, they do not average."
    return False, "these are not the accumulated gradients of the three losses."


@exercise(
    "8.2",
    "A callback that stops fit at the first epoch improving the cost by less than 1e-4.",
    "remember the previous cost (a list outside the function, or a default argument); "
    "return False when previous − cost < 1e-4.",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import SGD, Perceptron, fit

    if not callable(answer):
        raise Unexpected(f"expected your function my_callback, got {type(answer).__name__}.")
    if is_blank(answer):
        raise NotAnswered("my_callback is still blank: write its body.")
    X, y = _moons_task()

    def run(callback: Any, epochs: int) -> Any:
        model = Perceptron(2, seed=0)
        optimizer = SGD(model.parameters(), lr=5.0)
        return fit(model, X, y, loss="binary_cross_entropy", optimizer=optimizer,
                   epochs=epochs, callback=callback, progress=False)  # fmt: skip

    full = run(None, 300).cost
    flat = next((k + 1 for k in range(1, len(full)) if full[k - 1] - full[k] < 1e-4), len(full))
    history = run(answer, 300)
    if len(history) == flat:
        return True, f"it stopped at epoch {flat}, the first that gained less than 1e-4."
    if len(history) == 300:
        return False, "training never stopped: return False (not None, not 0) to stop."
    if len(history) <= 2:
        return False, (
            f"it stopped at epoch {len(history)}. If it keeps the costs of an earlier run "
            "(a list outside the function), run its cell again to start afresh."
        )
    return False, f"it stopped at epoch {len(history)}; the cost first flattened at epoch {flat}."


# --- 9. Backprop by hand -----------------------------------------------------------------------


def _two_layer_gradients() -> dict[str, float]:
    from nn import MLP, mse

    net = MLP(2, [2, 1], activation="sigmoid", output="sigmoid", seed=0)
    mse([net([1.0, -0.5])], [1]).backward()
    return {name: p.grad for name, p in net.named_parameters()}


def _hidden_path_factors() -> dict[str, float]:
    """The local derivatives on the path L <- A2[0] <- Z2[0] <- A1[0] <- Z1[0] <- W1[0,0]."""
    from nn import MLP

    net = MLP(2, [2, 1], activation="sigmoid", output="sigmoid", seed=0)
    x, y = [1.0, -0.5], 1
    hidden, out = net.layers[0].neurons, net.layers[1].neurons[0]
    a1 = [n(x).data for n in hidden]
    a2 = out([Value(a) for a in a1]).data
    return {
        "∂L/∂A2[0] = 2(A2[0] − y)": 2 * (a2 - y),
        "∂A2[0]/∂Z2[0], the output neuron's σ′": a2 * (1 - a2),
        "∂Z2[0]/∂A1[0], the output weight W2[0,0] that carries A1[0] forward": out.w[0].data,
        "∂A1[0]/∂Z1[0], the hidden neuron's own σ′": a1[0] * (1 - a1[0]),
    }  # the last factor, ∂Z1[0]/∂W1[0,0] = x[0], is 1 here: leaving it out changes nothing


@exercise(
    "9.1",
    "dL/dW1[0,0] in chapter 9's network (the weight from x[0] into hidden neuron 0).",
    "one local derivative per arrow of the path, as for W2[0,0]; from Z2[0] back to A1[0] the "
    "factor is what multiplies A1[0] in Z2[0], then comes the hidden neuron's own σ′.",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer)
    grads = _two_layer_gradients()
    want = grads["layers.0.neurons.0.w.0"]
    if close(got, want, 1e-4):
        return True, f"{want:.6f}, exactly what backward() put in .grad."
    if close(got, grads["layers.1.neurons.0.w.0"], 1e-4):
        return False, "that is the output weight W2[0,0]'s gradient; go two nodes further back."
    for name, factor in _hidden_path_factors().items():
        if factor != 0 and close(got * factor, want, 1e-4):
            return False, f"one factor of the chain is missing: {name}."
    return False, f"{got:g} is not dL/dW1[0,0]."


@exercise(
    "9.2",
    "dL/db2[0] for the output neuron's bias b2[0].",
    "dZ2[0]/db2[0] = 1, so it is dL/dZ2[0] = 2(A2[0] − y) · A2[0](1 − A2[0]).",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer)
    want = _two_layer_gradients()["layers.1.neurons.0.b"]
    if close(got, want, 1e-4):
        return True, f"{want:.6f}: the bias gets dL/dZ2[0] itself, since dZ2[0]/db2[0] = 1."
    return False, f"{got:g} is not dL/db2[0] for the output bias."


# --- 10. Deep networks -------------------------------------------------------------------------


#: The seeds a fresh model is compared with to tell it was never trained (seed=0 is the default).
_FRESH_SEEDS = range(16)


def _never_trained(model: Any) -> str | None:
    """Why ``model`` looks never trained (its weights as built), or None if it was changed.

    Every bias starts at exactly 0 and any training step moves it; the weights are compared
    with a model built afresh from the same config with the first few seeds.
    """
    state = model.state_dict()
    if not state:
        return None
    for seed in _FRESH_SEEDS:
        try:
            fresh = type(model)(**model.config(), seed=seed)
        except (TypeError, ValueError, AttributeError, NotImplementedError):  # a Module of your own
            break
        if fresh.state_dict() == state:
            return (
                f"this model still has the weights it was built with (seed={seed}): it was "
                "never trained. Train it first, e.g. nn.fit(xor_model, X, y, ...), then check."
            )
    biases = [value for name, value in state.items() if name.rsplit(".", 1)[-1] == "b"]
    if biases and all(b == 0.0 for b in biases):
        return (
            "every bias is still exactly 0, as when the model was built: it was never trained. "
            "Train it first, e.g. nn.fit(xor_model, X, y, ...), then check."
        )
    return None


@exercise(
    "10.1",
    "A trained model with training accuracy 1.0 on nn.data.xor().",
    "one hidden layer is enough: nn.MLP(2, [4, 1], activation='tanh', output='sigmoid'), "
    "then nn.fit(...) with Adam(lr=0.1) for a few hundred epochs.",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import Module, accuracy, data

    if not isinstance(answer, Module):
        raise Unexpected(f"expected a trained nn model, got {type(answer).__name__}.")
    untrained = _never_trained(answer)
    if untrained:
        return False, untrained
    X, y = data.xor()
    got = accuracy(answer, X, y)
    if got == 1.0:
        layers = len(getattr(answer, "layers", [answer]))
        return True, f"4 out of 4, with {layers} layer{'s' if layers != 1 else ''}."
    if not hasattr(answer, "layers") or len(answer.layers) < 2:
        return False, f"accuracy {got:.0%}: one layer draws one line, and XOR needs two."
    return False, f"accuracy {got:.0%}: train it longer, or with a larger learning rate."


def _mean_gradients(activation: str) -> list[float]:
    import statistics

    from nn import MLP, binary_cross_entropy, data

    net = MLP(2, [8] * 6 + [1], activation=activation, output="sigmoid", seed=0)
    X, y = data.moons(20, seed=0)
    binary_cross_entropy([net(x) for x in X], y).backward()
    return [
        statistics.fmean(abs(w.grad) for n in layer.neurons for w in n.w) for layer in net.layers
    ]


@exercise(
    "10.2",
    "An activation for which the first hidden layer's mean |grad| is ≥ 1/10 of the last's.",
    "the sigmoid's slope is at most 0.25; which activation of the plot keeps a slope near 1?",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import ACTIVATIONS

    if not isinstance(answer, str) or answer not in ACTIVATIONS:
        raise Unexpected(f"expected one of {', '.join(map(repr, ACTIVATIONS))}, got {answer!r}.")
    if answer == "step":
        return False, "'step' has a derivative of 0: no gradient reaches any layer."
    grads = _mean_gradients(answer)
    ratio = grads[0] / grads[-2]
    if ratio >= 0.1:
        return True, f"with {answer} the first hidden layer gets {ratio:.2g}× the last one's."
    return False, f"with {answer} the first hidden layer gets only {ratio:.2g}× the last one's."


# --- 11. When learning fails -------------------------------------------------------------------


def _quietly(run: Any) -> Any:
    """``run()`` with fit's TrainingWarnings kept out of the check's output: a judge reads the
    diagnoses from the History instead."""
    import warnings

    from nn import TrainingWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingWarning)
        return run()


def _first_sentence(message: str) -> str:
    """A diagnosis's finding, without the advice that follows it."""
    return message.split(". ")[0]


def _failing_moons() -> tuple[list[list[float]], list[int]]:
    from nn import data

    return data.moons(100, noise=0.1, seed=0)


#: 11.1's goal: the training accuracy a good learning rate reaches in 40 epochs.
_GOAL_11_1 = 0.88


@exercise(
    "11.1",
    "A learning rate α with which SGD trains MLP(2, [16, 1], seed=1) on the chapter's moons "
    f"(loss='mse', 40 epochs) to ≥ {_GOAL_11_1:.0%} accuracy, with no diagnosis.",
    "too large diverges, a bit smaller kills ReLUs, too small is slow: try values between "
    "0.01 and 1 and read history.diagnosis each time.",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import MLP, SGD, accuracy, fit

    alpha = number(answer, "a number (the learning rate)")
    if alpha <= 0:
        return False, f"α = {alpha:g} would climb uphill (or stand still): it must be > 0."
    X, y = _failing_moons()
    model = MLP(2, [16, 1], seed=1)
    optimizer = SGD(model.parameters(), lr=alpha)
    history = _quietly(lambda: fit(model, X, y, loss="mse", optimizer=optimizer, epochs=40,
                                   progress=False))  # fmt: skip
    found = {d.kind: d for d in history.diagnosis}
    if "diverged" in found:
        return False, (
            f"with α = {alpha:g} fit stopped after {len(history)} epochs: "
            f"{_first_sentence(found['diverged'].message)}."
        )
    if "dead" in found:
        return False, (
            f"with α = {alpha:g} the cost did not diverge, but: "
            f"{_first_sentence(found['dead'].message)}. A step this big knocks them below 0."
        )
    got = accuracy(model, X, y)
    if found:
        first = next(iter(found.values()))
        return False, f"with α = {alpha:g}: {_first_sentence(first.message)}."
    if got >= _GOAL_11_1:
        return True, f"with α = {alpha:g}: accuracy {got:.0%} in 40 epochs, and fit said nothing."
    return False, (
        f"with α = {alpha:g} the run is healthy but slow: accuracy {got:.0%} after 40 epochs, "
        f"not yet {_GOAL_11_1:.0%}. A larger α takes bigger steps."
    )


def _vanishing_ratio(hidden: int) -> tuple[float, bool]:
    """Layer 1's gradient norm over the output layer's in a sigmoid MLP of ``hidden`` hidden
    layers of 8 (seed 0), on one batch, and whether ``nn.diagnose`` calls it vanishing."""
    from nn import MLP, data, diagnose

    X, y = data.moons(50, noise=0.1, seed=0)
    net = MLP(2, [8] * hidden + [1], activation="sigmoid", seed=0)
    report = diagnose(net, X, y, loss="bce_with_logits")
    norms = report.grad_norms
    return norms[0] / norms[-1], any(d.kind == "vanishing" for d in report.findings)


def _times_smaller(ratio: float) -> str:
    return f"{1 / ratio:,.0f} times smaller" if ratio > 0 else "0"


@exercise(
    "11.2",
    "The fewest hidden sigmoid layers of 8 (MLP(2, [8] * k + [1], activation='sigmoid', "
    "seed=0), on moons(50, noise=0.1, seed=0)) at which nn.diagnose says 'vanishing'.",
    "build the network for k = 1, 2, 3, ... and look at each check-up's findings "
    "(nn.diagnose(net, Xs, ys, loss='bce_with_logits').findings).",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer, "a whole number of hidden layers")
    if got != int(got) or got < 1:
        return False, f"{got:g} is not a number of hidden layers (1, 2, 3, ...)."
    k = int(got)
    if k > 20:
        return False, f"{k} hidden layers is far more than needed: try fewer."
    fewest = next((n for n in range(1, 21) if _vanishing_ratio(n)[1]), None)
    ratio, vanishes = _vanishing_ratio(k)
    if k == fewest:
        before, _ = _vanishing_ratio(k - 1) if k > 1 else (1.0, False)
        return True, (
            f"with {k} sigmoid layers layer 1's gradient is {_times_smaller(ratio)} than the "
            f"output layer's; with {k - 1} it was {_times_smaller(before)}."
        )
    if vanishes:
        return False, (
            f"with {k} hidden layers it does vanish (layer 1's gradient is "
            f"{_times_smaller(ratio)}), but it vanishes with fewer too."
        )
    said = (
        f"with {k} hidden layer{'s' if k != 1 else ''} layer 1's gradient is "
        f"{_times_smaller(ratio)} than the output layer's: not the 1,000 times diagnose "
        "calls vanishing"
    )
    if fewest is not None and fewest < k:
        return False, (
            f"{said}. It vanishes with fewer layers, though: the ratio depends on the random "
            "starting weights and need not grow evenly with depth."
        )
    return False, f"{said}."


def _dead_relu_net() -> Any:
    """Chapter 11's over-stepped ReLU network: MLP(2, [16, 16, 1], seed=1), SGD α = 3."""
    from nn import MLP, SGD, fit

    X, y = _failing_moons()
    net = MLP(2, [16, 16, 1], seed=1)
    optimizer = SGD(net.parameters(), lr=3)
    _quietly(lambda: fit(net, X, y, loss="bce_with_logits", optimizer=optimizer, epochs=20,
                         progress=False))  # fmt: skip
    return net


@exercise(
    "11.3",
    "How many of the 16 ReLU neurons of layer 2 of relu_net are dead after its training?",
    "fit says 'dead' once, for the first layer it finds; nn.diagnose(relu_net, X, y, "
    "loss='bce_with_logits') lists every hidden layer.",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn.diagnoses import activity

    got = number(answer, "a whole number of neurons")
    layers = activity(_dead_relu_net(), _failing_moons()[0])
    first, second = (len(layer.dead) for layer in layers)
    size = layers[1].neurons
    if got == second:
        return True, (
            f"{second} of layer 2's {size} neurons output 0 for every example (and {first} of "
            "layer 1's): their slope is 0 there, so they never learn again."
        )
    if got == first:
        return False, "that is layer 1's count; the question is about layer 2."
    if got == size - second:
        return False, "that counts the neurons still alive; the question asks for the dead."
    if got == first + second:
        return False, "that is both hidden layers together; count layer 2's alone."
    return False, f"{got:g} is not the number of dead neurons in layer 2."


# --- 12. The playground ------------------------------------------------------------------------


def _feature_names(answer: Any, what: str) -> tuple[str, ...]:
    """``answer`` as a tuple of the playground's feature names; :class:`Unexpected` if not."""
    from .playground import FEATURES

    names = (answer,) if isinstance(answer, str) else answer
    known = ", ".join(map(repr, FEATURES))
    if not isinstance(names, (tuple, list)) or not names:
        raise Unexpected(f"expected {what}, got {type(answer).__name__} {answer!r}.")
    for name in names:
        if not isinstance(name, str) or name not in FEATURES:
            raise Unexpected(f"{name!r} is not one of the playground's features: {known}.")
    if len(set(names)) != len(names):
        raise Unexpected(f"{tuple(names)!r} names a feature twice.")
    return tuple(names)


def _last(values: list[float | None]) -> float:
    """A history's last value (NaN if that epoch had none)."""
    value = values[-1] if values else None
    return float("nan") if value is None else value


def _percent(fraction: float) -> str:
    return f"{fraction:.0%}"


#: 12.1: the single neuron on xor, as the chapter trains it.
_XOR_EPOCHS = 40


def _xor_neuron(feature: str) -> Any:
    from .playground import Playground

    pg = Playground("xor", hidden=[], features=(feature,), lr=0.3, seed=0)
    pg.train(_XOR_EPOCHS)
    return pg


@exercise(
    "12.1",
    "The ONE feature (a str, e.g. 'x1^2') with which a single neuron (hidden=[]) learns xor "
    f"to ≥ 90% test accuracy in {_XOR_EPOCHS} epochs (lr=0.3, seed=0).",
    "xor's class is 1 where x1 and x2 have the same sign; which feature is > 0 exactly there?",
)
def _(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, (tuple, list)) and len(answer) == 1:
        answer = answer[0]
    if not isinstance(answer, str):
        raise Unexpected(f"expected one feature name (a str), got {type(answer).__name__} "
                         f"{answer!r}.")  # fmt: skip
    (feature,) = _feature_names(answer, "one feature name (a str)")
    got = _last(_xor_neuron(feature).history.val_accuracy)
    if got >= 0.9:
        return True, (
            f"with {feature} alone the neuron reaches {_percent(got)} on the test set: "
            f"Z = w·{feature} + b = 0 is where the product changes sign, the two axes."
        )
    coin = ": no better than a coin" if got < 0.65 else ""
    return False, (
        f"with {feature} the test accuracy is {_percent(got)} after {_XOR_EPOCHS} epochs{coin}. "
        "One threshold on this feature cannot tell xor's classes apart."
    )


#: 12.2: the neuron on circles, as the chapter trains it.
_CIRCLE_EPOCHS = 60


@exercise(
    "12.2",
    "Features (a tuple) with which a network with no hidden layer reaches ≥ 90% test "
    f"accuracy on 'circles' in {_CIRCLE_EPOCHS} epochs (lr=0.3, seed=0).",
    "one neuron draws where Z = 0; for which features is w1·f1 + w2·f2 + b = 0 a circle?",
)
def _(answer: Any) -> tuple[bool, str]:
    from .playground import Playground

    features = _feature_names(answer, "a tuple of feature names, e.g. ('x1', 'x2')")
    pg = Playground("circles", hidden=[], features=features, lr=0.3, seed=0)
    history = pg.train(_CIRCLE_EPOCHS)
    got = _last(history.val_accuracy)
    named = ", ".join(features)
    if got >= 0.9:
        return True, f"with {named} one neuron reaches {_percent(got)} on the test set."
    said = f"with {named} the test accuracy is {_percent(got)} after {_CIRCLE_EPOCHS} epochs"
    if set(features) <= {"x1", "x2", "sin(x1)", "sin(x2)"}:
        return False, f"{said}: Z = 0 on these is a line, or close to one: no circle."
    return False, f"{said}: Z = 0 on these is not a closed curve around the centre."


#: 12.3: the chapter's overfitting set-up, trained as long as the chapter trains it.
_OVERFIT_EPOCHS = 200


def _overfit_run(l2: float) -> Any:
    from .playground import Playground

    pg = Playground("gaussian", n=60, noise=0.35, hidden=[8, 8], lr=0.3, l2=l2, seed=1)
    return pg.train(_OVERFIT_EPOCHS)


@exercise(
    "12.3",
    "An l2 with which the chapter's overfitting set-up (gaussian, n=60, noise=0.35, hidden "
    f"[8, 8], lr=0.3, seed=1), after {_OVERFIT_EPOCHS} epochs, has a test accuracy ≥ 88% and a "
    "test cost below 0.40.",
    "0.01 closed the gap but left the test accuracy at 80%; too much L2 pulls every weight to "
    "0. Try a few values and read pg.history.val_cost and val_accuracy.",
)
def _(answer: Any) -> tuple[bool, str]:
    l2 = number(answer, "a number (the L2 strength λ)")
    if l2 < 0:
        return False, f"l2 = {l2:g} would push the weights away from 0: it must be ≥ 0."
    if l2 > 100:
        return False, f"l2 = {l2:g} is far too strong: try values below 1."
    h = _overfit_run(l2)
    cost, acc = _last(h.cost), _last(h.accuracy)
    val_cost, val_acc = _last(h.val_cost), _last(h.val_accuracy)
    said = (
        f"with l2 = {l2:g}: train cost {cost:.3f} ({_percent(acc)}), test cost {val_cost:.3f} "
        f"({_percent(val_acc)})"
    )
    gap = val_cost - cost
    if val_acc >= 0.88 and val_cost < 0.40:
        return True, f"{said}: the gap is {gap:.3f}, and the test points are learned."
    if acc <= 0.55:
        return False, (
            f"{said}: the pull to 0 wins over the data, every weight is near 0 and the network "
            "says 50/50 everywhere. Much less L2."
        )
    if val_acc < 0.88 and gap > 0.1:
        return False, f"{said}: still overfitting, the gap is {gap:.3f}. More L2."
    if val_acc < 0.88:
        return False, (
            f"{said}: the gap is nearly closed ({gap:.3f}), but the boundary still bends round a "
            "few training points. A little more L2."
        )
    return False, (
        f"{said}: the accuracy is fine, but the weights are pulled so near 0 that every output "
        "leans toward 50/50, and the cost counts how unsure it is. Less L2."
    )


# --- 13. Handwritten digits --------------------------------------------------------------------


@functools.cache
def _digits_sets() -> tuple[list[list[float]], list[int], list[list[float]], list[int]]:
    """Chapters 13-14's data: the digits split as the chapters split them (a quarter of each
    class held out, seed 0), standardized by the training set: ``(X_train_s, y_train,
    X_test_s, y_test)``."""
    from nn import data

    X_train, y_train, X_test, y_test = _raw_digits_split()
    X_train_s, X_test_s = data.standardize(X_train, X_test)
    return X_train_s, y_train, X_test_s, y_test


@functools.cache
def _digits_confusion() -> list[list[int]]:
    """The confusion matrix on the test set of chapter 13's network, trained as the chapter
    trains it: MLP(64, [32, 10], seed=0), Adam α = 0.01, 20 epochs of minibatches of 32."""
    from nn import confusion_matrix

    X_train_s, y_train, X_test_s, y_test = _digits_sets()
    model, _ = _train_digits(X_train_s, y_train, 20, hidden=32)
    return confusion_matrix(model, X_test_s, y_test)


@exercise(
    "13.1",
    "The cross-entropy cost J of a network that gives each of the 10 classes probability 1/10.",
    "each image's loss is −log p_y, and here p_y = 1/10 whatever the true class: use math.log "
    "(the natural log).",
)
def _(answer: Any) -> tuple[bool, str]:
    import math

    from nn import cross_entropy

    got = number(answer)
    same = [Value(0.0) for _ in range(10)]  # ten equal scores: softmax gives 1/10 each
    want = cross_entropy([same] * 10, list(range(10))).data
    if close(got, want, 1e-4):
        return True, (
            f"J = −log(1/10) = log 10 ≈ {want:.4f} for every image, so for their mean too: the "
            "cost of a guess, where every training run on ten classes starts."
        )
    if close(got, -want, 1e-4):
        return False, "the sign is off: −log of a probability below 1 is positive."
    if close(got, 0.1, 1e-9):
        return False, "0.1 is the probability p_y; the loss is minus its log."
    if close(got, math.log10(10), 1e-9):
        return False, "that is log base 10 of 10; the cross-entropy uses the natural log."
    return False, f"{got:g} is not −log(1/10)."


#: 13.2 is tried on the scores of an untrained MLP(64, [32, 10]) for this many images.
_SCORE_ROWS = 12


@exercise(
    "13.2",
    "Write predict_digit(scores): the digit (0-9) predicted from the 10 output scores Z_0..Z_9.",
    "the prediction is the class with the largest score: the position of max(scores) in the "
    "list (a list's .index(value) finds a position).",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import MLP, predict_labels

    X_train_s = _digits_sets()[0][:_SCORE_ROWS]
    net = MLP(64, [32, 10], seed=1)
    rows = [[s.data for s in net(x)] for x in X_train_s]
    truth = predict_labels(net, X_train_s)
    # two rows of our own whose largest |score| is a negative one
    made_up = [[-9.0, 0.5, 1.5, -0.2, 0.0, 0.1, 0.3, -3.0, 1.2, 0.9],
               [0.2, -0.1, -7.0, 0.3, 0.0, -0.4, 0.1, 0.25, -0.3, 0.05]]  # fmt: skip
    rows += made_up
    truth += [max(range(10), key=row.__getitem__) for row in made_up]
    for scores, want in zip(rows, truth):
        got = call(answer, list(scores))
        if isinstance(got, Value):
            got = got.data
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Unexpected(f"predict_digit returned {type(got).__name__} {got!r}, not an int.")
        value = float(got)  # an int, a float or a NumPy integer
        if value != int(value):
            if any(close(value, s, 1e-12) for s in scores):
                return False, "that is the largest score itself; the digit is its position."
            raise Unexpected(f"predict_digit returned {got!r}, not a digit 0-9.")
        got = int(value)
        if got == want + 1:
            return False, f"it returned {got} where the digit is {want}: positions count from 0."
        if got != want:
            shown = ", ".join(f"{s:.2f}" for s in scores)
            return False, f"for scores [{shown}] it returned {got}; the network predicts {want}."
    return True, (
        f"the same digit as nn.predict_labels on all {len(rows)} rows: the largest Z, which is "
        "also the largest softmax probability."
    )


@exercise(
    "13.3",
    "The digit chapter 13's network answers most often when it is wrong on the test set.",
    "the answers are the columns of the confusion matrix: add up each column without its "
    "diagonal cell.",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer, "a digit (an int from 0 to 9)")
    if got != int(got) or not 0 <= got <= 9:
        return False, f"{got:g} is not a digit from 0 to 9."
    digit = int(got)
    matrix = _digits_confusion()
    k = len(matrix)
    said = [sum(matrix[t][p] for t in range(k) if t != p) for p in range(k)]  # per column
    missed = [sum(matrix[t]) - matrix[t][t] for t in range(k)]  # per row
    if said[digit] == max(said):
        return True, (
            f"it wrongly says {digit} {said[digit]} times, more than any other digit: "
            f"{sum(said)} mistakes in all."
        )
    if missed[digit] == max(missed):
        return False, (
            f"{digit} is a digit it often gets wrong ({missed[digit]} of its test images, its "
            f"row); but it wrongly says {digit} only {said[digit]} times (its column)."
        )
    return False, f"it wrongly says {digit} {said[digit]} times; another digit more often."


# --- 14. Generalisation ------------------------------------------------------------------------


def _raw_digits_split() -> tuple[list[list[float]], list[int], list[list[float]], list[int]]:
    """The digits split as chapters 13-14 split them, not standardized."""
    from nn import data

    X, y = data.digits()
    (X_train, y_train), (X_test, y_test) = data.split(X, y, test_fraction=0.25, seed=0)
    return X_train, y_train, X_test, y_test


def _train_digits(
    X_fit: Any, y_fit: Any, epochs: int, *, hidden: int = 64, **options: Any
) -> tuple[Any, Any]:
    """Chapter 14's ``train_digits`` (chapter 13's network with ``hidden=32``):
    MLP(64, [hidden, 10], seed=0), Adam α = 0.01, minibatches of 32, compiled."""
    from nn import MLP, Adam, fit

    model = MLP(64, [hidden, 10], seed=0)
    history = fit(model, X_fit, y_fit, loss="cross_entropy", optimizer=Adam(model.parameters(),
                  lr=0.01), epochs=epochs, batch_size=32, compile=True, progress=False,
                  **options)  # fmt: skip
    return model, history


#: Chapter 14's small training set: the first this many training images.
_SMALL = 100


@functools.cache
def _memorised() -> Any:
    """The History of chapter 14's 100-image run, 60 epochs, the test set watched."""
    from nn import data

    X_train, y_train, X_test, y_test = _raw_digits_split()
    X_small_s, X_test_s = data.standardize(X_train[:_SMALL], X_test)
    return _train_digits(X_small_s, y_train[:_SMALL], 60, validation=(X_test_s, y_test))[1]


@exercise(
    "14.1",
    "The epoch (counted from 1) after which the test cost of chapter 14's 100-image run is lowest.",
    "history.val_cost holds one test cost per epoch, the first at index 0: find the index of "
    "min(...) and add 1.",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer, "a whole number (an epoch)")
    h = _memorised()
    costs = h.val_cost
    if got != int(got) or not 1 <= got <= len(costs):
        return False, f"{got:g} is not an epoch of this run (1 to {len(costs)})."
    epoch = int(got)
    best = costs.index(min(costs)) + 1
    if epoch == best:
        return True, (
            f"after epoch {best} the test cost is {costs[best - 1]:.3f}; by epoch {len(costs)} "
            f"it has risen to {costs[-1]:.3f} while the training cost fell to {h.cost[-1]:.4f}."
        )
    if epoch == best - 1:
        return False, f"{epoch} is the index in the list; epochs count from 1."
    accuracies = h.val_accuracy
    if epoch == accuracies.index(max(accuracies)) + 1:
        return False, "that is the epoch of the best test accuracy; the question is the cost."
    if epoch == len(costs) and h.cost.index(min(h.cost)) + 1 == epoch:
        return False, "that is where the training cost is lowest; the question is the test cost."
    return False, f"after epoch {epoch} the test cost is {costs[epoch - 1]:.3f}: not the lowest."


@functools.cache
def _stopped() -> Any:
    """The History of chapter 14's early-stopping run: 100 images, patience 5 on the 300
    training images after them."""
    from nn import data

    X_train, y_train, _, _ = _raw_digits_split()
    pool = slice(_SMALL, _SMALL + 300)
    X_small_s, X_val_s = data.standardize(X_train[:_SMALL], X_train[pool])
    validation = (X_val_s, y_train[pool])
    return _train_digits(X_small_s, y_train[:_SMALL], 60, validation=validation, patience=5)[1]


@exercise(
    "14.2",
    "(stopped_after, kept): the epoch after which chapter 14's early-stopping run stopped, and "
    "the epoch whose weights it kept.",
    "it ran len(history) epochs; it kept the epoch of the lowest history.val_cost, the last "
    "improvement before 5 epochs without one.",
)
def _(answer: Any) -> tuple[bool, str]:
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, f"expected a pair (stopped_after, kept), got {answer!r}."
    stopped_after, kept = (number(v, "a whole number (an epoch)") for v in answer)
    h = _stopped()
    ran = len(h)
    best = h.val_cost.index(min(h.val_cost)) + 1
    if (stopped_after, kept) == (ran, best):
        return True, (
            f"it ran {ran} epochs; the validation cost was lowest after epoch {best} and did not "
            f"improve in the {ran - best} after it: patience 5 ran out, epoch {best}'s weights "
            "went back."
        )
    if (stopped_after, kept) == (best, ran):
        return False, "the two are swapped: it stops after the one it keeps."
    if stopped_after != ran:
        return False, f"it did not stop after epoch {stopped_after:g}."
    if kept == ran:
        return False, (
            "it stopped there, but fit puts back the weights of the best epoch, not the last."
        )
    return False, f"it stopped after epoch {ran}, right; but the weights it kept are not epoch "\
                  f"{kept:g}'s."  # fmt: skip


def _test_error(n: int) -> float:
    """1 − test accuracy of chapter 14's network on the first ``n`` training images, with 300
    minibatch updates."""
    from nn import accuracy, data

    X_train, y_train, X_test, y_test = _raw_digits_split()
    X_n, X_test_n = data.standardize(X_train[:n], X_test)
    model, _ = _train_digits(X_n, y_train[:n], max(1, round(300 * 32 / n)))
    return 1.0 - accuracy(model, X_test_n, y_test)


_test_error_cached = functools.cache(_test_error)


@exercise(
    "14.3",
    f"A training-set size n whose test error is at most half the test error with n = {_SMALL}, "
    "chapter 14's network and 300 updates.",
    "the sweep of 'More examples' prints test accuracies: error = 1 − accuracy. Try sizes "
    "between those it shows.",
)
def _(answer: Any) -> tuple[bool, str]:
    got = number(answer, "a whole number of training images")
    X_train = _raw_digits_split()[0]
    if got != int(got) or not 10 <= got <= len(X_train):
        return False, f"n must be a whole number from 10 to {len(X_train)}, got {got:g}."
    n = int(got)
    base = _test_error_cached(_SMALL)
    error = _test_error_cached(n)
    said = (
        f"with n = {n}: {error:.1%} of the test images wrong, against {base:.1%} with n = {_SMALL}"
    )
    if error <= base / 2:
        return True, (
            f"{said}: {n / _SMALL:.3g} times the images for half the mistakes or fewer. Each "
            "mistake less costs more data than the last."
        )
    return False, f"{said}: not yet half. More images."


# --- 15. From gradstep to PyTorch ----------------------------------------------------------------


def _chapter_10_batch() -> tuple[list[list[float]], list[int]]:
    from nn import data

    return data.moons(100, noise=0.1, seed=0)


def _torch_number(answer: Any, what: str) -> float:
    """A number, a Value, or a one-element torch tensor (``.item()`` forgotten), as a float."""
    if type(answer).__module__.startswith("torch") and hasattr(answer, "numel"):
        if answer.numel() != 1:
            raise Unexpected(
                f"expected {what}, got a tensor of shape {tuple(answer.shape)}: pick one entry "
                "with [j, k]."
            )
        answer = answer.item()
    return number(answer, what)


def _chapter_10_gradients() -> Any:
    """The chapter-10 network, freshly built (seed 0), after backward() of its cost J (BCE with
    logits, the mean over the 100 moons points): gradstep's gradients are the truth."""
    from nn import MLP, bce_with_logits

    X, y = _chapter_10_batch()
    model = MLP(2, [16, 16, 1], seed=0)
    bce_with_logits([model(x) for x in X], y).backward()
    return model


@exercise(
    "15.1",
    "∂J/∂W2[3,5] as PyTorch computes it, for a fresh export of nn.MLP(2, [16, 16, 1], seed=0) "
    "on the chapter's moons (cost: F.binary_cross_entropy_with_logits, the mean).",
    "export a fresh model, compute J on the whole batch, J.backward(); layer 2 is the second "
    "Linear of the Sequential (count the ReLUs too), and its weight is (outputs, inputs).",
)
def _(answer: Any) -> tuple[bool, str]:
    got = _torch_number(answer, "a number (a gradient)")
    model = _chapter_10_gradients()
    w = model.layers[1].neurons[3].w[5]
    want = w.grad
    if close(got, want, 1e-9):
        return True, (
            f"{want:.6g}, the same as gradstep's W2[3,5].grad: torch's net[2].weight[3, 5] is "
            "layer 2, neuron 3, input 5."
        )
    X, _ = _chapter_10_batch()
    if close(got, model.layers[1].neurons[5].w[3].grad, 1e-9):
        return False, (
            "that is W2[5,3]: a Linear's weight has one row per neuron (its outputs) and one "
            "column per input, so [3, 5] is neuron 3's weight from input 5."
        )
    if close(got, want * len(X), 1e-9):
        return False, (
            f"that is {len(X)} times the gradient: the sum over the batch. The cost J is the "
            "mean loss (reduction='mean', torch's default too)."
        )
    if close(got, w.data, 1e-12):
        return False, "that is the weight W2[3,5] itself; its gradient is in .grad."
    if close(got, model.layers[0].neurons[3].w[1].grad, 1e-9) or close(
        got, model.layers[2].neurons[0].w[5].grad, 1e-9
    ):
        return False, "that is a gradient of another layer's weight: which Linear is layer 2?"
    return False, f"{got:g} is not torch's ∂J/∂W2[3,5] for the fresh network."


def _torch_twins(lr: float) -> tuple[Any, Any, Any, Any, Any, Any]:
    """A fresh chapter-10 model, its torch export, an SGD for each, and the batch as tensors."""
    import torch

    from nn import MLP, SGD, to_torch

    X, y = _chapter_10_batch()
    model = MLP(2, [16, 16, 1], seed=0)
    net = to_torch(model)
    return (
        model,
        SGD(model.parameters(), lr=lr),
        net,
        torch.optim.SGD(net.parameters(), lr=lr),
        torch.tensor(X, dtype=torch.float64),
        torch.tensor(y, dtype=torch.float64),
    )


def _weight_gap(model: Any, net: Any) -> float:
    from nn import from_torch

    back = from_torch(net)
    return max(abs(a.data - b.data) for a, b in zip(model.parameters(), back.parameters()))


@exercise(
    "15.2",
    "Write torch_step(net, optimizer, X, y): one step of gradient descent on the cost "
    "F.binary_cross_entropy_with_logits(net(X).squeeze(1), y); return the cost as a float.",
    "the loop of every PyTorch program: optimizer.zero_grad(), then the forward pass and the "
    "cost, loss.backward(), optimizer.step(), and return loss.item().",
)
def _(answer: Any) -> tuple[bool, str]:
    from nn import bce_with_logits

    if not callable(answer):
        raise Unexpected(f"expected a function, got {type(answer).__name__} {answer!r}.")
    if is_blank(answer):
        raise NotAnswered("torch_step is still blank: write its body.")
    lr = 0.5
    model, ours, net, optimizer, Xt, yt = _torch_twins(lr)
    X, y = _chapter_10_batch()
    before = _weight_gap(model, net)  # 0: the twins start equal
    costs = []
    for step in (1, 2, 3):
        returned = call(answer, net, optimizer, Xt, yt)
        model.zero_grad()
        J = bce_with_logits([model(x) for x in X], y)
        J.backward()
        ours.step()
        costs.append(J.data)
        gap = _weight_gap(model, net)
        if gap <= 1e-9:
            cost = _torch_number(returned, "the cost J as a float (loss.item())")
            if not close(cost, J.data, 1e-9):
                return False, (
                    f"the step is right, but it returned {cost:g}; the cost J before the step "
                    f"was {J.data:.6g}. Return loss.item()."
                )
            continue
        moved = _weight_gap(_torch_twins(lr)[0], net)
        if moved <= before:
            return False, "the weights did not move: after loss.backward() call optimizer.step()."
        if step == 1:
            return False, (
                f"after one step torch's weights differ from gradstep's by up to {gap:.2g}: "
                "the cost should be the mean BCE with logits of net(X).squeeze(1) against y."
            )
        return False, (
            f"step 1 matches gradstep's, step {step} does not (by up to {gap:.2g}): the "
            "gradients of the step before were still in .grad and added up. Call "
            "optimizer.zero_grad() before loss.backward()."
        )
    return True, (
        f"three steps, and torch's weights equal gradstep's SGD steps to {gap:.0e}: the same "
        f"chain rule, the same update (J: {' → '.join(f'{c:.4f}' for c in costs)})."
    )
