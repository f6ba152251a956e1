"""Reference answers to the course's exercises, for the tests only.

The course test fills each exercise cell with the source here and expects every check to say
"right"; the notebooks themselves never see these.
"""

SOLUTIONS: dict[str, str] = {
    "1.1": """
import math
z = 0.5 * 2.0 + (-1.0) * 1.0 + 0.25
A_by_hand = 1 / (1 + math.exp(-z))
""",
    "1.2": "b_undecided = -3.0",
}
SOLUTIONS["2.1"] = """
import math

def forward(w1, w2, b, x1, x2):
    z = w1 * x1 + w2 * x2 + b
    return 1 / (1 + math.exp(-z))
"""
SOLUTIONS["2.2"] = "operations = 3"
SOLUTIONS["3.1"] = "J_by_hand = ((0.7 - 1) ** 2 + (0.1 - 0) ** 2 + (0.4 - 0) ** 2) / 3"
SOLUTIONS["3.2"] = """
import math

loss_1 = -math.log(0.8)
loss_2 = -math.log(1 - 0.4)
loss_and_cost = (loss_1, (loss_1 + loss_2) / 2)
"""
SOLUTIONS["4.1"] = "predictions = (2.5, -0.5)"
SOLUTIONS["4.2"] = """
from viz.plots import DESIGN_X

slope = sum(DESIGN_X) / len(DESIGN_X)
"""
SOLUTIONS["5.1"] = "largest_slope = 0.25"
SOLUTIONS["5.2"] = "w0 = 1.0"
SOLUTIONS["6.1"] = """
import math

A = 1 / (1 + math.exp(-(0.5 * 2 + 0)))
dL_dw = (A - 1) * 2
"""
SOLUTIONS["6.2"] = """
w = Value(2.0)
J = nn.binary_cross_entropy([(w * x + DESIGN_B).sigmoid() for x in DESIGN_X], DESIGN_Y)
(dJ,) = autograd.grad(J, [w], create_graph=True)
(second,) = autograd.grad(dJ, [w])
"""
SOLUTIONS["7.1"] = """
def my_train(model, X, y, alpha, epochs):
    costs = []
    for _ in range(epochs):
        model.zero_grad()
        J = nn.binary_cross_entropy([model(x) for x in X], y)
        J.backward()
        for param in model.parameters():
            param.data -= alpha * param.grad
        costs.append(J.data)
    return costs
"""
SOLUTIONS["7.2"] = "good_alpha = 5.0"
SOLUTIONS["8.1"] = """
q = nn.Perceptron(2, seed=0)
q.zero_grad()
for x_i, t in zip(X[:3], y[:3]):
    nn.mse([q(x_i)], [t]).backward()
accumulated_grads = [param.grad for param in q.parameters()]
"""
SOLUTIONS["8.2"] = """
costs = []

def my_callback(epoch, cost, accuracy):
    costs.append(cost)
    if len(costs) > 1 and costs[-2] - cost < 1e-4:
        return False
"""
SOLUTIONS["9.1"] = """
dL_dZ2 = 2 * (A2 - y) * A2 * (1 - A2)
dL_dA1 = dL_dZ2 * out.w[0].data
dL_dZ1 = dL_dA1 * A1[0] * (1 - A1[0])
dL_dw_hidden = dL_dZ1 * x[0]
"""
SOLUTIONS["9.2"] = "dL_db_out = 2 * (A2 - y) * A2 * (1 - A2)"
SOLUTIONS["10.1"] = """
X, y = nn.data.xor()
xor_model = nn.MLP(2, [4, 1], activation="tanh", output="sigmoid", seed=0)
nn.fit(xor_model, X, y, loss="binary_cross_entropy",
       optimizer=nn.Adam(xor_model.parameters(), lr=0.1), epochs=200, progress=False)
"""
SOLUTIONS["10.2"] = 'activation = "tanh"'
SOLUTIONS["11.1"] = "alpha = 0.2"
SOLUTIONS["11.2"] = """
for k in range(1, 9):
    net = nn.MLP(2, [8] * k + [1], activation="sigmoid", seed=0)
    findings = nn.diagnose(net, Xs, ys, loss="bce_with_logits").findings
    if any(d.kind == "vanishing" for d in findings):
        break
fewest_layers = k
"""
SOLUTIONS["11.3"] = """
checkup = nn.diagnose(relu_net, X, y, loss="bce_with_logits")
dead_in_layer_2 = len(checkup.layers[1].dead)
"""
SOLUTIONS["12.1"] = 'feature = "x1*x2"'
SOLUTIONS["12.2"] = 'features = ("x1^2", "x2^2")'
SOLUTIONS["12.3"] = "l2 = 0.02"
SOLUTIONS["13.1"] = """
import math

know_nothing_cost = -math.log(1 / 10)
"""
SOLUTIONS["13.2"] = """
def predict_digit(scores):
    return scores.index(max(scores))
"""
SOLUTIONS["13.3"] = """
said = [sum(matrix[t][p] for t in range(10) if t != p) for p in range(10)]
most_said_wrongly = said.index(max(said))
"""
SOLUTIONS["14.1"] = """
lowest_epoch = memorised.val_cost.index(min(memorised.val_cost)) + 1
"""
SOLUTIONS["14.2"] = """
kept = stopped_history.val_cost.index(min(stopped_history.val_cost)) + 1
stopped_and_kept = (len(stopped_history), kept)
"""
SOLUTIONS["14.3"] = "n_half_the_errors = 800"
SOLUTIONS["15.1"] = """
fresh = nn.to_torch(nn.MLP(2, [16, 16, 1], seed=0))
J_fresh = F.binary_cross_entropy_with_logits(fresh(Xt).squeeze(1), yt)
J_fresh.backward()
dJ_dW2_3_5 = fresh[2].weight.grad[3, 5].item()
"""
SOLUTIONS["15.2"] = """
def torch_step(net, optimizer, X, y):
    optimizer.zero_grad()
    loss = F.binary_cross_entropy_with_logits(net(X).squeeze(1), y)
    loss.backward()
    optimizer.step()
    return loss.item()
"""
