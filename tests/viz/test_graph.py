"""viz.graph: the DOT text, rendering through real renderers, and label escaping."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, topological_order
from nn import MLP, losses
from viz.names import names
from viz.steps import backward_steps
from viz.tree import format_number

graph = importlib.import_module("viz.graph")

PURE = "graphviz-pure"
# graphviz-pure is a test dependency (pip), so tests using it never skip: missing, they fail.
SYSTEM_DOT = shutil.which("dot")
# graphviz-pure may also install a `dot` alias one day; only a real Graphviz makes a comparison.
if SYSTEM_DOT is not None:
    _version = subprocess.run([SYSTEM_DOT, "-V"], capture_output=True, text=True).stderr
    if "graphviz-pure" in _version:
        SYSTEM_DOT = None
needs_system_dot = pytest.mark.usefixtures("system_dot")


@pytest.fixture
def system_dot(system_tool_missing) -> str:
    if SYSTEM_DOT is None:
        system_tool_missing("the system Graphviz `dot` (apt/brew install graphviz)")
    return SYSTEM_DOT


# Statements may sit inside (nested) cluster blocks, hence the optional indentation.
VALUE_LINE = re.compile(r"^\t *v(\d+) \[label=<(.*)> shape=(?:none|box)", re.M)
OP_LINE = re.compile(r"^\t *op(\d+) \[label=<(.*?)> ", re.M)
ARG_EDGE = re.compile(r"^\tv(\d+) -> op(\d+) \[id=e(\d+)_(\d+)\]$", re.M)
OUT_EDGE = re.compile(r"^\top(\d+) -> v(\d+)$", re.M)


# --- graphs ---------------------------------------------------------------------------------


def neuron() -> Value:
    w, x, b = Value(-0.5, label="w"), Value(2.0, label="x"), Value(0.25, label="b")
    z = autograd.dot([w], [x], bias=b)
    z.label = "z"
    a = z.sigmoid()
    a.label = "A"
    loss = (a - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


def square() -> Value:
    x = Value(3.0, label="x")
    return x * x


def mlp_loss() -> Value:
    model = MLP(2, [3, 1], seed=0)
    loss = losses.mse([model([1.0, -2.0])], [0.5])
    loss.backward()
    return loss


def chain(n: int) -> Value:
    v = Value(0.5, label="x")
    for _ in range(n):
        v = v * 1.0
    return v


def build(inputs: list[float], program: list[tuple[str, int, int]]) -> Value:
    """Run a little program; each instruction reads any earlier value (so nodes get shared)."""
    values = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    for op, i, j in program:
        a, b = values[i % len(values)], values[j % len(values)]
        if op == "+":
            values.append(a + b)
        elif op == "*":
            values.append(a * b)
        elif op == "dot":
            values.append(autograd.dot([a, b], [b, a], bias=a))
        else:
            values.append(a.tanh())
    return values[-1]


programs = st.lists(
    st.tuples(st.sampled_from(["+", "*", "dot", "tanh"]), st.integers(0, 50), st.integers(0, 50)),
    min_size=1,
    max_size=12,
)


def svg_texts(svg: bytes | str) -> list[str]:
    """The text of every ``<text>`` element; Graphviz writes runs of spaces as ' &#160;'."""
    root = ET.fromstring(svg)
    return [
        "".join(el.itertext()).replace("\xa0", " ")
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "text"
    ]


def svg_counts(svg: bytes | str) -> tuple[int, int]:
    root = ET.fromstring(svg)
    classes = Counter(el.get("class") for el in root.iter() if el.tag.endswith("}g"))
    return classes["node"], classes["edge"]


# --- DOT structure --------------------------------------------------------------------------


@pytest.mark.parametrize("make", [neuron, square, mlp_loss])
def test_one_record_per_value_one_op_node_per_operation(make):
    root = make()
    order = topological_order(root)
    dot = graph.to_dot(root)
    # (clusters group a neuron's statements, so they are not in topological order)
    assert sorted(int(i) for i, _ in VALUE_LINE.findall(dot)) == list(range(len(order)))
    ops = sorted(int(i) for i, _ in OP_LINE.findall(dot))
    assert ops == [i for i, v in enumerate(order) if v.op is not None]
    assert sorted(map(tuple, OUT_EDGE.findall(dot))) == sorted((str(i), str(i)) for i in ops)


@given(st.lists(st.floats(-2, 2), min_size=1, max_size=4), programs)
@settings(max_examples=60, deadline=None)
def test_edges_follow_parent_order(inputs, program):
    root = build(inputs, program)
    order = topological_order(root)
    index = {v: i for i, v in enumerate(order)}
    dot = graph.to_dot(root)
    edges: dict[int, list[tuple[int, int]]] = {}
    for src, op, node, k in ARG_EDGE.findall(dot):
        assert op == node
        edges.setdefault(int(op), []).append((int(k), int(src)))
    for i, v in enumerate(order):
        expected = [(k, index[p]) for k, p in enumerate(v.parents)]
        assert edges.get(i, []) == expected  # written in parent order, one edge per parent


def test_square_has_two_edges_from_x():
    dot = graph.to_dot(square())
    assert ARG_EDGE.findall(dot) == [("0", "1", "1", "0"), ("0", "1", "1", "1")]


def test_output_is_deterministic():
    assert graph.to_dot(neuron()) == graph.to_dot(neuron())
    assert graph.to_dot(mlp_loss()) == graph.to_dot(mlp_loss())


def test_labels_data_grad_and_symbols():
    root = neuron()
    dot = graph.to_dot(root)
    assert "<TR><TD><B>z</B></TD></TR><TR><TD>data -0.7500</TD></TR><TR><TD>grad " in dot
    assert (
        f"<TD><B>loss</B></TD></TR><TR><TD>data {format_number(root.data)}</TD></TR>"
        "<TR><TD>grad 1.0000</TD></TR>" in dot
    )
    assert {s for _, s in OP_LINE.findall(dot)} == {"Σw·x", "σ", "**2", "+"}


def test_show_grad_false_omits_gradients():
    dot = graph.to_dot(neuron(), show_grad=False)
    assert "grad " not in dot
    assert "<TD><B>z</B></TD></TR><TR><TD>data -0.7500</TD></TR></TABLE>" in dot


def test_highlight_one_or_many():
    root = neuron()
    order = topological_order(root)
    fill = graph._HIGHLIGHT_FILL

    def lit(dot: str) -> list[int]:
        lines = [line for line in dot.splitlines() if VALUE_LINE.match(line) and fill in line]
        return sorted(int(VALUE_LINE.match(line).group(1)) for line in lines)

    assert lit(graph.to_dot(root)) == []
    assert lit(graph.to_dot(root, highlight=order[2])) == [2]
    assert lit(graph.to_dot(root, highlight=(v for v in order if v.is_leaf))) == [
        i for i, v in enumerate(order) if v.is_leaf
    ]
    with pytest.raises(TypeError, match="highlight takes a Value"):
        graph.to_dot(root, highlight=[1.0])


@pytest.mark.parametrize("rankdir", graph.RANKDIRS)
def test_rankdir(rankdir):
    assert f"graph [rankdir={rankdir} " in graph.to_dot(square(), rankdir=rankdir)


@pytest.mark.parametrize("bad", ["lr", "TD", ""])
def test_rankdir_validated(bad):
    with pytest.raises(ValueError, match="rankdir must be one of LR, TB, RL, BT or None"):
        graph.to_dot(square(), rankdir=bad)


def test_max_nodes_refuses_big_graphs_with_a_hint():
    big = chain(300)  # x * 1.0 * 1.0 ...: 300 constants, 300 products and x
    with pytest.raises(ValueError) as info:
        graph.to_dot(big)
    message = str(info.value)
    assert "601 Values" in message and "max_nodes=601" in message and "viz.tree" in message
    assert "detail='neuron'" not in message  # no neurons here: no point suggesting it
    dot = graph.to_dot(big, max_nodes=601)
    assert dot.count("shape=none") == 301 and dot.count("shape=box") == 300  # 300 constants
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        graph.to_dot(square(), max_nodes=0)


def test_huge_graph_is_refused_without_layout():
    # 200k nodes: the refusal is a linear walk, never a Graphviz run.
    with pytest.raises(ValueError, match="200001 Values"):
        graph.draw(chain(100_000), renderer=PURE)


def test_not_a_value():
    with pytest.raises(TypeError, match="expected a Value"):
        graph.to_dot(3.0)


def test_boxes_carry_the_names_every_other_view_uses():
    w = Value(0.5, label="w")
    loss = (w * Value(2.0) - 1.0) ** 2  # an unlabeled variable, a constant, unlabeled ops
    dot = graph.to_dot(loss)
    name = names(loss)
    for node in topological_order(loss):
        if node.is_constant:
            continue
        cell = f"<B>{name[node]}</B>" if node.label else f'COLOR="#868e96">{name[node]}</FONT>'
        assert cell in dot, name[node]
    drawn = set(re.findall(r"<TD><(?:B|FONT[^>]*)>([^<]+)</", dot))
    assert drawn == {s.parent_name for s in backward_steps(loss)} | {"loss"}  # the variable


def test_constants_are_dashed_boxes_with_their_value_and_no_gradient():
    x = Value(3.0, label="x")
    dot = graph.to_dot(x * 2 - 0.5)
    constants = [line for line in dot.splitlines() if 'style="rounded,dashed"' in line]
    assert [re.search(r"label=<(.*?)>", line).group(1) for line in constants] == ["2", "-0.5"]
    assert all("grad" not in line and "TABLE" not in line for line in constants)


def test_a_network_is_grouped_by_layer_and_neuron():
    root = mlp_loss()  # MLP(2, [3, 1]) on one example
    dot = graph.to_dot(root)
    # clusters nest: layer 1 holds neurons 0..2; layer 2 holds neuron 0 (the article's numbers)
    titles = re.findall(r"graph \[label=<([^>]*)> style=rounded", dot)
    assert titles == ["layer 1", "neuron 0", "neuron 1", "neuron 2", "layer 2", "neuron 0"]
    model = MLP(2, [3, 1], seed=0)
    for path, p in model.named_parameters():
        # every parameter box is named in the article's notation, its path on hover
        assert re.search(
            rf"<B>{re.escape(graph._html(p.label))}</B>.*tooltip=\"{re.escape(path)}\"", dot
        )
    # and sits inside its own neuron's cluster
    block = dot.split("label=<neuron 1>")[1].split("}")[0]
    assert "W1[1,0&#93;" in block and "b1[1&#93;" in block
    assert "W1[0," not in block and "W2[" not in block
    # inputs say what they are
    assert "x[0&#93; = 1" in dot and "-y = -0.5" in dot
    # names="path": the module paths as names and cluster titles
    by_path = graph.to_dot(root, names="path")
    assert "<B>layers.0.neurons.1.w.0</B>" in by_path and "label=<neurons.1>" in by_path
    with pytest.raises(ValueError, match="names must be one of"):
        graph.to_dot(root, names="module")


def svg_width_px(svg: bytes | str) -> float:
    text = svg.decode() if isinstance(svg, bytes) else svg
    return float(re.search(r'<svg width="([\d.]+)pt"', text).group(1)) * 4 / 3


def chapter9_loss() -> Value:
    net = MLP(2, [2, 1], activation="sigmoid", output="sigmoid", seed=0)
    loss = losses.mse([net([1.0, -0.5])], [1])
    loss.backward()
    return loss


@pytest.mark.parametrize("renderer", [PURE, *([SYSTEM_DOT] if SYSTEM_DOT else [])])
def test_a_2_2_1_loss_graph_fits_the_notebook_column(renderer):
    dot = graph.to_dot(chapter9_loss())
    assert "rankdir=TB" in dot  # left to right it would be ~1,700 px wide
    assert svg_width_px(graph._run(dot, "svg", renderer)) <= 830
    lr = graph.to_dot(chapter9_loss(), rankdir="LR")  # still there for those who want it
    assert "rankdir=LR" in lr and svg_width_px(graph._run(lr, "svg", renderer)) > 830


def test_a_small_chain_stays_left_to_right():
    assert "rankdir=LR" in graph.to_dot(square())


def test_tooltips_carry_the_path_into_the_svg_title():
    svg = graph._svg_hover(graph._run(graph.to_dot(mlp_loss()), "svg", PURE)).decode()
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert "layers.0.neurons.1.w.0" in titles and "layers.1.neurons.0.b" in titles


def test_neuron_view_of_a_2_16_16_1_network_is_one_box_per_neuron():
    model = MLP(2, [16, 16, 1], seed=0)
    loss = losses.bce_with_logits([model([0.5, -0.2])], [1])
    loss.backward()
    with pytest.raises(ValueError) as info:
        graph.to_dot(loss)  # 412 Values: refused, with the coarser view named
    assert "viz.draw(root, detail='neuron') (37 boxes)" in str(info.value)
    dot = graph.to_dot(loss, detail="neuron")
    boxes = re.findall(r"^\t *(nr\d+|fd\d+|v\d+) \[label=", dot, re.M)
    assert len(boxes) == 37  # 33 neurons, 2 inputs, the loss and the cost
    assert sum(b.startswith("nr") for b in boxes) == 33
    assert re.findall(r"graph \[label=<(.*?)> style=rounded", dot) == [
        "layer 1<BR/>a = relu(Σ w·x + b)",
        "layer 2<BR/>a = relu(Σ w·x + b)",
        "layer 3<BR/>a = Σ w·x + b",
    ]
    assert "<B>A1[3&#93;</B>" in dot
    # every neuron of layer 1 feeds the output neuron, and the inputs feed layer 0
    edges = re.findall(r"^\t(\w+) -> (\w+) \[(?!style=invis)", dot, re.M)
    assert len(edges) == 2 * 16 + 16 * 16 + 16 + 2  # + output -> loss[0] -> J
    # weights drawn by sign and size, their value on hover
    w = model.layers[1].neurons[0].w[0]
    assert f'tooltip="{w.label} = {format_number(w.data)}"' in dot
    assert "#e03131" in dot and "#1971c2" in dot
    for renderer in [PURE, *([SYSTEM_DOT] if SYSTEM_DOT else [])]:
        plain = graph._run(dot, "plain", renderer).decode()
        svg = graph._run(dot, "svg", renderer)
        assert svg_width_px(svg) <= 830
        # neurons listed in index order, top to bottom in each layer
        found = re.findall(r"(nr\d+) \[label=<.*?<B>([^<]+)</B>", dot)
        label_of = {n: t.replace("&#93;", "]") for n, t in found}
        at = {n: float(y) for n, y in re.findall(r"^node (nr\d+) [\d.]+ ([\d.]+)", plain, re.M)}
        for layer in ("A1", "A2"):
            mine = sorted((n for n in at if label_of[n].startswith(layer)), key=lambda n: -at[n])
            assert [label_of[n] for n in mine] == [f"{layer}[{j}]" for j in range(16)]


def test_neuron_view_folds_a_hand_built_neuron_and_its_loss():
    w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-0.5, label="b")
    z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = (a - 1.0) ** 2
    dot = graph.to_dot(loss, detail="neuron")
    assert re.findall(r"^\t *(\w+) \[label=", dot, re.M) == ["nr5", "fd8", "v1"]
    assert "<B>a</B>" in dot and "+ **2" in dot  # the loss box lists its folded steps
    assert re.findall(r"^\t(\w+) -> (\w+) ", dot, re.M) == [("v1", "nr5"), ("nr5", "fd8")]


def test_draw_has_a_short_text_form():
    root = mlp_loss()  # 4 neurons, 2 inputs, the loss and the cost: 8 boxes
    g = graph.draw(root, detail="neuron")
    assert repr(g) == (
        f"<drawing of J: {len(topological_order(root))} Values in 8 boxes (one per neuron call): "
        "SVG in Jupyter, .source is the DOT text>"
    )
    assert "0x" not in repr(graph.draw(square()))


@pytest.mark.parametrize("bad", ["neurons", "", None, 2])
def test_detail_validated(bad):
    with pytest.raises(ValueError, match="detail must be one of 'value', 'neuron'"):
        graph.to_dot(square(), detail=bad)


def test_draw_source_equals_to_dot():
    root = neuron()
    g = graph.draw(root, rankdir="TB", show_grad=False)
    assert g.source == graph.to_dot(root, rankdir="TB", show_grad=False)


def test_import_is_light():
    code = (
        "import sys, viz.graph; sys.exit(any(m in sys.modules for m in ('graphviz', 'matplotlib')))"
    )
    cwd = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=cwd).returncode == 0


# --- escaping ---------------------------------------------------------------------------------


def test_display_lines():
    assert graph.display_lines("") == [""]
    assert graph.display_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert graph.display_lines("\t|") == ["    |"]
    assert graph.display_lines("\x00\x7f\x85\ufffe\U0010ffff") == [
        "\\x00\\x7f\\x85\\ufffe\\U0010ffff"
    ]
    assert graph.display_lines('{"<|>"}\\ é σ 😀') == ['{"<|>"}\\ é σ 😀']


def test_special_characters_are_html_escaped_in_dot():
    v = Value(1.0, label='a<b>&"c"\n{|}')
    assert "<TD><B>a&lt;b&gt;&amp;&quot;c&quot;<BR/>{|}</B></TD>" in graph.to_dot(v)
    assert "<TD><B>\\\\N</B></TD>" in graph.to_dot(Value(1.0, label="\\N"))


# Graphviz's own escapes (\N is the node name, \\ a backslash) and XML/HTML look-alikes.
SPECIALS = [*"\"'{}<>|\\\n\r\t &;#[]=-:/", "&amp;", "<BR/>", "]]>", "&#92;", "\\\\"]
NASTY = st.sampled_from(SPECIALS + [f"\\{c}" for c in "nlrNGETHL"])
labels = st.lists(st.one_of(NASTY, st.characters()), max_size=12).map("".join)


@given(labels, st.text(max_size=8))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_label_renders_literally(label, symbol):
    op = autograd.Op("custom", symbol or "f", lambda a: a, lambda a, out: (1.0,))
    x = Value(1.5, label=label)
    y = autograd.apply(op, x)
    y.label = label[::-1] + "/"  # never the same as x's (a shared label gets numbered)
    svg = graph._run(graph.to_dot(y), "svg", PURE)
    texts = svg_texts(svg)
    for text in (label, label[::-1] + "/", symbol or "f"):
        for line in graph.display_lines(text):
            if line.strip():
                assert line.replace("\xa0", " ") in texts, (line, texts)
    assert "data 1.5000" in texts


# --- rendering --------------------------------------------------------------------------------


def test_render_svg_with_graphviz_pure(tmp_path):
    path = graph.render(neuron(), tmp_path / "n.svg", renderer=PURE)
    assert path == tmp_path / "n.svg"
    texts = svg_texts(path.read_bytes())
    for text in ("w", "x", "b", "z", "A", "loss", "data -0.7500", "grad 1.0000", "Σw·x", "σ"):
        assert text in texts
    nodes, edges = svg_counts(path.read_bytes())
    order = topological_order(neuron())
    assert nodes == len(order) + sum(v.op is not None for v in order)
    assert edges == sum(len(v.parents) + 1 for v in order if v.op is not None)


def test_render_png_with_graphviz_pure(tmp_path):
    path = graph.render(square(), str(tmp_path / "sq.PNG"), renderer=PURE)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("suffix", [".dot", ".gv"])
def test_render_source_needs_no_renderer(tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(graph.ENV_VAR, raising=False)
    root = neuron()
    path = graph.render(root, tmp_path / f"g{suffix}", show_grad=False)
    assert path.read_text(encoding="utf-8") == graph.to_dot(root, show_grad=False)


def test_pdf_with_graphviz_pure_is_a_png_wrapped_by_matplotlib(tmp_path):
    data = graph.render(neuron(), tmp_path / "n.pdf", renderer=PURE).read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-32:]
    assert b"/Subtype /Image" in data


def test_pdf_without_matplotlib_names_the_alternatives(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(RuntimeError, match=r"system Graphviz.*svg or \.png"):
        graph.render(square(), tmp_path / "n.pdf", renderer=PURE)


@needs_system_dot
def test_pdf_with_system_dot_is_native(tmp_path):
    data = graph.render(neuron(), tmp_path / "n.pdf", renderer=SYSTEM_DOT).read_bytes()
    assert data.startswith(b"%PDF-") and b"/Subtype /Image" not in data


def test_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot, \.gv"):
        graph.render(square(), tmp_path / "x.jpg")
    with pytest.raises(ValueError, match="cannot tell the format"):
        graph.render(square(), tmp_path / "noext")


def test_no_renderer_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot, no graphviz-pure
    monkeypatch.setattr(graph, "_environment_dirs", lambda: str(tmp_path))
    monkeypatch.delenv(graph.ENV_VAR, raising=False)
    assert graph.find_renderer() is None and graph.renderer_name() is None
    with pytest.raises(RuntimeError) as info:
        graph.render(square(), tmp_path / "x.svg")
    message = str(info.value)
    assert 'pip install "gradstep[viz]"' in message
    assert "apt install graphviz" in message and "brew install graphviz" in message
    assert "to_dot" in message and ".source" in message
    with pytest.raises(RuntimeError, match="no Graphviz renderer"):
        graph.draw(square())._repr_mimebundle_()


def test_missing_explicit_renderer(monkeypatch):
    with pytest.raises(RuntimeError, match="renderer 'no-such-dot' not found"):
        graph.render(square(), "x.svg", renderer="no-such-dot")
    monkeypatch.setenv(graph.ENV_VAR, "/no/such/dot")
    with pytest.raises(RuntimeError, match="GRADSTEP_DOT '/no/such/dot' not found"):
        graph.find_renderer()


def test_renderer_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv(graph.ENV_VAR, PURE)
    assert graph.renderer_name() == PURE
    assert graph.find_renderer() == shutil.which(PURE)
    if SYSTEM_DOT is not None:
        assert graph.renderer_name("dot") == "dot"  # the argument beats the variable
        monkeypatch.delenv(graph.ENV_VAR)
        assert graph.renderer_name() == "dot"  # system dot beats graphviz-pure
    # with only graphviz-pure on PATH, it is the one found
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / PURE).symlink_to(shutil.which(PURE))
    monkeypatch.delenv(graph.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(bindir))
    assert graph.renderer_name() == PURE


def fake_renderer(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-dot"
    script.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.skipif(os.name == "nt", reason="uses an executable script")
def test_failed_render_raises_with_stderr(tmp_path):
    exe = fake_renderer(tmp_path, "sys.stderr.write('Error: syntax error in line 3')\nsys.exit(1)")
    with pytest.raises(RuntimeError, match=r"fake-dot failed to render svg.*syntax error"):
        graph.render(square(), tmp_path / "x.svg", renderer=exe)


@pytest.mark.skipif(os.name == "nt", reason="uses an executable script")
def test_render_timeout(tmp_path):
    exe = fake_renderer(tmp_path, "time.sleep(30)")
    with pytest.raises(RuntimeError, match="did not finish"):
        graph.render(square(), tmp_path / "x.svg", renderer=exe, timeout=0.5)


# --- Jupyter ----------------------------------------------------------------------------------


def test_mimebundle_is_svg_from_graphviz_pure(tmp_path, monkeypatch):
    g = graph.draw(neuron(), renderer=PURE, highlight=None)
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "loss" in svg_texts(bundle["image/svg+xml"].encode())
    assert g._repr_mimebundle_(include=["text/plain"]) == {}
    assert g._repr_mimebundle_(exclude=["image/svg+xml"]) == {}
    # No `dot` anywhere, only graphviz-pure via the environment variable: still displays.
    pure = shutil.which(PURE)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(graph.ENV_VAR, pure)
    assert "<svg" in graph.draw(square())._repr_svg_()


# --- graphviz-pure against the real Graphviz ----------------------------------------------------


@needs_system_dot
@pytest.mark.parametrize("make", [neuron, square, mlp_loss, lambda: chain(20)])
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_graphviz_pure_matches_system_dot(make, rankdir):
    root = make()
    root.label = 'tricky "<{label}>" | \\ é'
    source = graph.to_dot(root, rankdir=rankdir, highlight=root)
    pure = graph._run(source, "svg", PURE)
    real = graph._run(source, "svg", SYSTEM_DOT)
    assert Counter(svg_texts(pure)) == Counter(svg_texts(real))
    assert svg_counts(pure) == svg_counts(real)


def test_renderer_found_in_the_environment_without_activation(monkeypatch):
    # A Jupyter kernel or `.venv/bin/python x.py` runs with the venv's bin folder off PATH.
    monkeypatch.delenv(graph.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    found = graph.find_renderer()
    assert found is not None and os.path.basename(found) == PURE


# --- graphviz's own methods, through gradstep's renderer lookup -----------------------------


def test_pipe_render_and_view_work_with_only_graphviz_pure(tmp_path, monkeypatch):
    pure = shutil.which(PURE)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no system dot anywhere
    monkeypatch.setenv(graph.ENV_VAR, pure)
    g = graph.draw(square())
    svg = g.pipe(format="svg", encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "x" in svg_texts(svg.encode())
    assert g.pipe(format="png")[:8] == b"\x89PNG\r\n\x1a\n"
    out = g.render(directory=tmp_path / "a", format="svg")
    assert out == str(tmp_path / "a" / "gradstep.gv.svg")
    assert (tmp_path / "a" / "gradstep.gv").read_text() == g.source
    assert g.render(outfile=tmp_path / "b.png") == str(tmp_path / "b.png")
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    assert g.render(filename="c", directory=tmp_path, format="svg", cleanup=True).endswith("c.svg")
    assert not (tmp_path / "c").exists()
    opened = []
    import graphviz

    monkeypatch.setattr(graphviz, "view", lambda path, quiet=False: opened.append(path))
    shown = g.view(filename="d", directory=tmp_path)
    assert opened == [Path(shown)] and shown.endswith("d.pdf")  # graphviz's default format
    with pytest.raises(TypeError, match="does not take engine"):
        g.render(directory=tmp_path, engine="neato")


def test_a_compiled_functions_graph_draws_with_the_last_calls_numbers():
    import autograd
    import viz

    w = Value(0.5, label="w")
    c = autograd.compile(lambda x, y: ((w * x).tanh() - y) ** 2)
    c.backward(2.0, 1.0)
    c.backward(1.0, 0.0)  # the graph shows this call's numbers, computed when looked at
    eager_w, eager_x = Value(0.5, label="w"), Value(1.0, label="x")
    eager = ((eager_w * eager_x).tanh() - 0.0) ** 2
    eager.backward()
    assert c.graph.data == eager.data
    dot = viz.to_dot(c.graph)
    assert "w" in dot and "tanh" in dot
    text = viz.tree(c.graph)
    assert f"{eager.data:.4f}" in text
    x = next(v for v in autograd.topological_order(c.graph) if v.label == "x")
    final = [s.after for s in viz.backward_steps(c.graph) if s.parent is x]
    assert final[-1] == eager_x.grad  # the stepper replays the same chain rule
    assert x.grad == eager_x.grad  # and the nodes hold the call's gradients
