"""Package-index data: the client, its cache and config, and the parsed page."""
