"""viz.html: a self-contained backprop stepper page, checked as text and in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autograd import Value, topological_order, zero_grad
from viz.html import backprop_html, html_line
from viz.steps import _num, backward_steps

XSS_LABELS = (
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
)


def perceptron() -> Value:
    """A 2-input perceptron with a sigmoid and a squared-error loss against y = 1."""
    x1, x2 = Value(1.5, label="x1"), Value(-0.5, label="x2")
    w1, w2, b = Value(0.8, label="w1"), Value(-1.2, label="w2"), Value(0.1, label="b")
    z = w1 * x1 + w2 * x2 + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    loss = (a - Value(1.0, label="y")) ** 2
    loss.label = "loss"
    return loss


def shared() -> Value:
    """x * x + x: x feeds three edges, two of them into the same multiplication."""
    x = Value(3.0, label="x")
    return x * x + x


def hostile() -> Value:
    a, b = Value(2.0, label=XSS_LABELS[0]), Value(-3.0, label=XSS_LABELS[1])
    c = a * b + Value(1.0, label='q"uote & <script>')
    return c


def json_payload(page: str) -> str:
    match = re.search(r'<script type="application/json" class="gs-data">(.*?)</script>', page, re.S)
    assert match, "no JSON step data in the page"
    return match.group(1)


# --- static checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("build", [perceptron, shared, hostile])
def test_self_contained(build) -> None:
    page = backprop_html(build())
    lowered = page.lower()
    for needle in ('src="http', "src='http", 'href="http', "href='http", "@import", "//cdn"):
        assert needle not in lowered
    assert "http://" not in lowered and "https://" not in lowered
    assert "<link" not in lowered  # no external stylesheets or fonts
    assert re.search(r"<script[^>]*\bsrc=", lowered) is None
    assert "<svg" in page and 'class="gs-prev"' in page and 'class="gs-next"' in page


def test_escaping_in_markup_and_json() -> None:
    page = backprop_html(hostile(), title="<b>T&C</b>")
    data = json_payload(page)
    assert "<" not in data and ">" not in data and "&" not in data
    # Everything outside the JSON tag and the fixed scripts: the labels appear only escaped.
    markup = page.replace(data, "")
    for label in (*XSS_LABELS, 'q"uote & <script>', "<b>T&C</b>"):
        assert label not in markup
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in markup
    assert "&lt;/script&gt;&lt;script&gt;" in markup
    assert "q&quot;uote &amp; &lt;script&gt;" in markup
    assert "<title>&lt;b&gt;T&amp;C&lt;/b&gt;</title>" in markup
    assert '<div class="gs-title">&lt;b&gt;T&amp;C&lt;/b&gt;</div>' in markup
    assert markup.count("<script") == 2  # the JSON tag and the stepper itself, nothing else
    # The escaped JSON still decodes to the exact labels.
    parsed = json.loads(data)
    assert any(XSS_LABELS[1] in step["line"] for step in parsed["steps"])


def test_json_matches_backward_steps() -> None:
    root = perceptron()
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    parsed = json.loads(json_payload(backprop_html(root)))
    steps = list(backward_steps(root))
    assert len(parsed["steps"]) == len(steps)
    for got, step in zip(parsed["steps"], steps, strict=True):
        assert got["line"] == str(step)
        assert got["node"] == index[step.node] and got["parent"] == index[step.parent]
        assert float(got["grad"]) == step.after


def test_constants_are_drawn_apart_and_get_no_step() -> None:
    root = perceptron()  # (a - y)**2 with y a labelled Value; here a plain 1.0 instead:
    w = Value(0.5, label="w")
    root = (w * 2.0 - 1.0) ** 2
    page = backprop_html(root)
    constants = re.findall(r'<g class="gs-node const" data-node="(\d+)"', page)
    order = topological_order(root)
    assert sorted(int(i) for i in constants) == [i for i, v in enumerate(order) if v.is_constant]
    parsed = json.loads(json_payload(page))
    assert all(not order[s["parent"]].is_constant for s in parsed["steps"])
    assert len(parsed["steps"]) == len(list(backward_steps(root))) == 3


def test_the_page_shows_itself_in_jupyter_with_fresh_ids() -> None:
    stepper = backprop_html(perceptron())
    assert repr(stepper) == (
        f"<backprop stepper for loss: {len(topological_order(perceptron()))} nodes, "
        f"{len(list(backward_steps(perceptron())))} steps: inline in Jupyter, str() is the "
        "whole page>"
    )
    assert str(stepper).startswith("<!DOCTYPE html>")
    one, two = stepper._repr_html_(), stepper._repr_html_()
    ids = [re.match(r'<div class="gradstep-stepper" id="(gs\w+)"', h).group(1) for h in (one, two)]
    assert ids[0] != ids[1]
    for fragment, uid in zip((one, two), ids):
        assert "<UID>" not in fragment and "<!DOCTYPE" not in fragment
        assert f'document.getElementById("{uid}")' in fragment
        assert f'id="{uid}-arrow"' in fragment and f"url(#{uid}-arrow)" in fragment
        # every id in the fragment is its own
        assert all(i.startswith(uid) for i in re.findall(r'\bid="([^"]+)"', fragment))


def test_max_nodes_refused() -> None:
    root = perceptron()
    n = len(topological_order(root))
    backprop_html(root, max_nodes=n)  # exactly at the limit is fine
    with pytest.raises(ValueError, match=rf"{n} nodes.*max_nodes={n - 1}"):
        backprop_html(root, max_nodes=n - 1)


def test_deterministic_and_written(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    page = backprop_html(perceptron(), path=out)
    assert out.read_text(encoding="utf-8") == page
    assert backprop_html(perceptron()) == page  # a fresh, identical graph: the same bytes


def test_leaf_root_has_no_steps() -> None:
    page = backprop_html(Value(2.0, label="w"))
    assert json.loads(json_payload(page))["steps"] == []
    assert "step 0 / 0" in page


def test_rejects_non_value() -> None:
    with pytest.raises(TypeError, match="needs a Value"):
        backprop_html(3.0)  # type: ignore[arg-type]


# --- a real browser ---------------------------------------------------------------------------


# (the `driver` fixture, a headless Chromium at 1280 x 720, is in tests/viz/conftest.py)


def set_viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport (not the window, which has borders) width x height."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    assert driver.execute_script("return [window.innerWidth, window.innerHeight]") == [
        width,
        height,
    ]


def open_page(driver, root: Value, tmp_path: Path):
    path = tmp_path / "stepper.html"
    backprop_html(root, path=path)
    driver.get(path.as_uri())
    return driver


def css(driver, selector: str, within=None):
    from selenium.webdriver.common.by import By

    return (within or driver).find_element(By.CSS_SELECTOR, selector)


def shown_grads(driver, within=None) -> dict[int, str | None]:
    from selenium.webdriver.common.by import By

    return {
        int(el.get_attribute("data-node")): el.get_attribute("data-grad")
        for el in (within or driver).find_elements(By.CSS_SELECTOR, "tspan.gs-grad[data-node]")
    }


def counter(driver, within=None) -> str:
    return css(driver, ".gs-counter", within).text


def engine_grads(root: Value) -> list[float]:
    zero_grad(root)
    root.backward()
    return [node.grad for node in topological_order(root)]


@pytest.mark.parametrize("build", [perceptron, shared])
def test_next_button_reaches_engine_gradients(driver, build, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = build()
    order = topological_order(root)
    index = {node: i for i, node in enumerate(order)}
    steps = list(backward_steps(root))
    open_page(driver, root, tmp_path)
    assert counter(driver) == f"step 0 / {len(steps)}"
    start = shown_grads(driver)
    assert start[index[root]] == "1.0"
    assert all(g is None for i, g in start.items() if i != index[root])

    next_button = css(driver, ".gs-next")
    for k, step in enumerate(steps, start=1):
        next_button.click()
        assert counter(driver) == f"step {k} / {len(steps)}"
        assert float(shown_grads(driver)[index[step.parent]]) == step.after
        assert " ".join(css(driver, ".gs-line").text.split()) == html_line(
            {"sym": step.symbols("∂"), "nums": [_num(step.upstream), _num(step.local),
                                                 _num(step.product)]}
        )  # fmt: skip
        target = css(driver, f'g.gs-node[data-node="{index[step.parent]}"]')
        assert "target" in target.get_attribute("class")
        current = driver.find_elements(By.CSS_SELECTOR, '[aria-current="step"]')
        assert [el.get_attribute("data-node") for el in current] == [str(index[step.node])]
    assert not next_button.is_enabled()

    final = shown_grads(driver)
    expected = engine_grads(root)
    variables = [i for i, v in enumerate(order) if not v.is_constant]
    assert sorted(final) == variables  # constants have no gradient box
    for i in variables:
        assert final[i] is not None, f"node {i} shows no gradient after the last step"
        assert float(final[i]) == expected[i]

    # Prev undoes the last step exactly: its parent's gradient goes back to `before`, or to
    # unknown if that step was the first to reach it.
    last = steps[-1]
    css(driver, ".gs-prev").click()
    assert counter(driver) == f"step {len(steps) - 1} / {len(steps)}"
    assert css(driver, ".gs-line .gs-target").text == steps[-2].symbols("∂")[0]
    reverted = shown_grads(driver)[index[last.parent]]
    if any(step.parent is last.parent for step in steps[:-1]):
        assert reverted is not None and float(reverted) == last.before != last.after
    else:
        assert reverted is None


def test_arrow_keys_step_through(driver, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    root = shared()
    steps = list(backward_steps(root))
    open_page(driver, root, tmp_path)
    states = [shown_grads(driver)]
    for k in range(1, len(steps) + 1):
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
        assert counter(driver) == f"step {k} / {len(steps)}"
        states.append(shown_grads(driver))
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()  # past the end: stays
    assert counter(driver) == f"step {len(steps)} / {len(steps)}"
    expected = engine_grads(root)  # x * x + x: no constants
    assert [float(states[-1][i]) for i in range(len(expected))] == expected
    # Walking back reproduces every earlier state exactly.
    for k in range(len(steps) - 1, -1, -1):
        ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
        assert counter(driver) == f"step {k} / {len(steps)}"
        assert shown_grads(driver) == states[k]
    ActionChains(driver).send_keys(Keys.END).perform()
    assert shown_grads(driver) == states[-1]
    ActionChains(driver).send_keys(Keys.HOME).perform()
    assert shown_grads(driver) == states[0]


def test_hostile_labels_stay_text(driver, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = hostile()
    open_page(driver, root, tmp_path)
    for _ in backward_steps(root):
        css(driver, ".gs-next").click()
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.find_elements(By.TAG_NAME, "img") == []
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 2
    names = [el.text for el in driver.find_elements(By.CSS_SELECTOR, "text.name")]
    for label in XSS_LABELS:
        assert label in names
    assert XSS_LABELS[1] in css(driver, ".gs-line").text
    assert XSS_LABELS[0] in driver.find_element(By.TAG_NAME, "body").text


def test_layout_puts_a_late_input_next_to_its_use():
    from autograd import topological_order
    from viz.html import _layers

    w = Value(0.5, label="w")
    a = (w * 2.0).sigmoid()
    loss = (a - 1.0) ** 2  # the constant (-1 after the subtraction) is only used near the end
    order = topological_order(loss)
    layers = _layers(order, {v: i for i, v in enumerate(order)})
    column = {v: k for k, layer in enumerate(layers) for v in layer}
    one = next(v for v in order if v.is_constant and v.data == -1.0)
    for v in order:
        for p in v.parents:
            assert column[p] < column[v]  # still left to right
    consumer = next(v for v in order if one in v.parents)
    assert column[consumer] - column[one] == 1 and column[w] == 0


# --- following the step ---------------------------------------------------------------------


def network_loss() -> Value:
    """A 2-4-1 tanh network on two examples: 46 nodes, several columns wider than a screen."""
    from nn import MLP, mse

    model = MLP(2, [4, 1], activation="tanh", seed=0)
    return mse([model([1.0, -1.0]), model([0.5, 2.0])], [1.0, 0.0])


def visible(driver, element, canvas) -> bool:
    """Whether ``element`` lies inside both the window and its stepper's scrolling canvas."""
    box = driver.execute_script(
        """const r = arguments[0].getBoundingClientRect(), c = arguments[1].getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom, c.left, c.top, c.right, c.bottom,
                window.innerWidth, window.innerHeight];""",
        element,
        canvas,
    )
    left, top, right, bottom, cl, ct, cr, cb, width, height = box
    inside_canvas = left >= cl - 1 and top >= ct - 1 and right <= cr + 1 and bottom <= cb + 1
    inside_window = left >= 0 and top >= 0 and right <= width and bottom <= height
    return inside_canvas and inside_window


@pytest.mark.parametrize("width", [1280, 800])
def test_the_current_step_is_always_in_view(driver, tmp_path: Path, width: int) -> None:
    from selenium.webdriver.common.by import By

    root = network_loss()
    order = topological_order(root)
    assert len(order) >= 30
    steps = list(backward_steps(root))
    set_viewport(driver, width, 720)
    try:
        open_page(driver, root, tmp_path)
        canvas = css(driver, ".gs-canvas")
        svg = css(driver, ".gs-canvas svg")
        # never wider than the canvas: the drawing grows down and the view follows it
        assert float(svg.get_attribute("width")) <= canvas.size["width"]
        index = {v: i for i, v in enumerate(order)}
        for k in range(len(steps) + 1):
            if k:
                css(driver, ".gs-next").click()
            (current,) = driver.find_elements(By.CSS_SELECTOR, '[aria-current="step"]')
            node = index[root] if k == 0 else index[steps[k - 1].node]
            assert current.get_attribute("data-node") == str(node)
            assert visible(driver, current, canvas), f"step {k}: the current node is out of view"
            if k:  # and the input receiving the gradient
                target = css(driver, f'g.gs-node[data-node="{index[steps[k - 1].parent]}"]')
                assert visible(driver, target, canvas), f"step {k}: the target is out of view"
    finally:
        set_viewport(driver, 1280, 720)


def test_zoom_never_shrinks_text_below_75_percent(driver, tmp_path: Path) -> None:
    open_page(driver, network_loss(), tmp_path)
    svg, canvas = css(driver, ".gs-canvas svg"), css(driver, ".gs-canvas")
    css(driver, ".gs-fit").click()
    fitted = float(svg.get_attribute("width"))
    assert fitted <= canvas.size["width"] and css(driver, ".gs-zoom-level").text == "100%"
    css(driver, ".gs-zoom-in").click()
    assert float(svg.get_attribute("width")) == pytest.approx(fitted * 1.25, abs=1)
    for _ in range(5):
        css(driver, ".gs-zoom-out").click()
    assert css(driver, ".gs-zoom-level").text == "75%"
    (current,) = driver.find_elements("css selector", '[aria-current="step"]')
    assert visible(driver, current, canvas)


def test_two_steppers_on_one_page_step_independently(driver, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    first, second = backprop_html(shared()), backprop_html(perceptron())
    # Two displays of the same stepper too, as a notebook re-running a cell would show.
    fragments = [first._repr_html_(), second._repr_html_(), first._repr_html_()]
    page = tmp_path / "two.html"
    # Jupyter's own stylesheet shrinks every output svg; the steppers must still zoom.
    jupyter_css = "<style>.out svg { max-width: 100%; height: auto; }</style>"
    page.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{jupyter_css}</head><body>"
        + "<hr>".join(f'<div class="out" style="width: 700px">{f}</div>' for f in fragments)
        + "</body></html>",
        encoding="utf-8",
    )
    driver.get(page.as_uri())
    steppers = driver.find_elements(By.CSS_SELECTOR, ".gradstep-stepper")
    assert len(steppers) == 3
    totals = [len(list(backward_steps(b()))) for b in (shared, perceptron, shared)]
    assert [counter(driver, s) for s in steppers] == [f"step 0 / {t}" for t in totals]

    def state() -> list[str]:
        return [counter(driver, s) for s in steppers]

    css(driver, ".gs-next", steppers[1]).click()
    css(driver, ".gs-next", steppers[1]).click()
    assert state() == [f"step 0 / {totals[0]}", f"step 2 / {totals[1]}", f"step 0 / {totals[2]}"]
    css(driver, ".gs-next", steppers[2]).click()
    assert state() == [f"step 0 / {totals[0]}", f"step 2 / {totals[1]}", f"step 1 / {totals[2]}"]
    # keys go to the stepper that has the focus, and only to it
    css(driver, ".gs-next", steppers[0]).click()
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    assert state() == [f"step 2 / {totals[0]}", f"step 2 / {totals[1]}", f"step 1 / {totals[2]}"]
    # each highlights its own nodes, and each has exactly one current step
    for s in steppers:
        assert len(s.find_elements(By.CSS_SELECTOR, '[aria-current="step"]')) == 1
    grads = [shown_grads(driver, s) for s in steppers]
    assert grads[0] != grads[2]  # the same graph, at different steps
    # the zoom shown is the zoom drawn, whatever the page's CSS says about svg
    for s in steppers:
        svg = css(driver, ".gs-canvas svg", s)
        drawn = driver.execute_script("return arguments[0].getBoundingClientRect().width", svg)
        assert drawn == pytest.approx(float(svg.get_attribute("width")), abs=1)


def test_a_lone_surrogate_in_a_label_or_title_can_be_written(tmp_path: Path) -> None:
    x = Value(1.0, label="bad\ud800label")
    out = tmp_path / "s.html"
    page = backprop_html(x * 2, path=out, title="t\udfff")
    assert out.read_text(encoding="utf-8") == page
    assert "bad\\ud800label" in page and "t\\udfff" in page


# --- readable in a notebook column ------------------------------------------------------------


def chapter3_cost() -> Value:
    """Chapter 3's stepper: a perceptron's cost J over two examples."""
    from nn import Perceptron, mse

    p = Perceptron(2, seed=0)
    p.w[0].data = 0.5
    return mse([p(x) for x in [[1.0, 2.0], [2.0, -1.0]]], [1, 0])


def chapter9_loss() -> Value:
    """Chapter 9's stepper: a 2-2-1 sigmoid network's loss on one example."""
    from nn import MLP, mse

    net = MLP(2, [2, 1], activation="sigmoid", output="sigmoid", seed=0)
    return mse([net([1.0, -0.5])], [1])


def big_mlp_loss() -> Value:
    from nn import MLP, mse

    return mse([MLP(2, [16, 16, 1], seed=0)([0.5, -1.0])], [1.0])


MEASURE = """
const st = arguments[0], c = st.querySelector('.gs-canvas'), svg = c.querySelector('svg');
const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
let least = 1e9, shown = 0;
svg.querySelectorAll('text').forEach(t => {
  if (!t.getBoundingClientRect().width) return;
  shown++;
  least = Math.min(least, parseFloat(getComputedStyle(t).fontSize) * scale);
});
return [st.scrollWidth, st.clientWidth, c.scrollWidth, c.clientWidth, least, shown];
"""


@pytest.mark.parametrize("build", [chapter3_cost, chapter9_loss, big_mlp_loss])
def test_fits_a_notebook_column_with_readable_text(driver, tmp_path: Path, build) -> None:
    """In JupyterLab's ~830px output column: no sideways scroll, no SVG text under 9px, at
    the opening view and in the middle of the backward pass; the current node in view."""
    root = build()
    total = len(list(backward_steps(root)))
    page = tmp_path / "column.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>.out svg { max-width: 100%; "
        "height: auto; }</style></head><body><div class='out' style='width: 830px'>"
        + backprop_html(root)._repr_html_()
        + "</div></body></html>",
        encoding="utf-8",
    )
    driver.get(page.as_uri())
    stepper, canvas = css(driver, ".gradstep-stepper"), css(driver, ".gs-canvas")
    for k in (0, total // 2):
        for _ in range(k):
            css(driver, ".gs-next").click()
        wide, client, cwide, cclient, least, shown = driver.execute_script(MEASURE, stepper)
        assert wide <= client and cwide <= cclient, f"step {k}: scrolls sideways"
        assert shown > 0 and least >= 9, f"step {k}: SVG text {least}px"
        (current,) = driver.find_elements("css selector", '[aria-current="step"]')
        assert visible(driver, current, canvas), f"step {k}: the current node is out of view"


def test_a_big_graph_shows_the_steps_neighbourhood(driver, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = big_mlp_loss()
    order = topological_order(root)
    index = {v: i for i, v in enumerate(order)}
    steps = list(backward_steps(root))
    page = backprop_html(root)
    assert json.loads(json_payload(page))["view"] == "hood"
    assert json.loads(json_payload(backprop_html(chapter9_loss())))["view"] == "full"
    path = tmp_path / "big.html"
    path.write_text(page, encoding="utf-8")
    driver.get(path.as_uri())
    for _ in range(len(steps) // 2):
        css(driver, ".gs-next").click()
    step = steps[len(steps) // 2 - 1]
    consumers = {index[v] for v in order if step.node in v.parents}
    want = {index[step.node]} | {index[p] for p in step.node.parents} | consumers
    drawn = {
        int(g.get_attribute("data-node"))
        for g in driver.find_elements(By.CSS_SELECTOR, "g.gs-node[data-node]")
        if g.is_displayed()
    }
    assert drawn == want and len(drawn) < len(order)
    assert "too big to read whole" in css(driver, ".gs-view").text
    assert css(driver, ".gs-line .gs-up small").text == "from above"
    assert css(driver, ".gs-line .gs-local small").text == "local"
    hot = driver.find_elements(By.CSS_SELECTOR, "g.gs-dyn path.hot")
    assert len(hot) == 2  # the edge into the op, and the op's output


def test_module_path_on_hover_and_names_path() -> None:
    from nn import MLP, mse

    root = mse([MLP(2, [2, 1], seed=0)([1.0, -0.5])], [1])
    page = backprop_html(root)
    assert "<title>b2[0]\nmodule path: layers.1.neurons.0.b</title>" in page
    line = json.loads(json_payload(page))["steps"]
    assert any(s["sym"] == ["∂J/∂b2[0]", "∂J/∂Z2[0]", "∂Z2[0]/∂b2[0]"] for s in line)
    by_path = backprop_html(root, names="path")
    assert ">layers.1.neurons.0.b</text>" in by_path and "label: b2[0]" in by_path
    seed = json.loads(json_payload(page))["seed"]
    assert seed["line"] == "∂J/∂J = 1.0000" and "L is" not in seed["what"]
