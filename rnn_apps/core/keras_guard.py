"""Checks that the Keras internals a patch relies on still look as it expects.

The toolkit patches a few private parts of Keras: the recurrent layers'
``inner_loop`` (:mod:`rnn_apps.core.fast_rnn`), the TensorFlow trainer's
multi-worker reductions (:mod:`rnn_apps.core.keras_compat`) and
``BackupAndRestore._save_model`` (:mod:`rnn_apps.core.callbacks`). Each patch
owns a :class:`Guard`: before the patch is first used, the guard compares the
signatures and attributes the patch depends on with those of the Keras versions
it was tested with (``setup.cfg``'s range). When one differs, the patch stays
off, Keras' own code runs, and one note says so.
"""

from __future__ import annotations

import inspect
import warnings

from rnn_apps.errors import Note


class KerasInternalsNote(Note):
    """A patch of Keras internals is off: this Keras differs from the tested ones."""


def keras_version() -> str:
    """The installed Keras' ``major.minor``."""
    import keras

    return ".".join(keras.__version__.split(".")[:2])


def signature_problem(owner, name: str, expected: str) -> str | None:
    """None when ``owner.name``'s parameters read ``expected`` (e.g.
    ``"(self, x, training=False)"``, annotations ignored), else what differs."""
    label = f"{getattr(owner, '__name__', owner)}.{name}"
    function = getattr(owner, name, None)
    if function is None:
        return f"{label} is missing"
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return f"{label} has no readable signature"
    empty = inspect.Parameter.empty
    plain = signature.replace(
        parameters=[p.replace(annotation=empty) for p in signature.parameters.values()],
        return_annotation=empty)
    return None if str(plain) == expected else f"{label}{plain} is not {label}{expected}"


def attribute_problem(owner, *names: str) -> str | None:
    """None when ``owner`` has every attribute in ``names``, else the first missing."""
    label = owner.__name__ if isinstance(owner, type) else type(owner).__name__
    missing = [name for name in names if not hasattr(owner, name)]
    return f"{label} has no {missing[0]}" if missing else None


def calls_problem(owner, name: str, called: str) -> str | None:
    """None when the code of ``owner.name`` refers to ``called`` (a method or
    attribute it uses), else that it no longer does."""
    code = getattr(getattr(owner, name, None), "__code__", None)
    if code is None or called not in code.co_names:
        return f"{getattr(owner, '__name__', owner)}.{name} no longer uses {called}"
    return None


class Guard:
    """Whether one patch may run: ``checks()`` (run once, lazily) returns problems,
    ``None`` for each thing that is as expected. Any problem, or an exception
    while checking (a moved module), turns the patch off with one note."""

    def __init__(self, patch: str, checks):
        self.patch = patch
        self._checks = checks
        self._ok: bool | None = None

    def ok(self) -> bool:
        if self._ok is None:
            try:
                problems = [problem for problem in self._checks() if problem]
            except Exception as error:  # noqa: BLE001 - any failure means "not as tested"
                problems = [f"{type(error).__name__}: {error}"]
            if problems:
                self.refuse(problems[0])
            else:
                self._ok = True
        return self._ok

    def refuse(self, problem: str) -> None:
        """Turn the patch off (once, with one note), e.g. on a check made at use."""
        if self._ok is False:
            return
        self._ok = False
        warnings.warn(f"{self.patch} is off for Keras {keras_version()} ({problem}); "
                      "Keras' own code runs instead", KerasInternalsNote, stacklevel=3)

    def reset(self) -> None:
        """Check again at the next :meth:`ok` (for tests)."""
        self._ok = None
