"""Every Python code block in README.md and docs/*.md runs, so the docs cannot rot.

Blocks written as a REPL session (``>>>``) are checked as doctests; other blocks are run as
scripts, in a temporary directory so files they write do not litter the checkout.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks():
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text[: match.start()].count("\n") + 2
            yield pytest.param(path, match.group(1), line, id=f"{path.name}:{line}")


@pytest.mark.parametrize("path, code, line", list(blocks()))
def test_code_block_runs(path, code, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if code.lstrip().startswith(">>>"):
        parser = doctest.DocTestParser()
        test = parser.get_doctest(code, {}, f"{path.name}:{line}", str(path), line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        result = runner.summarize(verbose=False)
        assert result.failed == 0, f"{path.name}:{line}: {result.failed} example(s) failed"
    else:
        exec(compile(code, f"{path.name}:{line}", "exec"), {"__name__": "__docs__"})


def test_readme_quickstart_has_exactly_two_one_line_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^```bash\n(.*?)^```", quick, re.S | re.M)
    assert [c.count("\n") for c in commands] == [1, 1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci.splitlines()
