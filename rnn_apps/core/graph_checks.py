"""The API's input rules, inside the exported graphs.

A SavedModel runs without the Python checks of the task classes, so its
signatures check their inputs themselves: a bad request fails with an
``InvalidArgumentError`` whose message says what is wrong, instead of an
obscure kernel error or a made-up answer. Each helper returns its input
behind the assertions (``tf.control_dependencies``), so nothing is computed
from an input before it has passed.
"""

from __future__ import annotations


def checked(value, *conditions):
    """``value`` once every ``(condition, message)`` holds."""
    import tensorflow as tf

    asserts = [tf.debugging.Assert(condition, [message]) for condition, message in conditions]
    with tf.control_dependencies(asserts):
        return tf.identity(value)


def texts(text, what: str = "text"):
    """A non-empty batch of texts, each with a non-space character and no NUL."""
    import tensorflow as tf

    blank = tf.equal(tf.strings.length(tf.strings.strip(text)), 0)
    return checked(text, (tf.size(text) > 0, f"the {what} batch is empty"),
                   (tf.logical_not(tf.reduce_any(blank)), f"a {what} is empty"),
                   no_nul(text, what))


def no_nul(strings, what: str):
    """The condition (and its message) that no string holds a NUL character."""
    import tensorflow as tf

    nul = tf.strings.regex_full_match(strings, "(?s).*\\x00.*")
    return tf.logical_not(tf.reduce_any(nul)), f"a {what} contains a NUL character"


def in_range(value, name: str, low, high):
    """A scalar from ``low`` to ``high`` (and finite, for floats)."""
    import tensorflow as tf

    ok = tf.logical_and(value >= low, value <= high)
    if value.dtype.is_floating:
        ok = tf.logical_and(ok, tf.math.is_finite(value))
    return checked(value, (ok, f"{name} must be from {low} to {high}"))


def finite(values, what: str):
    import tensorflow as tf

    return checked(values, (tf.size(values) > 0, f"the {what} batch is empty"),
                   (tf.reduce_all(tf.math.is_finite(values)),
                    f"the {what} holds NaN or infinite values"))


def size_is(value, axis: int, size: int, expected: str):
    """The condition that ``value`` has ``size`` along ``axis``, and a message
    ``"<expected>, got N"`` with the size the request had (computed in the graph)."""
    import tensorflow as tf

    actual = tf.shape(value)[axis]
    return tf.equal(actual, size), tf.strings.format(expected + ", got {}", actual)
