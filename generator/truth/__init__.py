"""Pure rules: pip-exact wheel verdicts, support statements and record claims."""
