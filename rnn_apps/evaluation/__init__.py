"""Metrics per kind of output, and one report format."""
