"""The engine: gathers facts, runs plans against a backend, keeps the state."""
