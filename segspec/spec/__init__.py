"""Spec language: models, YAML loading with positions, normalization."""
