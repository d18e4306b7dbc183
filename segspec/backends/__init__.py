"""Backends run jobs; all of them satisfy `segspec.backends.base.Backend`."""
