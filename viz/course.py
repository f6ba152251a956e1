"""The course's checked exercises, and the pictures the docs take from its notebooks.

In a chapter of the course (``docs/course``) an exercise cell ends with ``answer = ...``; the
cell after it calls :func:`check`, which says right or not yet, and why. A check holds no
answer key: it works the truth out with gradstep when you ask (the cost of these
predictions, the gradient ``backward()`` gives, where descent from your start ends) and
compares. Printing a check, or anything in this module, shows no answer.

>>> from viz.course import check
>>> check("1.1", ...)
… 1.1 not answered yet: replace the ... in the cell above with your answer. (Compute A = ...)
>>> check("1.1", 0.5)
✗ 1.1 not yet: ...
>>> bool(check("1.1", 0.5))
False

``python -m viz.course pictures`` runs every chapter and writes the pictures the docs show
(the cells whose metadata names a picture) into ``docs/img``.
"""

from __future__ import annotations

import base64
import html
import math
import numbers
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "EXERCISES",
    "Exercise",
    "NotAnswered",
    "Unexpected",
    "Verdict",
    "build_pictures",
    "check",
    "exercise",
]

#: Where a cell keeps the course's own metadata: ``{"exercise": "3.1"}`` or
#: ``{"picture": "loss_landscapes.png"}``.
METADATA = "gradstep"


class Verdict:
    """What :func:`check` says: right (``ok`` True), not yet (False), or not answered (None).

    Truthy only when right. It shows itself: a line of text, or a coloured box in Jupyter.
    """

    __slots__ = ("exercise", "ok", "message")

    def __init__(self, exercise: str, ok: bool | None, message: str) -> None:
        self.exercise = exercise
        self.ok = ok
        self.message = message

    def __bool__(self) -> bool:
        return self.ok is True

    @property
    def _mark(self) -> tuple[str, str, str]:
        if self.ok is None:
            return "…", "not answered yet", "#868e96"
        return ("✓", "right", "#2b8a3e") if self.ok else ("✗", "not yet", "#c92a2a")

    def __repr__(self) -> str:
        mark, word, _ = self._mark
        return f"{mark} {self.exercise} {word}: {self.message}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        mark, word, colour = self._mark
        return (
            f'<div class="gradstep-verdict" style="border-left:4px solid {colour};'
            f"padding:4px 10px;background:#f8f9fa;font-family:system-ui,sans-serif;"
            f'font-size:14px"><b style="color:{colour}">{mark} {html.escape(self.exercise)} '
            f"{word}</b> &mdash; {html.escape(self.message)}</div>"
        )


@dataclass(frozen=True)
class Exercise:
    """One exercise: what is asked, how an answer is judged, and the hint for a miss.

    ``judge(answer)`` returns ``(right, message)``: why it is right, or what is off. It
    may raise :class:`Unexpected` to say the answer has the wrong form.
    """

    id: str
    task: str
    hint: str
    judge: Callable[[Any], tuple[bool, str]]


class Unexpected(Exception):
    """An answer of the wrong form (a list where a number was asked, say); its text says so."""


class NotAnswered(Exception):
    """The answer is still the blank it started as (a function whose body is ``...``)."""


#: Every exercise of the course, by id ("chapter.number").
EXERCISES: dict[str, Exercise] = {}


def exercise(
    id: str, task: str, hint: str
) -> Callable[[Callable[[Any], tuple[bool, str]]], Callable[[Any], tuple[bool, str]]]:
    """Register the decorated function as the judge of exercise ``id``."""

    def register(judge: Callable[[Any], tuple[bool, str]]) -> Callable[[Any], tuple[bool, str]]:
        if id in EXERCISES:
            raise ValueError(f"exercise {id!r} is defined twice")
        EXERCISES[id] = Exercise(id, task, hint, judge)
        return judge

    return register


def check(exercise_id: str, answer: Any) -> Verdict:
    """Judge ``answer`` to exercise ``exercise_id``; never raises, whatever the answer.

    >>> check("no-such-exercise", 1)
    ✗ no-such-exercise not yet: there is no exercise 'no-such-exercise' (known: 1.1, ...)
    """
    _load()
    found = EXERCISES.get(exercise_id) if isinstance(exercise_id, str) else None
    if found is None:
        known = ", ".join(sorted(EXERCISES, key=_id_key))
        return Verdict(
            str(exercise_id), False, f"there is no exercise {exercise_id!r} (known: {known})"
        )
    if answer is ... or answer is None:
        return Verdict(
            exercise_id,
            None,
            f"replace the ... in the cell above with your answer. ({found.task})",
        )
    try:
        ok, message = found.judge(answer)
    except NotAnswered as e:
        return Verdict(exercise_id, None, f"{e} ({found.task})")
    except Unexpected as e:
        return Verdict(exercise_id, False, f"{e} Hint: {found.hint}")
    except Exception as e:  # the learner's own function failed: say so, politely
        return Verdict(
            exercise_id,
            False,
            f"your answer raised {type(e).__name__}: {e}. Hint: {found.hint}",
        )
    if ok:
        return Verdict(exercise_id, True, message)
    return Verdict(exercise_id, False, f"{message} Hint: {found.hint}")


def _id_key(exercise_id: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in exercise_id.split(".")]


def _load() -> None:
    # The exercises live in their own module, imported on first use.
    from . import exercises  # noqa: F401


# --- helpers for judges ---------------------------------------------------------------------


def is_blank(function: Any) -> bool:
    """Whether ``function`` is still the exercise's blank: a body of just ``...`` (or pass).

    >>> def todo(x):
    ...     ...
    >>> def done(x):
    ...     return x
    >>> is_blank(todo), is_blank(done)
    (True, False)
    """
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    # A blank body only loads a constant (None, ..., its docstring) and returns it.
    import dis

    plain = {"RESUME", "NOP", "CACHE", "LOAD_CONST", "POP_TOP", "RETURN_VALUE", "RETURN_CONST"}
    for instruction in dis.get_instructions(code):
        if instruction.opname not in plain:
            return False
        value = instruction.argval
        if instruction.opname == "LOAD_CONST" and not (
            value is None or value is Ellipsis or isinstance(value, str)
        ):
            return False
    return True


def call(function: Any, *args: Any) -> Any:
    """``function(*args)``; :class:`NotAnswered` while it is a blank, :class:`Unexpected` if
    it is not a function or returns nothing."""
    if not callable(function):
        raise Unexpected(f"expected a function, got {type(function).__name__} {function!r}.")
    name = getattr(function, "__name__", "your function")
    if is_blank(function):
        raise NotAnswered(f"{name} is still blank: write its body.")
    result = function(*args)
    if result is None:
        raise Unexpected(f"{name} returned None: did it forget a return?")
    return result


def number(answer: Any, what: str = "a number") -> float:
    """The answer as a float (a Value counts by its data); :class:`Unexpected` otherwise."""
    from autograd import Value

    if isinstance(answer, Value):
        answer = answer.data
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Unexpected(f"expected {what}, got {type(answer).__name__} {answer!r}.")
    value = float(answer)
    if not math.isfinite(value):
        raise Unexpected(f"expected a finite number, got {value!r}.")
    return value


def close(got: float, want: float, tolerance: float) -> bool:
    """Whether ``got`` is within ``tolerance`` of ``want`` (absolutely, or relatively)."""
    return abs(got - want) <= tolerance * max(1.0, abs(want))


# --- pictures for the docs ----------------------------------------------------------------


def build_pictures(course: Path, out: Path, timeout: int = 120) -> list[Path]:
    """Run every notebook in ``course`` and save its picture cells' outputs into ``out``.

    A cell whose metadata has ``{"gradstep": {"picture": "name.png"}}`` gives its PNG (or,
    for ``.svg``, its SVG) output. Needs nbclient and a Jupyter kernel (the ``course`` extra).
    """
    import nbformat
    from nbclient import NotebookClient

    chapters = sorted(course.glob("*.ipynb"))
    if not chapters:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {course}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(course)}}).execute()
        for cell in nb.cells:
            name = cell.get("metadata", {}).get(METADATA, {}).get("picture")
            if not name:
                continue
            mime = "image/svg+xml" if name.endswith(".svg") else "image/png"
            data = [o["data"][mime] for o in cell.get("outputs", []) if mime in o.get("data", {})]
            if len(data) != 1:
                raise RuntimeError(f"{path.name}: the cell for {name} gave {len(data)} {mime}")
            target = out / name
            if mime == "image/png":
                target.write_bytes(base64.b64decode(data[0]))
            else:
                target.write_text(data[0], encoding="utf-8")
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m viz.course pictures [COURSE_DIR [OUT_DIR]]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "pictures" or len(args) > 3:
        print("usage: python -m viz.course pictures [COURSE_DIR [OUT_DIR]]", file=sys.stderr)
        return 2
    course = Path(args[1]) if len(args) > 1 else Path("docs/course")
    out = Path(args[2]) if len(args) > 2 else course.parent / "img"
    for path in build_pictures(course, out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
