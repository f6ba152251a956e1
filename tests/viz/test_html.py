"""viz.html: a self-contained backprop stepper page, checked as text and in a real browser."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from autograd import Value, topological_order, zero_grad
from viz.html import backprop_html
from viz.steps import backward_steps

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

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
    match = re.search(r'<script type="application/json" id="steps">(.*?)</script>', page, re.S)
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
    assert "<svg" in page and 'id="prev"' in page and 'id="next"' in page


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


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory, system_tool_missing):
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        system_tool_missing(
            f"{' and '.join(missing)} (Debian: apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
    except ImportError:
        pytest.fail("selenium is missing: pip install -e '.[test]' (it is a test dependency)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield browser
    browser.quit()


def open_page(driver, root: Value, tmp_path: Path):
    path = tmp_path / "stepper.html"
    backprop_html(root, path=path)
    driver.get(path.as_uri())
    return driver


def shown_grads(driver) -> dict[int, str | None]:
    from selenium.webdriver.common.by import By

    return {
        int(el.get_attribute("data-node")): el.get_attribute("data-grad")
        for el in driver.find_elements(By.CSS_SELECTOR, "tspan.grad[data-node]")
    }


def counter(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "counter").text


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

    next_button = driver.find_element(By.ID, "next")
    for k, step in enumerate(steps, start=1):
        next_button.click()
        assert counter(driver) == f"step {k} / {len(steps)}"
        assert float(shown_grads(driver)[index[step.parent]]) == step.after
        assert driver.find_element(By.ID, "line").text == str(step)
        target = driver.find_element(By.ID, f"n{index[step.parent]}")
        assert "target" in target.get_attribute("class")
    assert not next_button.is_enabled()

    final = shown_grads(driver)
    expected = engine_grads(root)
    assert len(final) == len(order)
    for i, grad in enumerate(expected):
        assert final[i] is not None, f"node {i} shows no gradient after the last step"
        assert float(final[i]) == grad

    # Prev undoes the last step exactly: its parent's gradient goes back to `before`, or to
    # unknown if that step was the first to reach it.
    last = steps[-1]
    driver.find_element(By.ID, "prev").click()
    assert counter(driver) == f"step {len(steps) - 1} / {len(steps)}"
    assert driver.find_element(By.ID, "line").text == str(steps[-2])
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
    expected = engine_grads(root)
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
        driver.find_element(By.ID, "next").click()
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.find_elements(By.TAG_NAME, "img") == []
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 2
    names = [el.text for el in driver.find_elements(By.CSS_SELECTOR, "text.name")]
    for label in XSS_LABELS:
        assert label in names
    assert XSS_LABELS[1] in driver.find_element(By.ID, "line").text
    assert XSS_LABELS[0] in driver.find_element(By.TAG_NAME, "body").text


def test_layout_puts_a_late_input_next_to_its_use():
    from autograd import topological_order
    from viz.html import _layers

    w = Value(0.5, label="w")
    a = (w * 2.0).sigmoid()
    loss = (a - 1.0) ** 2  # the constant 1.0 is only used near the end
    order = topological_order(loss)
    layers = _layers(order, {v: i for i, v in enumerate(order)})
    column = {v: k for k, layer in enumerate(layers) for v in layer}
    one = next(v for v in order if v.is_leaf and v.data == 1.0)
    for v in order:
        for p in v.parents:
            assert column[p] < column[v]  # still left to right
    consumer = next(v for v in order if one in v.parents)
    assert column[consumer] - column[one] == 1 and column[w] == 0
