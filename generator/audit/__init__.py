"""``wheelfix audit``: pin files, targets, the resolver, judging and the report."""
