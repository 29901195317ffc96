"""Exceptions the toolkit raises for problems the user can fix.

The CLI turns every :class:`RnnAppsError` into a one-line message and a
non-zero exit status; from Python they are ordinary ``ValueError``s.
"""


class RnnAppsError(ValueError):
    """Base class for errors caused by input, settings or model directories."""


class DataError(RnnAppsError):
    """The data given to a task cannot be used (missing, malformed, empty...)."""


class ModelDirError(RnnAppsError):
    """A directory is not a saved rnn-apps model of the expected task."""


class NotFittedError(RnnAppsError, AttributeError):
    """A method that needs a trained model was called before ``fit``."""


class Note(UserWarning):
    """Something the user should hear about that is not an error (input that
    was cut, unknown tokens, a setting that had no effect); the CLI prints each
    as one ``note:`` line."""


def first_line(error) -> str:
    """The first line of an error's message (its type name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
