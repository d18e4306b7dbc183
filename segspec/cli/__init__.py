"""Command-line interface: parse arguments, call the core, render, return an exit code."""
