"""Build logs: text reading, the signature language, the matcher and diagnosis (stdlib only)."""
