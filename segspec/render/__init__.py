"""Renderers: pure functions from plain data to the text users read."""
