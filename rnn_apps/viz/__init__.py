"""Plots. Matplotlib runs headless (Agg); every function writes a PNG."""
