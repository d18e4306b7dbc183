"""The planner: a pure function from (desired jobs, state, gathered facts) to a Plan."""
