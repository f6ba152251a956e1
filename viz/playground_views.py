"""What a :class:`~viz.playground.Playground` shows: its snapshot Figure, and its live app.

The app redraws fast because nothing here goes through matplotlib: the decision picture and
each neuron's picture are small PNGs made from the numbers directly (zlib + a few bytes of
header), the network and the cost curves are SVG text. ipywidgets is imported only when an
app is made; without it a playground shows its snapshot and says how to get the app.
"""

from __future__ import annotations

import asyncio
import base64
import html
import math
import struct
import time
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nn.diagnoses import layer_grad_norms

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .playground import Playground

__all__ = ["snapshot_figure", "mimebundle", "App", "png", "colour"]

#: TensorFlow Playground's two colours: class 0 orange, class 1 blue (white in between).
ORANGE = (245, 147, 34)
BLUE = (8, 119, 189)
INSTALL = 'pip install "gradstep[notebook]"'
#: The learning rates the app offers (TensorFlow Playground's, and the playground's own).
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def colour(t: float) -> tuple[int, int, int]:
    """``t`` in [-1, 1] as a colour: -1 orange, 0 white, +1 blue (NaN: grey)."""
    if t != t:  # NaN
        return (160, 160, 160)
    t = max(-1.0, min(1.0, t))
    c = BLUE if t > 0 else ORANGE
    a = abs(t)
    return tuple(round(255 * (1 - a) + v * a) for v in c)  # type: ignore[return-value]


def png(pixels: Sequence[Sequence[tuple[int, int, int]]]) -> bytes:
    """RGB rows as PNG bytes (no compression library beyond zlib, no matplotlib).

    >>> png([[(255, 0, 0)]])[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in pixels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def _el(tag: str, content: str = "", **attrs: Any) -> str:
    """One SVG element; attribute names take ``-`` for ``_`` and every value is escaped."""
    text = " ".join(
        f'{k.rstrip("_").replace("_", "-")}="{html.escape(str(v))}"' for k, v in attrs.items()
    )
    return f"<{tag} {text}>{content}</{tag}>"


def _svg(width: float, height: float, parts: list[str]) -> str:
    head = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}"'
    return head + ' font-family="sans-serif" font-size="10">' + "".join(parts) + "</svg>"


#: How strong the decision picture's colours are: paler than the points', so a point of
#: either class stands out on either side of the boundary.
HEAT = 0.6


def _heat_uri(heat: Sequence[Sequence[float]]) -> str:
    return _data_uri(png([[colour(HEAT * (2 * p - 1)) for p in row] for row in heat]))


def output_svg(pg: Playground, heat: Sequence[Sequence[float]], size: int = 220) -> str:
    """The decision picture with the points on it, as SVG: the P(class 1) grid as a small PNG
    the browser scales up smoothly; every point in its class's colour, the training points
    with a white rim, the test points with a black one (as TensorFlow Playground marks them:
    visible on either background)."""
    x0, x1, y0, y1 = pg.extent
    parts = [
        _el("image", width=size, height=size, preserveAspectRatio="none", href=_heat_uri(heat))
    ]
    for (points, labels), test in ((pg.test_data, True), (pg.train_data, False)):
        for (a, b), t in zip(points, labels):
            c = "#0877bd" if t else "#f59322"
            parts.append(
                _el(
                    "circle",
                    cx=f"{(a - x0) / (x1 - x0) * size:.1f}",
                    cy=f"{(y1 - b) / (y1 - y0) * size:.1f}",
                    r=3.2,
                    fill=c,
                    stroke="black" if test else "white",
                    stroke_width=1.4 if test else 1.0,
                )
            )
    parts.append(_el("rect", width=size, height=size, fill="none", stroke="#555"))
    return _svg(size, size, parts)


def _neuron_png(picture: Sequence[Sequence[float]], activation: str) -> bytes:
    flat = [v for row in picture for v in row]
    if activation == "sigmoid":
        grid = [[colour(2 * v - 1) for v in row] for row in picture]
    else:  # tanh in [-1, 1]; relu and linear scaled by their largest |A|
        top = 1.0 if activation == "tanh" else max((abs(v) for v in flat), default=1.0) or 1.0
        grid = [[colour(v / top) for v in row] for row in picture]
    return png(grid)


def _data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def network_svg(pg: Playground) -> str:
    """The network as SVG: the features, each hidden neuron's picture, the output's (the
    decision picture); edges by weight (blue positive, orange negative, width by size), and
    above each layer its gradient norm after the last step."""
    s = pg.settings
    layers = pg.model.layers
    pictures = pg.neuron_pictures()
    columns: list[list[str]] = [list(s["features"])]
    columns += [[f"A{i + 1}[{j}]" for j in range(w)] for i, w in enumerate(s["hidden"])]
    columns.append(["output"])
    box, gap_x, gap_y = 34, 80, 52
    height = max(len(c) for c in columns) * gap_y + 44
    width = (len(columns) - 1) * gap_x + box + 60

    def pos(c: int, r: int) -> tuple[float, float]:
        top = (height - len(columns[c]) * gap_y) / 2
        return 30 + c * gap_x, top + r * gap_y + 20

    weights = [abs(w.data) for layer in layers for n in layer.neurons for w in n.w]
    strongest = max(weights, default=1.0) or 1.0
    parts = []
    for c, layer in enumerate(layers):
        for j, neuron in enumerate(layer.neurons):
            x2, y2 = pos(c + 1, j)
            for k, w in enumerate(neuron.w):
                x1, y1 = pos(c, k)
                parts.append(
                    _el(
                        "line",
                        _el("title", html.escape(f"{w.label} = {w.data:.3g}")),
                        x1=x1 + box,
                        y1=y1 + box / 2,
                        x2=x2,
                        y2=y2 + box / 2,
                        stroke="#0877bd" if w.data > 0 else "#f59322",
                        stroke_width=f"{0.5 + 3.5 * abs(w.data) / strongest:.2f}",
                        opacity=0.8,
                    )
                )
    for c, names in enumerate(columns):
        for r, name in enumerate(names):
            x, y = pos(c, r)
            if c == len(columns) - 1:
                parts.append(_el("image", x=x, y=y, width=box, height=box, href=_heat_uri(
                    pg._frames[-1]["heat"])))  # fmt: skip
            elif c > 0:
                uri = _data_uri(_neuron_png(pictures[c - 1][r], s["activation"]))
                parts.append(_el("image", x=x, y=y, width=box, height=box, href=uri))
            fill = "#f4f4f4" if c == 0 else "none"
            parts.append(_el("rect", x=x, y=y, width=box, height=box, fill=fill, stroke="#555"))
            parts.append(
                _el("text", html.escape(name), x=x + box / 2, y=y + box + 11, text_anchor="middle")
            )
    for c, norm in enumerate(layer_grad_norms(pg.model), start=1):
        x, _ = pos(c, 0)
        label = html.escape(f"‖∇‖ {norm:.2g}")
        parts.append(_el("text", label, x=x + box / 2, y=11, text_anchor="middle", fill="#555"))
    return _svg(width, height, parts)


def curves_svg(pg: Playground, width: int = 220, height: int = 110) -> str:
    """Train (dark) and test (orange) cost per epoch, as SVG."""
    h = pg.history
    series = [(h.cost, "#333"), (h.val_cost, "#f59322")]
    values = [v for ys, _ in series for v in ys if math.isfinite(v)]
    left, top_px, plot_w, plot_h = 30, 5, width - 40, height - 25
    parts = [_el("rect", x=left, y=top_px, width=plot_w, height=plot_h, fill="none", stroke="#ccc")]
    if values:
        top, bottom = max(values), min(0.0, min(values))
        n = max(len(h.cost), 2)
        for ys, stroke in series:
            points = " ".join(
                f"{left + plot_w * i / (n - 1):.1f},"
                f"{top_px + plot_h * (1 - (v - bottom) / ((top - bottom) or 1)):.1f}"
                for i, v in enumerate(ys)
                if math.isfinite(v)
            )
            if points:
                parts.append(
                    _el("polyline", fill="none", stroke=stroke, stroke_width=1.5, points=points)
                )
        parts.append(_el("text", f"{top:.2g}", x=left - 4, y=12, text_anchor="end"))
        parts.append(_el("text", f"{bottom:.2g}", x=left - 4, y=height - 20, text_anchor="end"))
    legend = '<tspan fill="#333">train</tspan> <tspan fill="#f59322">test</tspan>'
    parts.append(
        _el("text", "epoch · cost: " + legend, x=width / 2, y=height - 5, text_anchor="middle")
    )
    return _svg(width, height, parts)


def _readout(pg: Playground) -> str:
    h = pg.history
    if not len(h):
        return "not trained yet"
    text = f"train cost {h.cost[-1]:.3f}, accuracy {h.accuracy[-1]:.0%}"
    if h.val_cost:
        text += f" · test cost {h.val_cost[-1]:.3f}, accuracy {h.val_accuracy[-1]:.0%}"
    return text


def explain_neuron(pg: Playground, layer: int, j: int, example: int = 0) -> str:
    """Z = w·x + b, A and the chain-rule line of ∂L/∂Z for one training example, read from
    gradstep's own graph of that example's loss."""
    from autograd import grad, topological_order
    from nn import bce_with_logits

    X, y = pg.train_data
    x = pg.features_of([X[example]])[0]
    loss = bce_with_logits([pg.model(x)], [y[example]])
    nodes = {v.label: v for v in topological_order(loss) if v.label}
    neuron = pg.model.layers[layer - 1].neurons[j]
    z, a = nodes.get(f"Z{layer}[{j}]"), nodes.get(f"A{layer}[{j}]")
    inputs = x if layer == 1 else [nodes[f"A{layer - 1}[{k}]"].data for k in range(len(neuron.w))]
    terms = " + ".join(f"{_factor(w.data)}·{_factor(v)}" for w, v in zip(neuron.w, inputs))
    lines = [
        f"example {example}: x = ({X[example][0]:.3f}, {X[example][1]:.3f}), class {y[example]}"
    ]
    if z is None:
        return "\n".join([*lines, "(this neuron is not in the graph)"])
    lines.append(f"Z{layer}[{j}] = w·x + b = {terms} + {_factor(neuron.b.data)} = {z.data:.4f}")
    # grad(), not backward(): every .grad stays as training left it (the network's ‖∇‖)
    dz, da = grad(loss, [z, a if a is not None else z])
    if a is not None and a is not z:
        (slope,) = a.local_grads()  # the activation's own rule, from autograd.ops
        lines.append(f"A{layer}[{j}] = {pg.settings['activation']}(Z) = {a.data:.4f}")
        lines.append(
            f"∂L/∂Z{layer}[{j}] = ∂L/∂A{layer}[{j}] · A'(Z) = {da:.4g} × {slope:.4g} = {dz:.4g}"
        )
    else:
        lines.append(f"∂L/∂Z{layer}[{j}] = {dz:.4g}")
    lines.append(f"∂L/∂b{layer}[{j}] = ∂L/∂Z · 1 = {dz:.4g}")
    return "\n".join(lines)


def _factor(x: float) -> str:
    """A number as a factor of a product: a negative one in parentheses, ``0.5·(-0.8)``."""
    return f"({x:.3f})" if x < 0 else f"{x:.3f}"


def snapshot_figure(pg: Playground) -> Figure:
    """The decision picture with the points, the cost curves, and each hidden neuron's picture."""
    from .display import new_figure

    pictures = pg.neuron_pictures()
    rows = 1 + (1 if pictures else 0)
    fig = new_figure(figsize=(8.5, 3.6 + 1.3 * (rows - 1)), layout="constrained")
    grid = fig.add_gridspec(rows, 2, height_ratios=[3] + [1] * (rows - 1))
    ax = fig.add_subplot(grid[0, 0])
    heat = pg._frames[-1]["heat"]
    ax.imshow(
        [[colour(HEAT * (2 * p - 1)) for p in row] for row in heat],
        extent=(pg.extent[0], pg.extent[1], pg.extent[2], pg.extent[3]),
        interpolation="bilinear",
    )
    for (xs, ys), test in ((pg.train_data, False), (pg.test_data, True)):
        for cls, c in ((0, ORANGE), (1, BLUE)):
            pts = [p for p, t in zip(xs, ys) if t == cls]
            if not pts:
                continue
            rgb = (c[0] / 255, c[1] / 255, c[2] / 255)
            ax.scatter(
                [p[0] for p in pts], [p[1] for p in pts], s=18,
                facecolors=[rgb], edgecolors="black" if test else "white",
                linewidths=1.1 if test else 0.8,
                label=f"{'test' if test else 'train'}, class {cls}",
            )  # fmt: skip
    ax.set_title(f"epoch {pg.epoch}: P(class 1); rim: train white, test black", fontsize=9)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    curves = fig.add_subplot(grid[0, 1])
    h = pg.history
    epochs = list(range(1, len(h) + 1))
    curves.plot(epochs, h.cost, color="0.2", label="train cost")
    if h.val_cost:
        curves.plot(epochs, h.val_cost, color=tuple(v / 255 for v in ORANGE), label="test cost")
    curves.set_xlabel("epoch")
    curves.set_ylabel("cost J (cross-entropy)")
    curves.legend(fontsize=8, frameon=False)
    curves.set_title(pg.title(), fontsize=8)
    if pictures:
        sub = grid[1, :].subgridspec(len(pictures), max(len(layer) for layer in pictures))
        for i, layer in enumerate(pictures):
            for j, picture in enumerate(layer):
                axn = fig.add_subplot(sub[i, j])
                axn.imshow(
                    [
                        [
                            colour(v if pg.settings["activation"] != "sigmoid" else 2 * v - 1)
                            for v in row
                        ]
                        for row in picture
                    ],
                    interpolation="bilinear",
                )
                axn.set_xticks([])
                axn.set_yticks([])
                axn.set_title(f"A{i + 1}[{j}]", fontsize=7)
    return fig


def mimebundle(pg: Playground, include: Any, exclude: Any) -> dict[str, Any]:
    """The live app's bundle; without ipywidgets, the snapshot and how to get the app."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        fig: Any = snapshot_figure(pg)  # gradstep's Figure: it shows itself as a PNG
        data, _ = fig._repr_png_()
        return {
            "text/plain": f"{pg!r}\n(the live app needs ipywidgets: {INSTALL})",
            "image/png": base64.b64encode(data).decode("ascii"),
        }
    if pg._app is None:
        pg._app = App(pg)
    return pg._app.widget._repr_mimebundle_(include=include, exclude=exclude)


class App:
    """The live app of a playground (ipywidgets): Play/Pause, Step, Reset, "Epoch N", the
    settings, the pictures, and a neuron's chain rule on one example."""

    #: How long a burst of training runs between redraws (the app answers clicks between).
    BURST = 0.25

    def __init__(self, pg: Playground) -> None:
        import ipywidgets as w

        from .playground import ACTIVATIONS, DATASETS, FEATURES

        self.pg = pg
        s = pg.settings
        self.play = w.ToggleButton(
            value=False, description="Play", icon="play", layout=w.Layout(width="90px")
        )
        self.step = w.Button(description="Step", layout=w.Layout(width="70px"))
        self.reset = w.Button(description="Reset", layout=w.Layout(width="70px"))
        self.epoch = w.HTML(layout=w.Layout(width="110px"))
        self.readout = w.HTML()
        self.message = w.HTML()
        # One narrow column of settings (the app must fit a notebook's ~830 px column).
        look = {"style": {"description_width": "66px"}, "layout": w.Layout(width="222px")}
        self.dataset = w.Dropdown(
            options=list(DATASETS), value=s["dataset"], description="data", **look
        )
        self.activation = w.Dropdown(
            options=list(ACTIVATIONS), value=s["activation"], description="activation", **look
        )
        # TensorFlow Playground's rates: a slider would snap 0.03 to 10**-1.5 unasked.
        rates = sorted({*LEARNING_RATES, s["lr"]})
        self.lr = w.Dropdown(options=rates, value=s["lr"], description="α (lr)", **look)
        l2s = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1]
        self.l2 = w.Dropdown(
            options=l2s, value=s["l2"] if s["l2"] in l2s else 0.0, description="L2", **look
        )
        self.batch = w.IntSlider(value=s["batch_size"], min=1, max=50, description="batch", **look)
        self.noise = w.FloatSlider(
            value=s["noise"], min=0.0, max=0.5, step=0.05, description="noise", **look
        )
        self.hidden = w.Text(
            value=", ".join(map(str, s["hidden"])), description="hidden",
            placeholder="4, 4 (empty: none)", continuous_update=False, **look,
        )  # fmt: skip
        self.features = w.SelectMultiple(
            options=list(FEATURES), value=s["features"], description="features", rows=7, **look
        )
        self.output = w.HTML()
        self.network = w.HTML()
        self.curves = w.HTML()
        self.inspect = w.Dropdown(description="neuron", layout=w.Layout(width="200px"))
        self.example = w.IntSlider(
            value=0, min=0, max=max(0, len(pg.train_data[0]) - 1), description="example"
        )
        self.chain = w.HTML()
        self.task: asyncio.Task[None] | None = None

        self.play.observe(self._on_play, "value")
        self.step.on_click(lambda _: self._do(lambda: self.pg.train(1)))
        self.reset.on_click(lambda _: self._do(self.pg.reset))
        for control, name in (
            (self.dataset, "dataset"), (self.activation, "activation"), (self.lr, "lr"),
            (self.l2, "l2"), (self.batch, "batch_size"), (self.noise, "noise"),
            (self.features, "features"),
        ):  # fmt: skip
            control.observe(lambda change, name=name: self._change(name, change["new"]), "value")
        self.hidden.observe(lambda change: self._change("hidden", change["new"]), "value")
        self.inspect.observe(lambda _: self._explain(), "value")
        self.example.observe(lambda _: self._explain(), "value")

        bar = w.HBox([self.play, self.step, self.reset, self.epoch, self.readout])
        settings = w.VBox(
            [
                self.dataset,
                self.noise,
                self.features,
                self.hidden,
                self.activation,
                self.lr,
                self.l2,
                self.batch,
            ],
            layout=w.Layout(width="228px", min_width="228px", overflow="hidden"),
        )
        pictures = w.VBox(
            [
                w.HTML("<b>output</b>: P(class 1) · rim: train white, test black"),
                self.output,
                self.curves,
            ]
        )
        inspect = w.VBox([w.HBox([self.inspect, self.example]), self.chain])
        self.widget = w.VBox(
            [bar, self.message, w.HBox([settings, self.network, pictures]), inspect]
        )
        self.redraw()

    # --- drawing ----------------------------------------------------------------------------

    def redraw(self) -> None:
        pg = self.pg
        self.epoch.value = f"<b>Epoch {pg.epoch}</b>"
        self.readout.value = html.escape(_readout(pg))
        self.output.value = output_svg(pg, pg._frames[-1]["heat"])
        self.network.value = network_svg(pg)
        self.curves.value = curves_svg(pg)
        options = [
            (f"A{i + 1}[{j}]", (i + 1, j))
            for i, wd in enumerate(pg.settings["hidden"])
            for j in range(wd)
        ]
        options.append(("output", (len(pg.model.layers), 0)))
        if [o[0] for o in self.inspect.options] != [o[0] for o in options]:
            self.inspect.options = options
            self.inspect.value = options[0][1]
        self._explain()

    def _explain(self) -> None:
        if self.inspect.value is None:
            return
        layer, j = self.inspect.value
        text = explain_neuron(
            self.pg, layer, j, min(self.example.value, len(self.pg.train_data[0]) - 1)
        )
        self.chain.value = f"<pre style='margin:0'>{html.escape(text)}</pre>"

    # --- the controls ---------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.value = f"<span style='color:#b00'>{html.escape(text)}</span>"

    def _do(self, action: Any) -> None:
        # The playground redraws this app itself after train, set and reset.
        try:
            action()
            self.message.value = ""
        except (ValueError, TypeError) as e:
            self._say(str(e))

    def _change(self, name: str, value: Any) -> None:
        if name == "hidden":
            text = str(value).strip()
            try:
                value = [int(v) for v in text.replace(",", " ").split()] if text else []
            except ValueError:
                self._say(f"hidden must be widths such as 4, 4 (or empty), got {text!r}")
                return
        if name == "features":
            value = tuple(value)
        self._do(lambda: self.pg.set(**{name: value}))
        self.example.max = max(0, len(self.pg.train_data[0]) - 1)

    def _on_play(self, change: dict[str, Any]) -> None:
        self.play.description, self.play.icon = (
            ("Pause", "pause") if change["new"] else ("Play", "play")
        )
        if change["new"] and (self.task is None or self.task.done()):
            self.task = asyncio.ensure_future(self._playing())

    async def _playing(self) -> None:
        # Bursts of epochs on the kernel's own event loop: between them the kernel answers the
        # app's messages (Pause, a slider), so training never blocks it.
        while self.play.value:
            start = time.perf_counter()
            try:
                while self.play.value and time.perf_counter() - start < self.BURST:
                    self.pg._train_epochs(1)  # the redraw below, once per burst
            except (ValueError, ArithmeticError) as e:
                self._say(str(e))
                self.play.value = False
            self.redraw()
            await asyncio.sleep(0.02)
