"""Clients for the object storage that state and outputs can live in (S3 protocol)."""
