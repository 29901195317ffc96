"""The package version, in the lowest layer so that any module can read it
without importing the package ``__init__`` (``setup.cfg`` reads it from here)."""

__version__ = "0.1.0"
