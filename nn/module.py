"""``Module``: the base of every model -- its parameters, names, and JSON save/load."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import sys
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from autograd import Value
from autograd.messages import brief, shorten

__all__ = ["Module", "path_of"]

FORMAT = "gradstep-model"
FORMAT_VERSION = 1


class Module:
    """A model made of parameters (``Value`` leaves) and sub-modules.

    Sub-classes store parameters and sub-modules as attributes -- single ones or lists --
    and implement ``__call__`` and ``config()`` (the keyword arguments that rebuild the
    architecture). Everything else comes from here. A model made of other modules calls
    :meth:`label_parameters` at the end of its ``__init__`` so that every view of its graphs
    names each parameter in the article's notation.

    >>> from nn import Neuron
    >>> n = Neuron(2, seed=0)
    >>> [name for name, _ in n.named_parameters()]
    ['w.0', 'w.1', 'b']
    >>> [p.label for p in n.parameters()]
    ['w[0]', 'w[1]', 'b']
    >>> n.num_parameters()
    3
    """

    #: Where ``nn.fit`` says a single output splits into two classes (None: not trained by
    #: fit yet; ``accuracy`` then decides from the output activation). Not a parameter.
    decision_threshold: float | None = None

    # --- parameters ---------------------------------------------------------------------

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """Every parameter with a stable, readable name like ``layers.0.neurons.3.w.1``.

        A parameter shared by two sub-modules is listed once, under its first name, so an
        optimizer never updates it twice.

        >>> from nn import Neuron
        >>> a, b = Neuron(1, seed=0), Neuron(1, seed=1)
        >>> b.w = a.w                   # tie the weights
        >>> class Pair(Module):
        ...     def __init__(self):
        ...         self.first, self.second = a, b
        >>> [name for name, _ in Pair().named_parameters()]
        ['first.w.0', 'first.b', 'second.b']
        """
        seen: set[Value] = set()
        for name, p in self._all_parameters(prefix):
            if p not in seen:
                seen.add(p)
                yield name, p

    def _all_parameters(self, prefix: str) -> Iterator[tuple[str, Value]]:
        for attr, item in vars(self).items():
            if attr.startswith("_"):
                continue
            yield from _named(item, prefix + attr)

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every sub-module, by path: ``layers.0.neurons.3``.

        >>> from nn import MLP
        >>> [name for name, _ in MLP(2, [1, 1]).named_modules()]
        ['', 'layers.0', 'layers.0.neurons.0', 'layers.1', 'layers.1.neurons.0']
        """
        yield prefix, self
        for attr, item in vars(self).items():
            if not attr.startswith("_"):
                yield from _modules(item, f"{prefix}.{attr}" if prefix else attr)

    def label_parameters(self, prefix: str = "") -> None:
        """Name every parameter, and every neuron's Z and A, in the article's notation.

        In a network, layers count from 1: ``W1[j,k]`` is layer 1's weight from input k to
        neuron j, ``b1[j]`` its bias, ``Z1[j]`` and ``A1[j]`` what the neuron computes; a lone
        neuron has ``w[k]``, ``b``, ``z`` and ``a``; a parameter of a model of your own is
        named by its attribute path. Then every view of a graph the model builds (tree, steps,
        the stepper, ``viz.draw``) speaks the chapters' language. ``Layer``, ``MLP`` and
        ``Neuron`` do it when they are made; a model holding them calls it at the end of its
        own ``__init__``; ``prefix`` (say ``"encoder"``) goes in front of every name.

        The module path (``layers.0.neurons.3.w.1``) stays each parameter's key for
        :meth:`named_parameters`, :meth:`state_dict` and saved files; :func:`path_of` gives
        it for a node (the views show it on hover).

        >>> from nn import MLP
        >>> model = MLP(2, [3, 1], seed=0)
        >>> model.layers[1].neurons[0].b.label, path_of(model.layers[1].neurons[0].b)
        ('b2[0]', 'layers.1.neurons.0.b')
        >>> z = model([1.0, 2.0])
        >>> z.label, path_of(z)
        ('Z2[0]', 'layers.1.neurons.0.z')
        """
        base = prefix.rstrip(".")
        dot = f"{base}." if base else ""
        self._name(dot, dot)
        for path, p in self.named_parameters(dot):  # the key a shared parameter is saved by
            _PATHS[p] = path

    def _name(self, name: str, path: str) -> None:
        """Label this module's parameters ``name`` + their attribute path (a model of your
        own); sub-modules name theirs in their own way. Subclasses with a notation of their
        own (Neuron, Layer, MLP) override it."""
        for attr, item in vars(self).items():
            if attr.startswith("_"):
                continue
            for sub, obj in _items(item, attr):
                if isinstance(obj, Module):
                    obj._name(f"{name}{sub}.", f"{path}{sub}.")
                elif isinstance(obj, Value):
                    obj.label = f"{name}{sub}"

    def parameters(self) -> list[Value]:
        """All parameters, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many scalars the model learns."""
        return sum(1 for _ in self.named_parameters())

    #: How many times a ``zero_grad()`` ran, a model's or an optimizer's: an optimizer's
    #: ``step()`` reads it to know the gradients were cleared since its last step.
    grad_clears: ClassVar[int] = 0

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0
        Module.grad_clears += 1

    # --- architecture -------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this architecture (JSON-able)."""
        raise NotImplementedError(f"{type(self).__name__} does not define config()")

    def __call__(self, x: Any) -> Any:
        """Run the model: calls ``forward(x)``, as in PyTorch, when the class defines it.

        >>> from autograd import Value
        >>> class Double(Module):
        ...     def __init__(self):
        ...         self.k = Value(2.0)
        ...     def forward(self, x):
        ...         return self.k * x
        >>> Double()(3.0).data
        6.0
        >>> Double()
        Double(1 parameter)
        """
        forward = getattr(self, "forward", None)
        if forward is None:
            raise NotImplementedError(
                f"{type(self).__name__} defines neither forward() nor __call__(): "
                "define forward(self, x) to say what the model computes"
            )
        return forward(x)

    # --- state ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Parameter name -> value (plain floats).

        >>> from nn import Neuron
        >>> Neuron(1, seed=0, activation="linear").state_dict().keys()
        dict_keys(['w.0', 'b'])
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every parameter from ``state``; on any problem raise ValueError, change nothing.

        The names must match exactly (no missing, no extra) and every value must be a finite
        real number.
        """
        if not isinstance(state, dict):
            raise ValueError(f"a state dict must be a dict, got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing = [n for n in params if n not in state]
        extra = [n for n in state if n not in params]
        if missing or extra:
            raise ValueError(
                f"state does not fit this {type(self).__name__}: "
                f"missing {_few(missing)}, unexpected {_few(extra)}"
            )
        values = {}
        for name, value in state.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"parameter {name!r} must be a number, got {brief(value)}")
            try:
                number = float(value)
            except OverflowError:  # a JSON integer beyond the float range
                number = math.inf
            if not math.isfinite(number):
                raise ValueError(f"parameter {name!r} must be finite, got {brief(value)}")
            values[name] = number
        for name, p in params.items():  # all checked: now it is safe to change the model
            p.data = values[name]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and parameters to ``path`` as JSON (never pickle).

        The file is replaced atomically, so a crash mid-save leaves the old file whole. It
        keeps its permissions (a private 0600 checkpoint stays private), a symlink is written
        through to its target and stays a link, and a temp file left by a killed save of the
        same file is removed.

        >>> import tempfile, os
        >>> from nn import MLP
        >>> model = MLP(2, [3, 1], seed=1)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> model.save(path)
        >>> twin = MLP(2, [3, 1], seed=2)
        >>> twin.load(path)
        >>> twin([0.5, -1.0]).data == model([0.5, -1.0]).data
        True
        """
        state = self.state_dict()
        for name, value in state.items():
            if not math.isfinite(value):
                raise ValueError(
                    f"parameter {name!r} is {value!r}: a model with non-finite parameters is "
                    f"not saved, and {os.fspath(path)!r} was left as it was (training "
                    "diverged? a smaller learning rate, or detect_anomaly(), finds where)"
                )
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "model": type(self).__name__,
            "config": self.config(),
            "parameters": state,
        }
        text = json.dumps(document, indent=1, allow_nan=False)  # fails before any file is touched
        _write_atomically(Path(path), text)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Load parameters saved by :meth:`save` into this model, after checking the file.

        A file that is not valid JSON, is not a gradstep model, describes another
        architecture, or holds non-finite numbers raises ValueError naming the file; the model
        is unchanged. Values from the file are shortened in messages: it may hold anything.
        """
        where = os.fspath(path)
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f, parse_constant=_reject_constant)
        except UnicodeDecodeError as e:
            raise ValueError(f"{where!r} is not a text file: {e}") from None
        except json.JSONDecodeError as e:
            raise ValueError(f"{where!r} is not valid JSON: {e}") from None
        except RecursionError:
            raise ValueError(
                f"{where!r} is not a model file: its JSON is nested too deeply"
            ) from None
        except ValueError as e:  # a number too long for Python, NaN/Infinity, ...
            raise ValueError(f"{where!r} is not a valid model file: {shorten(str(e))}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError(f"{where!r} is not a gradstep model file")
        if document.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"{where!r} has format version {brief(document.get('version'))}; "
                f"this gradstep reads version {FORMAT_VERSION}"
            )
        kind, config = document.get("model"), document.get("config")
        if kind != type(self).__name__ or _architecture(config) != _architecture(self.config()):
            raise ValueError(
                f"{where!r} holds a {shorten(kind, 60) if isinstance(kind, str) else brief(kind)} "
                f"with {brief(config)}, "
                f"but this model is a {type(self).__name__} with {self.config()}"
            )
        parameters = document.get("parameters")
        if not isinstance(parameters, dict):
            raise ValueError(f"{where!r} has no parameters (a JSON object of name -> number)")
        try:
            self.load_state_dict(parameters)
        except (ValueError, TypeError, KeyError) as e:  # also from a subclass's override
            # Which file is the first thing to know; the state dict's own message says why.
            raise ValueError(f"{where!r}: {shorten(str(e), 500)}") from None

    # --- display --------------------------------------------------------------------------

    def __repr__(self) -> str:
        try:
            config = self.config()
        except NotImplementedError:  # a model of your own without config(): say its size
            n = self.num_parameters()
            return f"{type(self).__name__}({n} parameter{'s' if n != 1 else ''})"
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"


#: Each labelled parameter's module path, for :func:`path_of` (weak: never keeps a model
#: alive), and the paths of the labels neurons give their Z and A.
_PATHS: weakref.WeakKeyDictionary[Value, str] = weakref.WeakKeyDictionary()
_LABEL_PATHS: dict[str, str] = {}


def path_of(node: Value) -> str | None:
    """The module path of a model's parameter, or of a neuron's Z or A (by its label): the key
    ``state_dict()`` and saved files use, and what the views show on hover. None for a node
    that no model named.

    >>> from nn import Neuron
    >>> n = Neuron(2, seed=0)
    >>> [(w.label, path_of(w)) for w in n.w]
    [('w[0]', 'w.0'), ('w[1]', 'w.1')]
    """
    path = _PATHS.get(node)
    if path is None and node.op is not None:
        path = _LABEL_PATHS.get(node.label)
    return path


def _items(item: Any, name: str) -> Iterator[tuple[str, Any]]:
    """An attribute's Values and Modules with their paths (``neurons.3`` in a list)."""
    if isinstance(item, (list, tuple)):
        for i, sub in enumerate(item):
            yield from _items(sub, f"{name}.{i}")
    else:
        yield name, item


def _named(item: Any, name: str) -> Iterator[tuple[str, Value]]:
    if isinstance(item, Value):
        yield name, item
    elif isinstance(item, Module):
        yield from item._all_parameters(name + ".")
    elif isinstance(item, (list, tuple)):
        for i, sub in enumerate(item):
            yield from _named(sub, f"{name}.{i}")


def _modules(item: Any, name: str) -> Iterator[tuple[str, Module]]:
    if isinstance(item, Module):
        yield from item.named_modules(name)
    elif isinstance(item, (list, tuple)):
        for i, sub in enumerate(item):
            yield from _modules(sub, f"{name}.{i}")


def _architecture(config: Any) -> Any:
    # How the weights were first drawn ("init", "bias") says nothing about the model's shape.
    if isinstance(config, dict):
        return {k: v for k, v in config.items() if k not in ("init", "bias")}
    return config


def _few(names: list[str]) -> str:
    if not names:
        return "none"
    shown = ", ".join(brief(n) for n in names[:3])  # names from a file can be anything
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new one, whole.

    The text goes to a new file beside the real target (a symlink, or a chain of them, is
    written through and stays a link), is flushed to disk, then renamed over the target (an
    atomic step on POSIX and Windows). The new file keeps the old one's permission bits. The
    temp file is ``.<name>.<32 hex digits>.tmp`` and locked while in use, so that the next save
    of the same file can tell one left by a killed save from one still being written.
    """
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops at a loop of links; replacing it would lose them
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), os.fspath(path))
    try:
        mode: int | None = os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        mode = None
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    # A new file gets 0o666 and the umask, like open(path, "w") -- not mkstemp's private 0o600.
    # Replacing a file: start private, then take its bits exactly (the umask would strip some).
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    fd = os.open(temporary, flags, 0o666 if mode is None else 0o600)
    try:
        try:
            _lock(fd)
            if mode is not None:
                os.chmod(fd if os.chmod in os.supports_fd else temporary, mode)
            with os.fdopen(fd, "w", encoding="utf-8", closefd=False) as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            if sys.platform != "win32":  # renamed while still locked: never taken for stale
                os.replace(temporary, target)
        finally:
            os.close(fd)
        if sys.platform == "win32":  # Windows renames no open file
            os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _remove_stale_temporaries(target)
    try:  # make the rename (and the tidying) durable where the platform allows it
        folder = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


def _lock(fd: int) -> bool:
    """Mark an open temp file as in use; False if another process already does.

    The lock ends with its process however that ends (SIGKILL too), so an unlocked temp file
    is one whose save died.
    """
    if sys.platform == "win32":  # Windows needs no mark: it deletes no file that is open
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by a live save (or the file system has no locks: leave it be)
        return False
    return True


def _remove_stale_temporaries(target: Path) -> None:
    """Delete the temp files of ``target`` that interrupted saves left; never another file."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{32}}\.tmp")
    try:
        with os.scandir(target.parent) as entries:
            stale = [
                e.path
                for e in entries
                if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False)
            ]
    except OSError:
        return
    for name in stale:
        try:
            if sys.platform == "win32":
                os.remove(name)  # refused while a live save holds it open
                continue
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                if _lock(fd):
                    os.remove(name)
            finally:
                os.close(fd)
        except OSError:
            pass  # tidying up never fails a save that has succeeded


def _reject_constant(name: str) -> None:
    raise ValueError(f"model files hold finite numbers only, found {name}")
