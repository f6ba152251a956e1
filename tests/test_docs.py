"""Every Python code block in README.md and docs/*.md runs, so the docs cannot rot.

A document's blocks run in order in one namespace, like a REPL session read top to bottom.
Blocks written as a session (``>>>``) are checked as doctests; other blocks are run as
scripts. Everything runs in a temporary directory, so files the docs write go there.
"""

from __future__ import annotations

import doctest
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NEEDS_TORCH = {"pytorch.md"}  # the cheat sheet runs PyTorch beside gradstep
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 2, m.group(1)) for m in FENCE.finditer(text)]


@pytest.mark.filterwarnings("error::nn.TrainingWarning")  # the docs' runs are healthy
@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_code_block_runs(path, tmp_path, monkeypatch, request):
    if path.name in NEEDS_TORCH:
        request.getfixturevalue("torch")  # a skip without it; in CI a failure
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    blocks = python_blocks(path)
    assert blocks, f"{path.name} has no python blocks to check"
    namespace: dict = {"__name__": "__docs__"}
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for line, code in blocks:
        where = f"{path.name}:{line}"
        if code.lstrip().startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(code, namespace, where, str(path), line)
            report = io.StringIO()
            runner = doctest.DocTestRunner(optionflags=flags)
            runner.run(test, out=report.write, clear_globs=False)
            assert runner.failures == 0, f"{where}:\n{report.getvalue()}"
            namespace.update(test.globs)  # DocTest works on a copy; carry its names forward
        else:
            exec(compile(code, where, "exec"), namespace)


def test_readme_quickstart_has_exactly_two_one_line_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```bash\n(.*?)^```", quick, re.S | re.M)
    assert [c.count("\n") for c in commands] == [1, 1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # .ci/run runs it verbatim (followed only by its exit-status check)
    assert any(line.startswith(commands[1].strip() + " ") for line in ci.splitlines())
