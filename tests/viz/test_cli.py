"""The ``gradstep demo`` command."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import warnings

import pytest

from nn import TrainingWarning
from viz.cli import demo, main


def test_demo_tells_the_story_and_reaches_100_percent_on_moons():
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)  # a healthy run: no diagnosis
        final = demo(progress=False, out=out)
    text = out.getvalue()
    assert final == 1.0
    perceptron, mlp = map(
        int, re.search(r"perceptron: (\d+)%.*hidden layer: (\d+)%", text).groups()
    )
    assert perceptron <= 75 and mlp == 100
    assert "training accuracy 100%" in text.split("\n\n")[0]
    costs = [float(c) for c in re.findall(r"cost J = ([\d.]+)", text)]
    assert len(costs) == 11 and costs[-1] < costs[0]


@pytest.mark.parametrize("dataset", ["circles", "xor", "linear", "blobs"])
def test_demo_other_datasets_run(dataset):
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        acc = demo(dataset=dataset, progress=False, out=out)
    assert 0.0 <= acc <= 1.0 and f"{dataset} points" in out.getvalue()


def test_command_line_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "viz", "demo", "--epochs", "2", "--quiet", "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "epoch    2" in proc.stdout


@pytest.mark.parametrize(
    "argv, message",
    [
        (["demo", "--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
        (["demo", "--epochs", "x"], "argument --epochs: expected a whole number, got 'x'"),
        (["demo", "--lr", "inf"], "argument --lr: must be a finite number > 0, got inf"),
        (["demo", "--lr", "nan"], "argument --lr: must be a finite number > 0, got nan"),
        (["demo", "--lr", "-1"], "argument --lr: must be a finite number > 0, got -1"),
        (["demo", "-n", "3"], "argument -n: must be at least 4, got 3"),
        (["demo", "--seed", "-2"], "argument --seed: must be at least 0, got -2"),
        (["--lr", "0"], "argument --lr: must be a finite number > 0, got 0"),
        (["demo", "--dataset", "spiral"], "argument --dataset: invalid choice: 'spiral'"),
    ],
)
def test_each_bad_flag_is_refused_before_training_with_its_own_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing trained, nothing printed
    assert "usage: gradstep demo" in captured.err and message in captured.err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    import autograd

    assert out.startswith(f"gradstep {autograd.__version__} (Python ")


def test_demo_out_writes_the_pictures(tmp_path):
    out = io.StringIO()
    demo(epochs=5, progress=False, out=out, out_dir=tmp_path / "pics")
    text = out.getvalue()
    names = ["neuron.svg", "network.svg", "backprop.html", "training.png", "decision_boundary.png"]
    for name in names:
        path = tmp_path / "pics" / name
        assert path.stat().st_size > 1000 and str(path) in text
    assert (tmp_path / "pics" / "training.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "pics" / "neuron.svg").read_text()
    assert "<svg" in svg and ">x1<" in svg and ">J<" in svg
    html = (tmp_path / "pics" / "backprop.html").read_text()
    assert 'class="gs-data"' in html and "http" not in html


def test_out_without_the_viz_extra_says_how_to_install(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name)
    )
    with pytest.raises(SystemExit):
        main(["demo", "--out", "pics"])
    err = capsys.readouterr().err
    assert "--out needs matplotlib" in err and 'pip install "gradstep[viz]"' in err


def test_out_flag_reaches_the_demo(tmp_path, capsys):
    assert main(["demo", "--epochs", "1", "--quiet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "backprop.html").exists() and "4. Pictures" in capsys.readouterr().out


# --- flags that used to fail after training, or never finish: refused up front ------------------


@pytest.fixture
def no_training(monkeypatch):
    """Make any training fail at once, so a refusal that comes too late fails the test
    promptly instead of training (or hanging on a trillion points)."""

    def trained(*args, **kwargs):
        raise AssertionError("the demo started training")

    monkeypatch.setattr("viz.cli.demo", trained)


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["demo", "--out", "/dev/null/x"],
            "argument --out: cannot create '/dev/null/x': '/dev/null' is not a directory",
        ),
        (["demo", "--lr", "1e300"], "argument --lr: must be at most 10, got 1e300"),
        (["demo", "--lr", "10.5"], "argument --lr: must be at most 10, got 10.5"),
        (["demo", "-n", "1000000000000"], "argument -n: must be at most 10000, got 1000000000000"),
        (["-n", "10001"], "argument -n: must be at most 10000, got 10001"),
    ],
)
def test_flags_that_cannot_work_are_refused_before_training(argv, message, capsys, no_training):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage: gradstep demo" in captured.err and message in captured.err
    assert "Traceback" not in captured.err


def test_out_naming_a_file_or_an_unwritable_place_is_refused(
    tmp_path, monkeypatch, capsys, no_training
):
    a_file = tmp_path / "pics"
    a_file.write_text("not a directory")
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--out", str(a_file)])
    assert exit_.value.code == 2
    assert f"argument --out: '{a_file}' is a file, not a directory" in capsys.readouterr().err

    # Root may write anywhere, so the permission is simulated: no write access to tmp_path.
    monkeypatch.setattr(os, "access", lambda path, mode: str(path) != str(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--out", str(tmp_path / "new" / "pics")])
    assert exit_.value.code == 2
    assert f"argument --out: '{tmp_path}' is not writable" in capsys.readouterr().err


def test_the_largest_accepted_values_reach_the_demo(monkeypatch, tmp_path):
    got = {}
    monkeypatch.setattr("viz.cli.demo", lambda *args, **kwargs: got.update(args=args, **kwargs))
    out = tmp_path / "new" / "pics"  # missing parents are fine: write_pictures makes them
    assert main(["demo", "--lr", "10", "-n", "10000", "--out", str(out)]) == 0
    assert got["args"][2:5] == (10.0, 0, 10000) and got["out_dir"] == str(out)


def test_demo_digits_trains_compiled_and_says_train_and_test_accuracy(capsys, tmp_path):
    from viz.cli import digits_demo

    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)  # a healthy run: silent
        _, test_acc = digits_demo(epochs=3, progress=False, out=out, out_dir=tmp_path)
    text = out.getvalue()
    assert "1347 to train on, 450 held out to test" in text
    assert re.search(r"epoch    3   cost J = \d\.\d+   train accuracy = \d+\.\d%   test", text)
    assert f"test accuracy {test_acc:.1%}" in text and test_acc > 0.9
    for name in ("history", "confusion", "test_images", "weights"):
        assert (tmp_path / f"digits_{name}.png").stat().st_size > 1000


def test_demo_digits_without_scikit_learn_says_how_to_install(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real(name, *a)
    )
    with pytest.raises(SystemExit) as stop:
        main(["demo", "--dataset", "digits"])
    assert stop.value.code == 2
    assert 'pip install "gradstep[data]"' in capsys.readouterr().err
