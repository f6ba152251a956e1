"""nn.to_torch / nn.from_torch: the same network in gradstep and PyTorch, the same numbers.

PyTorch is the oracle: its outputs, its gradients from its own losses, its optimizer's step.
Every comparison is between two independent computations, never with a stored number.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn import MLP, SGD, Adam, Layer, Neuron, Perceptron, from_torch, to_torch

ACTS = ["tanh", "relu", "sigmoid", "linear"]


def batch(nin: int, m: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(m)]


def outputs(model, X) -> list[list[float]]:
    rows = []
    for x in X:
        out = model(x)
        rows.append([v.data for v in (out if isinstance(out, list) else [out])])
    return rows


def torch_outputs(torch, net, X) -> list[list[float]]:
    with torch.no_grad():
        return net(torch.tensor(X, dtype=torch.float64)).tolist()


def worst(a, b) -> float:
    return max(abs(p - q) for ra, rb in zip(a, b) for p, q in zip(ra, rb))


@st.composite
def networks(draw, outputs=None):
    """A random MLP: 1-4 inputs, 1-3 layers of 1-5 neurons, any activation per layer, weights
    and biases drawn from a seed (biases uniform, so they are not all 0)."""
    nin = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 5), min_size=0, max_size=2))
    last = outputs if outputs is not None else draw(st.integers(1, 3))
    acts = draw(st.lists(st.sampled_from(ACTS), min_size=len(hidden), max_size=len(hidden)))
    out = draw(st.sampled_from([None, "tanh", "sigmoid", "relu"])) if outputs is None else None
    seed = draw(st.integers(0, 10_000))
    return MLP(nin, [*hidden, last], activation=acts, output=out, seed=seed, bias="uniform")


# --- to_torch ---------------------------------------------------------------------------------


def test_an_mlp_becomes_linear_layers_and_activations_in_order(torch):
    model = MLP(3, [4, 5, 2], activation=["tanh", "relu"], output="sigmoid", seed=1)
    net = to_torch(model)
    assert isinstance(net, torch.nn.Sequential)
    assert [type(m).__name__ for m in net] == [
        "Linear", "Tanh", "Linear", "ReLU", "Linear", "Sigmoid"
    ]  # fmt: skip
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(3, 4), (4, 5), (5, 2)]
    for layer, linear in zip(model.layers, linears):
        assert linear.weight.dtype == torch.float64 and linear.weight.requires_grad
        for j, neuron in enumerate(layer.neurons):
            assert linear.bias[j].item() == neuron.b.data
            for k, w in enumerate(neuron.w):
                assert linear.weight[j, k].item() == w.data  # exactly: float64 both sides


def test_a_linear_layer_adds_no_module(torch):
    net = to_torch(MLP(2, [3, 1], activation="linear", seed=0))
    assert [type(m).__name__ for m in net] == ["Linear", "Linear"]


@settings(max_examples=40)
@given(model=networks(), seed=st.integers(0, 1000))
def test_outputs_equal_gradsteps_to_1e_12(torch, model, seed):
    X = batch(model.nin, 6, seed)
    assert worst(outputs(model, X), torch_outputs(torch, to_torch(model), X)) <= 1e-12


@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(3, "tanh", seed=0, bias="uniform"),
        lambda: Perceptron(3, seed=0, bias="uniform"),
        lambda: Neuron(3, "linear", seed=0, expanded=True, bias="uniform"),
        lambda: Layer(3, 4, "sigmoid", seed=0, bias="uniform"),
        lambda: Layer(3, 1, "relu", seed=0, expanded=True, bias="uniform"),
        lambda: MLP(3, [4, 2], activation="tanh", seed=0, expanded=True, bias="uniform"),
    ],
    ids=["neuron", "perceptron", "expanded neuron", "layer", "expanded layer", "expanded mlp"],
)
def test_neurons_layers_and_expanded_models_export(torch, make):
    model = make()
    net = to_torch(model)
    assert isinstance(net[0], torch.nn.Linear)
    X = batch(3, 5, 7)
    assert worst(outputs(model, X), torch_outputs(torch, net, X)) <= 1e-12


def test_the_lecture_and_micrograd_models_export_like_any_mlp(torch):
    from nn import lecture, micrograd

    random.seed(3)
    models = [
        lecture.MLP(3, [4, 4, 1]),
        lecture.Neuron(3),
        lecture.Layer(3, 2),
        micrograd.MLP(3, [4, 4, 1]),
        micrograd.Neuron(3, nonlin=False),
        micrograd.Layer(3, 1),  # returns a lone Value, as micrograd's does
    ]
    X = batch(3, 5, 1)
    for model in models:
        net = to_torch(model)
        assert worst(outputs(model, X), torch_outputs(torch, net, X)) <= 1e-12, model
    assert [type(m).__name__ for m in to_torch(models[0])][-1] == "Tanh"  # tanh out, too
    assert [type(m).__name__ for m in to_torch(models[3])][-1] == "Linear"


def test_float32_rounds_the_weights_and_is_still_close(torch):
    model = MLP(2, [8, 1], activation="tanh", seed=2, bias="uniform")
    net = to_torch(model, dtype=torch.float32)
    assert net[0].weight.dtype == torch.float32
    w = model.layers[0].neurons[3].w[1].data
    assert net[0].weight[3, 1].item() == torch.tensor(w, dtype=torch.float32).item()
    X = batch(2, 4, 0)
    with torch.no_grad():
        got = net(torch.tensor(X, dtype=torch.float32)).tolist()
    assert worst(outputs(model, X), got) < 1e-5


def test_the_copy_is_independent(torch):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    net = to_torch(model)
    with torch.no_grad():
        net[0].weight.add_(1.0)
    assert model.state_dict() == before


def test_to_torch_draws_nothing_from_torchs_generator(torch):
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    to_torch(MLP(4, [16, 16, 1], seed=0))
    assert torch.equal(torch.rand(3), expected)


def test_the_step_activation_is_refused_by_name(torch):
    with pytest.raises(ValueError, match=r"the model uses the 'step' activation"):
        to_torch(Perceptron(2, activation="step", seed=0))
    with pytest.raises(ValueError, match=r"layer 2 uses the 'step' activation.*sigmoid"):
        to_torch(MLP(2, [3, 1], output="step", seed=0))


def test_a_layer_whose_neurons_disagree_is_refused(torch):
    layer = Layer(2, 3, "tanh", seed=0)
    layer.neurons[1] = Neuron(2, "relu", seed=1)
    with pytest.raises(ValueError, match=r"mixes activations in its neurons \(relu, tanh\)"):
        to_torch(layer)


def test_other_models_are_refused_naming_their_type(torch):
    class Mine(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match=r"takes an nn.MLP, nn.Layer or nn.Neuron.*got Mine"):
        to_torch(Mine())
    with pytest.raises(TypeError, match=r"got list"):
        to_torch([Neuron(2)])
    with pytest.raises(TypeError, match=r"dtype must be a torch floating-point dtype"):
        to_torch(MLP(2, [1], seed=0), dtype=torch.int64)


def test_a_subclass_that_computes_otherwise_is_refused(torch):
    class Doubled(MLP):
        def __call__(self, x):
            return super().__call__(x) * 2

    with pytest.raises(ValueError, match=r"does not compute what its layers say"):
        to_torch(Doubled(2, [3, 1], seed=0, bias="uniform"))


# --- from_torch -------------------------------------------------------------------------------


@settings(max_examples=30)
@given(model=networks())
def test_to_torch_and_back_is_the_same_model_exactly(torch, model):
    back = from_torch(to_torch(model))
    assert back.activations == model.activations
    assert back.state_dict() == model.state_dict()


def test_float32_weights_come_back_exactly(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 4), torch.nn.Tanh(),
        torch.nn.Linear(4, 2), torch.nn.Sigmoid(),
    )  # fmt: skip
    model = from_torch(net)
    assert model.activations == ["relu", "tanh", "sigmoid"]
    assert (model.nin, model.sizes, model.output) == (3, [5, 4, 2], "sigmoid")
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.layers, linears):
        for j, neuron in enumerate(layer.neurons):
            assert neuron.b.data == linear.bias[j].double().item()
            assert [w.data for w in neuron.w] == linear.weight[j].double().tolist()
    X = batch(3, 6, 4)
    assert worst(outputs(model, X), torch_outputs(torch, net.double(), X)) <= 1e-12


def test_a_lone_linear_an_identity_and_a_nested_sequential(torch):
    lone = from_torch(torch.nn.Linear(3, 2))
    assert (lone.nin, lone.sizes, lone.activations) == (3, [2], ["linear"])
    n = torch.nn
    net = n.Sequential(n.Linear(2, 4), n.Identity(), n.Sequential(n.Linear(4, 3), n.Tanh()),
                       n.Linear(3, 1), n.Identity())  # fmt: skip
    model = from_torch(net)
    assert model.activations == ["linear", "tanh", "linear"] and model.output is None
    X = batch(2, 5, 2)
    assert worst(outputs(model, X), torch_outputs(torch, net.double(), X)) <= 1e-12


def test_expanded_models_come_back_with_binary_nodes(torch):
    model = from_torch(torch.nn.Sequential(torch.nn.Linear(2, 1)), expanded=True)
    assert model([1.0, 2.0]).op.name == "add"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda n: n.Sequential(n.Linear(2, 3), n.Dropout(0.1), n.Linear(3, 1)),
         r"cannot read the Dropout at position 1.*Linear, Tanh, ReLU, Sigmoid and Identity"),
        (lambda n: n.Sequential(n.Linear(2, 3), n.LeakyReLU(), n.Linear(3, 1)),
         r"cannot read the LeakyReLU at position 1"),
        (lambda n: n.Sequential(n.Linear(2, 3), n.Softmax(dim=1)),
         r"cannot read the Softmax at position 1"),
        (lambda n: n.Sequential(n.Linear(2, 3, bias=False), n.Tanh()),
         r"the Linear at position 0 has no bias \(bias=False\)"),
        (lambda n: n.Linear(2, 3, bias=False), r"the Linear \(the whole module\) has no bias"),
        (lambda n: n.Sequential(n.Linear(2, 4), n.ReLU(), n.Linear(3, 1)),
         r"the Linear at position 2 reads 3 inputs, but the Linear at position 0 .* gives 4"),
        (lambda n: n.Sequential(n.Linear(2, 4), n.Tanh(), n.ReLU(), n.Linear(4, 1)),
         r"the ReLU at position 2 follows the tanh at position 1 with no Linear between"),
        (lambda n: n.Sequential(n.Sigmoid(), n.Linear(2, 1)),
         r"the Sigmoid at position 0 comes before any Linear"),
        (lambda n: n.Sequential(), r"found no Linear layer in Sequential"),
        (lambda n: n.Sequential(n.Identity()), r"found no Linear layer"),
        (lambda n: n.Sequential(n.Linear(2, 2), n.Sequential(n.Linear(2, 1), n.GELU())),
         r"cannot read the GELU at position 1.1"),
    ],
)
def test_what_from_torch_cannot_read_is_refused_by_type_and_position(torch, build, message):
    with pytest.raises(ValueError, match=message):
        from_torch(build(torch.nn))


def test_from_torch_refuses_other_objects_and_subclasses(torch):
    class Mine(torch.nn.Sequential):
        def forward(self, x):
            return super().forward(x) * 2

    with pytest.raises(TypeError, match=r"Mine is a subclass"):
        from_torch(Mine(torch.nn.Linear(2, 1)))

    class MyLinear(torch.nn.Linear):
        pass

    with pytest.raises(ValueError, match=r"cannot read the MyLinear at position 0"):
        from_torch(torch.nn.Sequential(MyLinear(2, 1)))
    with pytest.raises(TypeError, match=r"got MLP"):
        from_torch(MLP(2, [1], seed=0))


def test_non_finite_or_complex_weights_are_refused(torch):
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    with torch.no_grad():
        net[2].weight[0, 1] = float("nan")
    with pytest.raises(ValueError, match=r"2.weight holds nan"):
        from_torch(net)
    cplx = torch.nn.Linear(2, 1, dtype=torch.complex64)
    with pytest.raises(ValueError, match=r"weight holds torch.complex64 numbers"):
        from_torch(cplx)


def test_from_torch_leaves_pythons_random_alone(torch):
    random.seed(9)
    expected = random.random()
    random.seed(9)
    from_torch(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1)))
    assert random.random() == expected


# --- gradients: the same loss on the same batch -----------------------------------------------


def gradient_gap(torch, model, X, y, loss: str) -> float:
    """The largest |gradstep's dJ/dp - torch's dJ/dp| over every parameter."""
    F = torch.nn.functional
    net = to_torch(model)
    model.zero_grad()
    preds = [model(x) for x in X]
    if loss == "mse":
        nn.mse(preds, y).backward()
        out = net(torch.tensor(X, dtype=torch.float64)).squeeze(1)
        J = F.mse_loss(out, torch.tensor(y, dtype=torch.float64))
    elif loss == "bce_with_logits":
        nn.bce_with_logits(preds, y).backward()
        out = net(torch.tensor(X, dtype=torch.float64)).squeeze(1)
        J = F.binary_cross_entropy_with_logits(out, torch.tensor(y, dtype=torch.float64))
    else:
        nn.cross_entropy(preds, y).backward()
        J = F.cross_entropy(net(torch.tensor(X, dtype=torch.float64)), torch.tensor(y))
    J.backward()
    back = from_torch(net)  # to read torch's gradients by gradstep's names
    theirs = {}
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for i, linear in enumerate(linears):
        for j, neuron in enumerate(back.layers[i].neurons):
            theirs[f"layers.{i}.neurons.{j}.b"] = linear.bias.grad[j].item()
            for k in range(len(neuron.w)):
                theirs[f"layers.{i}.neurons.{j}.w.{k}"] = linear.weight.grad[j, k].item()
    ours = {name: p.grad for name, p in model.named_parameters()}
    assert ours.keys() == theirs.keys()
    return max(abs(ours[name] - theirs[name]) for name in ours)


@st.composite
def problems(draw, loss: str):
    k = draw(st.integers(2, 4)) if loss == "cross_entropy" else 1
    model = draw(networks(outputs=k))
    m = draw(st.integers(1, 8))
    X = batch(model.nin, m, draw(st.integers(0, 1000)))
    rng = random.Random(draw(st.integers(0, 1000)))
    if loss == "mse":
        y = [rng.uniform(-2, 2) for _ in range(m)]
    elif loss == "bce_with_logits":
        y = [float(rng.random() < 0.5) for _ in range(m)]
    else:
        y = [rng.randrange(k) for _ in range(m)]
    return model, X, y


@pytest.mark.parametrize("loss", ["mse", "bce_with_logits", "cross_entropy"])
def test_the_same_loss_gives_the_same_gradients_to_1e_10(torch, loss):
    @settings(max_examples=40)
    @given(problem=problems(loss))
    def check(problem):
        model, X, y = problem
        assert gradient_gap(torch, model, X, y, loss) <= 1e-10
        compared.append(any(p.grad != 0 for p in model.parameters()))

    compared: list[bool] = []
    check()
    assert sum(compared) >= 0.9 * len(compared)  # nearly every case compared real gradients


def test_the_chapter_10_network_has_the_same_gradients(torch):
    X, y = nn.data.moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    assert gradient_gap(torch, model, X, y, "bce_with_logits") <= 1e-12


def test_gradients_also_match_finite_differences(torch):
    # The oracle checked in turn: torch's gradient of the exported network against central
    # differences of gradstep's own cost.
    X, y = nn.data.moons(12, noise=0.1, seed=1)
    model = MLP(2, [3, 1], activation="tanh", seed=0, bias="uniform")
    net = to_torch(model)
    F = torch.nn.functional
    J = F.binary_cross_entropy_with_logits(
        net(torch.tensor(X, dtype=torch.float64)).squeeze(1), torch.tensor(y, dtype=torch.float64)
    )
    J.backward()
    h = 1e-6
    p = model.layers[0].neurons[1].w[0]
    p.data += h
    up = nn.bce_with_logits([model(x) for x in X], y).data
    p.data -= 2 * h
    down = nn.bce_with_logits([model(x) for x in X], y).data
    p.data += h
    assert net[0].weight.grad[1, 0].item() == pytest.approx((up - down) / (2 * h), abs=1e-8)


# --- one optimizer step in torch, brought back ------------------------------------------------


def one_step(torch, model, X, y, gradstep_opt, torch_opt):
    net = to_torch(model)
    model.zero_grad()
    nn.bce_with_logits([model(x) for x in X], y).backward()
    gradstep_opt(model.parameters()).step()
    opt = torch_opt(net.parameters())
    opt.zero_grad()
    out = net(torch.tensor(X, dtype=torch.float64)).squeeze(1)
    torch.nn.functional.binary_cross_entropy_with_logits(
        out, torch.tensor(y, dtype=torch.float64)
    ).backward()
    opt.step()
    back = from_torch(net).state_dict()
    ours = model.state_dict()
    return max(abs(ours[name] - back[name]) for name in ours)


@settings(max_examples=25)
@given(model=networks(outputs=1), seed=st.integers(0, 1000))
def test_one_sgd_step_in_torch_equals_gradsteps(torch, model, seed):
    X = batch(model.nin, 8, seed)
    y = [float(sum(x) > 0) for x in X]
    before = model.state_dict()
    gap = one_step(
        torch, model, X, y,
        lambda ps: SGD(ps, lr=0.5), lambda ps: torch.optim.SGD(ps, lr=0.5),
    )  # fmt: skip
    assert gap <= 1e-10
    moved = max(abs(before[n] - v) for n, v in model.state_dict().items())
    assert moved > 0 or all(p.grad == 0 for p in model.parameters())


def test_sgd_with_momentum_and_weight_decay_and_adam_agree_too(torch):
    X, y = nn.data.moons(40, noise=0.1, seed=0)
    for ours, theirs in [
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
         lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01)),
        (lambda ps: Adam(ps, lr=0.05), lambda ps: torch.optim.Adam(ps, lr=0.05)),
    ]:  # fmt: skip
        model = MLP(2, [8, 8, 1], activation=["tanh", "relu"], seed=0)
        assert one_step(torch, model, X, y, ours, theirs) <= 1e-10


# --- importing nn never imports torch ---------------------------------------------------------


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_import_nn_does_not_import_torch():
    done = run_python(
        "import sys, nn\n"
        "assert callable(nn.to_torch) and callable(nn.from_torch)\n"
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_torch_the_bridge_says_how_to_install_it():
    # sys.modules["torch"] = None makes "import torch" fail, as on a machine without it.
    done = run_python(
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "import nn\n"
        "for f, arg in ((nn.to_torch, nn.MLP(2, [1], seed=0)), (nn.from_torch, None)):\n"
        "    try:\n"
        "        f(arg)\n"
        "    except ImportError as e:\n"
        "        print(e)\n"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("nn.to_torch needs PyTorch") and lines[1].startswith("nn.from_t")
    assert all('pip install "gradstep[torch]"' in line for line in lines)


def test_the_probe_input_is_fixed_and_spread():
    from nn.torch_bridge import _probe

    x = _probe(6)
    assert x == _probe(6) and len(set(x)) == 6 and all(-1 <= v <= 1 for v in x)
    assert not all(math.isclose(v, x[0]) for v in x)
