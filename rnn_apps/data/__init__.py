"""Readers for the file formats users bring."""
