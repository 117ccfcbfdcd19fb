"""The ``wheelfix`` command; ``main`` is the console-script entry point."""

from generator.cli.main import main

__all__ = ["main"]
