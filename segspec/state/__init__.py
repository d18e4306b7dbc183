"""The state: what was submitted, job ids and statuses, and the outputs that came back."""
