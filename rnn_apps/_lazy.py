"""Modules loaded on first use, so that importing a task class (for its defaults
and ``--help``) does not import TensorFlow."""

from __future__ import annotations

import importlib.util
import sys


def lazy_module(name: str):
    """``name`` as a module object that executes on its first attribute access."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module

