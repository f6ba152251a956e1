"""The course (docs/course): every chapter runs top to bottom in a real kernel, its checks
accept the reference answers and, left blank, answer politely -- never with a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.course_solutions import SOLUTIONS
from tests.notebooks import displays, execute, kernel_dir, stream
from viz.course import EXERCISES, METADATA, check

nbformat = pytest.importorskip("nbformat", reason="a test dependency: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "docs" / "course"
CHAPTERS = sorted(COURSE.glob("*.ipynb"))
INDEX = ROOT / "docs" / "tutorial.md"


def meta(cell) -> dict:
    return cell.get("metadata", {}).get(METADATA, {})


def load(path: Path):
    return nbformat.read(path, as_version=4)


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory) -> Path:
    return kernel_dir(tmp_path_factory.mktemp("jupyter"))


def verdicts(nb) -> dict[str, str]:
    """Exercise id -> the text its check cell displayed."""
    out = {}
    for cell in nb.cells:
        exercise_id = meta(cell).get("check")
        if exercise_id:
            texts = [d.get("text/plain", "") for d in displays(cell)]
            assert len(texts) == 1, f"check {exercise_id} displayed {len(texts)} outputs"
            out[exercise_id] = texts[0]
    return out


def training_warnings(cell) -> list[str]:
    """The TrainingWarnings (or a subclass's) a cell printed, one line each as Python shows it
    ("file:line: TrainingWarning: message")."""
    import nn

    names = {nn.TrainingWarning.__name__}
    todo = [nn.TrainingWarning]
    while todo:
        for sub in todo.pop().__subclasses__():
            names.add(sub.__name__)
            todo.append(sub)
    said = stream(cell, "stderr")
    return [line for line in said.splitlines() if any(f" {n}: " in line for n in names)]


def errors(nb) -> list[str]:
    return [
        f"cell {i}: {o['ename']}: {o['evalue']}"
        for i, cell in enumerate(nb.cells)
        for o in cell.get("outputs", [])
        if o.output_type == "error"
    ]


# --- how the course is stored -----------------------------------------------------------------


def test_chapters_in_order():
    assert [p.name[:3] for p in CHAPTERS] == [f"{n:02d}_" for n in range(1, 16)]


def needs(path: Path, request) -> None:
    """A chapter that needs a package beyond the course's (chapter 15: torch) runs only with
    it: skipped without it, a failure in CI (the ``torch`` fixture of tests/conftest.py)."""
    for package in load(path).metadata.get(METADATA, {}).get("requires", []):
        request.getfixturevalue(package)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_stored_clean_and_well_formed(path):
    nb = load(path)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":  # the source of truth holds no outputs
            assert cell.outputs == [] and cell.execution_count is None
    # a title, some explanation, and exercises each followed by its check
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    number = int(path.name[:2])
    assert nb.cells[0].source.startswith(f"# {number}. ")
    ids = [meta(c)["exercise"] for c in nb.cells if "exercise" in meta(c)]
    assert 1 <= len(ids) <= 3 and all(i.startswith(f"{number}.") for i in ids)
    for i, cell in enumerate(nb.cells):
        if "exercise" in meta(cell):
            following = nb.cells[i + 1]
            assert meta(following).get("check") == meta(cell)["exercise"]
            assert re.fullmatch(rf'check\("{re.escape(meta(cell)["exercise"])}", \w+\)',
                                following.source)  # fmt: skip


def test_every_exercise_has_a_judge_and_a_reference_answer():
    in_notebooks = {
        meta(c)["exercise"] for path in CHAPTERS for c in load(path).cells if "exercise" in meta(c)
    }
    check("1.1", ...)  # loads the judges
    assert in_notebooks == set(EXERCISES) == set(SOLUTIONS)


# --- running it -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_with_reference_answers_is_right_everywhere(path, jupyter, request):
    needs(path, request)
    nb = load(path)
    for cell in nb.cells:
        if "exercise" in meta(cell):
            cell.source = SOLUTIONS[meta(cell)["exercise"]].strip()
    nb = execute(nb, jupyter, cwd=COURSE, timeout=60)
    assert errors(nb) == []
    # The course's training runs are healthy: fit diagnoses nothing in them -- except in the
    # cells that break training on purpose (chapter 11), whose metadata lists the warnings
    # they mean to provoke ("warns": one word of each message), and only those.
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meant = meta(cell).get("warns", [])
        said = training_warnings(cell)
        assert len(said) == len(meant), f"cell {i}: meant {meant}, said {said}"
        for word, line in zip(meant, said):
            assert word in line, f"cell {i}: meant {word!r}, said {line}"
    said = verdicts(nb)
    assert said and all(text.startswith("✓") for text in said.values()), said
    for cell in nb.cells:  # every picture the docs take is there
        name = meta(cell).get("picture")
        if name:
            mime = "image/svg+xml" if name.endswith(".svg") else "image/png"
            assert any(mime in d for d in displays(cell)), f"{name} not produced"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_left_blank_runs_and_checks_say_not_answered(path, jupyter, request):
    needs(path, request)
    nb = execute(load(path), jupyter, cwd=COURSE, timeout=60)
    assert errors(nb) == []  # nothing after an exercise depends on its answer
    said = verdicts(nb)
    assert said and all(t.startswith("…") and "not answered yet" in t for t in said.values())


# --- the check helper ---------------------------------------------------------------------------


def test_check_never_raises_and_explains_a_wrong_answer():
    assert check("1.1", ...).ok is None
    wrong = check("1.1", 0.25)  # that is Z, not A
    assert wrong.ok is False and "that is Z" in str(wrong) and "Hint:" in repr(wrong)
    kind = check("1.1", "0.56")
    assert kind.ok is False and "expected a number, got str '0.56'" in repr(kind)
    assert check("3.2", (1, 2, 3)).ok is False
    assert check("nope", 1).ok is False and "known: 1.1, 1.2, 2.1" in repr(check("nope", 1))

    def broken(*args):
        raise ZeroDivisionError("oops")

    crashed = check("2.1", broken)
    assert crashed.ok is False and "your answer raised ZeroDivisionError: oops" in repr(crashed)

    def forgot_return(w1, w2, b, x1, x2):
        w1 * x1 + w2 * x2 + b

    assert "did it forget a return?" in repr(check("2.1", forgot_return))


def test_a_verdict_holds_no_answer_and_shows_itself():
    blank = check("9.1", ...)
    text = repr(blank) + blank._repr_html_()
    from viz.exercises import _two_layer_gradients

    truth = _two_layer_gradients()["layers.0.neurons.0.w.0"]
    assert f"{truth:.4f}" not in text and f"{truth:.6f}" not in text
    right = check("9.1", truth)
    assert bool(right) and right._repr_html_().startswith('<div class="gradstep-verdict"')
    assert not bool(blank)


def test_9_1_names_the_missing_factor_without_giving_the_formula():
    import math

    from viz.exercises import _hidden_path_factors

    factors = _hidden_path_factors()
    truth = math.prod(factors.values())
    check("9.1", ...)  # loads the judges
    hint = EXERCISES["9.1"].hint
    assert "A1[0](1" not in hint and "·" not in hint  # no product written out
    for name, factor in factors.items():
        said = str(check("9.1", truth / factor))
        assert said.startswith("✗") and f"missing: {name}" in said, said
    assert "missing" not in str(check("9.1", 0.5))  # a number that is no product of the path


def test_10_1_notices_a_model_that_was_never_trained():
    import nn

    for seed in (0, 3):  # as built, with the default seed or another
        fresh = nn.MLP(2, [4, 1], activation="tanh", output="sigmoid", seed=seed)
        said = str(check("10.1", fresh))
        assert said.startswith("✗") and "never trained" in said and f"seed={seed}" in said
        assert "accuracy" not in said
    nudged = nn.MLP(2, [4, 1], activation="tanh", output="sigmoid", seed=0)
    nudged.layers[0].neurons[0].w[0].data += 0.5  # changed by hand, the biases still all 0
    assert "every bias is still exactly 0" in str(check("10.1", nudged))
    assert "never trained" in str(check("10.1", nn.Perceptron(2, seed=0)))
    X, y = nn.data.xor()
    trained = nn.Perceptron(2, seed=0)
    nn.fit(trained, X, y, loss="binary_cross_entropy", epochs=50, progress=False,
           optimizer=nn.Adam(trained.parameters(), lr=0.1))  # fmt: skip
    said = str(check("10.1", trained))  # trained but one line: judged on its accuracy
    assert "never trained" not in said and "accuracy 75%" in said, said


def test_11_1_says_what_went_wrong_with_a_learning_rate():
    import warnings

    import nn

    with warnings.catch_warnings():
        warnings.simplefilter("error", nn.TrainingWarning)  # the judge keeps its runs quiet
        right = check("11.1", 0.2)
        diverged = str(check("11.1", 1.0))
        dead = str(check("11.1", 0.5))
        slow = str(check("11.1", 0.1))
    assert right.ok and "fit said nothing" in str(right)
    assert diverged.startswith("✗") and "the cost J diverged at epoch" in diverged, diverged
    assert dead.startswith("✗") and "did not diverge" in dead and "dead neurons" in dead, dead
    assert slow.startswith("✗") and "healthy but slow" in slow and "accuracy 87%" in slow, slow
    assert "must be > 0" in str(check("11.1", 0))
    assert check("11.1", "0.2").ok is False


def test_11_2_knows_the_fewest_vanishing_layers_without_giving_them():
    from viz.exercises import _vanishing_ratio

    fewest = next(k for k in range(1, 21) if _vanishing_ratio(k)[1])
    assert check("11.2", fewest).ok
    too_few = str(check("11.2", fewest - 1))
    assert too_few.startswith("✗") and "not the 1,000 times" in too_few, too_few
    deeper = next(k for k in range(fewest + 1, 21) if _vanishing_ratio(k)[1])
    too_many = str(check("11.2", deeper))
    assert too_many.startswith("✗") and "vanishes with fewer too" in too_many, too_many
    assert f" {fewest} " not in too_few + too_many  # the answer is not in the messages
    for bad in (0, 2.5, -3):
        assert "is not a number of hidden layers" in str(check("11.2", bad))
    assert "try fewer" in str(check("11.2", 100))


def test_11_3_counts_layer_2_and_names_the_usual_mix_ups():
    from nn.diagnoses import activity
    from viz.exercises import _dead_relu_net, _failing_moons

    first, second = (len(a.dead) for a in activity(_dead_relu_net(), _failing_moons()[0]))
    assert first != second and 0 < second < 16  # the mix-ups below are told apart
    assert check("11.3", second).ok
    assert "layer 1's count" in str(check("11.3", first))
    assert "still alive" in str(check("11.3", 16 - second))
    assert "both hidden layers" in str(check("11.3", first + second))
    assert str(check("11.3", 99)).startswith("✗ 11.3 not yet: 99 is not")


def test_12_1_trains_the_feature_and_says_what_it_did():
    from viz.exercises import _xor_neuron

    assert check("12.1", "x1*x2").ok and check("12.1", ("x1*x2",)).ok
    for wrong in ("x1", "x1^2", "sin(x2)"):
        said = str(check("12.1", wrong))
        got = _xor_neuron(wrong).history.val_accuracy[-1]
        assert said.startswith("✗") and f"with {wrong} the test accuracy is {got:.0%}" in said
        assert "x1*x2" not in said.split("Hint:")[0]  # the answer is not in the message
    assert "not one of the playground's features" in str(check("12.1", "x3"))
    assert "expected one feature name (a str), got tuple" in str(check("12.1", ("x1", "x2")))
    assert "got int 3" in str(check("12.1", 3))
    assert check("12.1", ...).ok is None


def test_12_2_accepts_any_features_that_learn_the_circles():
    assert check("12.2", ("x1^2", "x2^2")).ok
    assert check("12.2", ["x1", "x2", "x1^2", "x2^2"]).ok  # more features, still a circle
    line = str(check("12.2", ("x1", "x2")))
    assert line.startswith("✗") and "test accuracy is 50%" in line and "a line" in line, line
    half = str(check("12.2", ("x1^2",)))
    assert half.startswith("✗") and "not a closed curve" in half, half
    assert "names a feature twice" in str(check("12.2", ("x1", "x1")))
    assert "not one of the playground's features" in str(check("12.2", ("x1", "z")))
    assert "expected a tuple of feature names" in str(check("12.2", 7))


def test_12_3_explains_too_little_and_too_much_l2():
    from viz.exercises import _overfit_run

    right = check("12.3", 0.02)
    assert right.ok and "the gap is" in str(right)
    none = str(check("12.3", 0))
    h = _overfit_run(0.0)
    assert none.startswith("✗") and "still overfitting" in none
    assert f"test cost {h.val_cost[-1]:.3f} ({h.val_accuracy[-1]:.0%})" in none, none
    assert "nearly closed" in str(check("12.3", 0.01))  # the chapter's λ: gap small, 80%
    assert "Less L2" in str(check("12.3", 0.05))  # the outputs lean toward 50/50
    assert "says 50/50 everywhere" in str(check("12.3", 0.5))
    assert "must be ≥ 0" in str(check("12.3", -0.1))
    assert "expected a number" in str(check("12.3", "0.02"))


def test_13_2_tells_a_score_or_a_count_from_1_from_the_digit():
    def largest_score(scores):
        return max(scores)

    def from_one(scores):
        return scores.index(max(scores)) + 1

    def largest_size(scores):  # the largest |Z|: wrong where a negative score is the largest
        return max(range(10), key=lambda k: abs(scores[k]))

    assert check("13.2", lambda scores: scores.index(max(scores))).ok
    assert "the largest score itself" in str(check("13.2", largest_score))
    assert "positions count from 0" in str(check("13.2", from_one))
    said = str(check("13.2", largest_size))
    assert said.startswith("✗") and "it returned" in said and "the network predicts" in said
    assert "not an int" in str(check("13.2", lambda scores: str(max(scores))))


def test_13_3_reads_the_columns_of_the_confusion_matrix():
    from viz.exercises import _digits_confusion

    matrix = _digits_confusion()
    said = [sum(matrix[t][p] for t in range(10) if t != p) for p in range(10)]
    missed = [sum(matrix[t]) - matrix[t][t] for t in range(10)]
    assert sum(said) == sum(missed) > 0  # every mistake is in one row and one column
    right = said.index(max(said))
    assert check("13.3", right).ok and f"it wrongly says {right} {max(said)} times" in str(
        check("13.3", right)
    )
    rows_only = [d for d in range(10) if missed[d] == max(missed) and said[d] < max(said)]
    for digit in rows_only:  # the digits most often misread, but not most often said
        assert "its row" in str(check("13.3", digit))
    assert "not a digit" in str(check("13.3", 10))


def test_14_1_and_14_2_count_epochs_from_1():
    from viz.exercises import _memorised, _stopped

    h = _memorised()
    best = h.val_cost.index(min(h.val_cost)) + 1
    assert 1 < best < len(h) and h.val_cost[-1] > min(h.val_cost)  # the test cost rose again
    assert check("14.1", best).ok
    assert "epochs count from 1" in str(check("14.1", best - 1))
    assert "not an epoch of this run" in str(check("14.1", len(h) + 1))
    stopped = _stopped()
    kept = stopped.val_cost.index(min(stopped.val_cost)) + 1
    assert len(stopped) == kept + 5 < 60  # patience 5 stopped it early
    assert check("14.2", (len(stopped), kept)).ok
    assert "swapped" in str(check("14.2", (kept, len(stopped))))
    assert "not the last" in str(check("14.2", (len(stopped), len(stopped))))
    assert "expected a pair" in str(check("14.2", 3))


def test_14_3_halving_the_errors_needs_more_images():
    from viz.exercises import _test_error_cached

    base = _test_error_cached(100)
    assert 0.1 < base < 0.3  # about one test image in five wrong, as the chapter says
    said = str(check("14.3", 100))
    assert said.startswith("✗") and "not yet half" in said and f"{base:.1%}" in said
    assert check("14.3", 800).ok and _test_error_cached(800) <= base / 2
    assert "whole number from 10" in str(check("14.3", 5))
    assert "whole number from 10" in str(check("14.3", 250.5))


def test_15_1_knows_torchs_gradient_and_the_usual_mix_ups(torch):
    import torch.nn.functional as F

    import nn

    X, y = nn.data.moons(100, noise=0.1, seed=0)
    net = nn.to_torch(nn.MLP(2, [16, 16, 1], seed=0))
    F.binary_cross_entropy_with_logits(
        net(torch.tensor(X, dtype=torch.float64)).squeeze(1), torch.tensor(y, dtype=torch.float64)
    ).backward()
    grad = net[2].weight.grad
    assert check("15.1", grad[3, 5].item()).ok and check("15.1", grad[3, 5]).ok
    assert "that is W2[5,3]" in str(check("15.1", grad[5, 3].item()))
    assert "the sum over the batch" in str(check("15.1", 100 * grad[3, 5].item()))
    assert "the weight W2[3,5] itself" in str(check("15.1", net[2].weight[3, 5].item()))
    assert "another layer's weight" in str(check("15.1", net[4].weight.grad[0, 5].item()))
    assert "a tensor of shape (16, 16)" in str(check("15.1", grad))
    said = str(check("15.1", ...)) + str(check("15.1", 0.5))
    assert f"{grad[3, 5].item():.4f}" not in said  # no answer in the messages


def test_15_2_runs_the_step_beside_gradsteps_and_says_what_is_missing(torch):
    import torch.nn.functional as F

    def cost(net, X, y):
        return F.binary_cross_entropy_with_logits(net(X).squeeze(1), y)

    def right(net, optimizer, X, y):
        optimizer.zero_grad()
        loss = cost(net, X, y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def no_zero_grad(net, optimizer, X, y):
        loss = cost(net, X, y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def no_step(net, optimizer, X, y):
        optimizer.zero_grad()
        loss = cost(net, X, y)
        loss.backward()
        return loss.item()

    def other_loss(net, optimizer, X, y):
        optimizer.zero_grad()
        loss = F.mse_loss(net(X).squeeze(1), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def wrong_return(net, optimizer, X, y):
        right(net, optimizer, X, y)
        return 0.0

    def blank(net, optimizer, X, y):
        ...

    assert check("15.2", right).ok
    assert "Call optimizer.zero_grad()" in str(check("15.2", no_zero_grad))
    assert "did not move" in str(check("15.2", no_step))
    assert "differ from gradstep's" in str(check("15.2", other_loss))
    assert "Return loss.item()" in str(check("15.2", wrong_return))
    assert check("15.2", blank).ok is None and "still blank" in str(check("15.2", blank))


# --- the index --------------------------------------------------------------------------------


def test_the_index_lists_every_chapter_and_only_pictures_the_course_makes():
    text = INDEX.read_text(encoding="utf-8")
    for path in CHAPTERS:
        assert f"course/{path.name}" in text, path.name
    made = {meta(c)["picture"] for p in CHAPTERS for c in load(p).cells if "picture" in meta(c)}
    shown = set(re.findall(r"\]\(img/([^)]+)\)", text))
    assert shown and shown <= made
    for name in shown:
        assert (ROOT / "docs" / "img" / name).stat().st_size > 1000
    on_disk = {p.name for p in (ROOT / "docs" / "img").iterdir()}
    assert on_disk <= made, f"pictures nobody makes: {on_disk - made}"
