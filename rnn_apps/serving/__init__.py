"""``rnn-apps serve``: any saved model behind TensorFlow Serving's REST API,
with dynamic batching and request limits (FastAPI and uvicorn; install the
``serve`` extra)."""

from rnn_apps.serving.limits import Limits, RequestError

__all__ = ["Limits", "RequestError", "create_app", "load_servable"]


def __getattr__(name):
    if name == "create_app":
        from rnn_apps.serving.app import create_app

        return create_app
    if name == "load_servable":
        from rnn_apps.serving.servable import load_servable

        return load_servable
    raise AttributeError(name)
