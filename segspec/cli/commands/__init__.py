"""One module per command; each parses, calls one operation, renders, sets the exit code."""
