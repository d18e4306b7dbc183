"""The engine's operations: each owns the whole lifecycle of one command.

An operation takes the state lock, opens the state, does its work, folds the journal and
lets the lock go (`lifecycle.locked_state`, written once), and tells what happens through
typed events (`segspec.engine.events`). It never prints and knows nothing of terminals;
where a person must agree (apply, destroy) it calls the `approve` hook it was given.
"""
