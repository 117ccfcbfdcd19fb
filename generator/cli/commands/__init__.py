"""One module per ``wheelfix`` subcommand; see generator/cli.py for the contract."""
