"""wheelfix: a knowledge base of Python install and build failures, and its generator.

The package is split one module per concept (records, environments, index,
wheels, claims, signatures, diagnose, audit, views, render); the MkDocs plugin
and the command line are thin adapters over them.  Importing this package does
no I/O and imports nothing heavy, so that ``wheelfix explain`` starts fast.
"""

__version__ = "0.1.0"

#: Where the project lives; used in the User-Agent and "edit this record" links.
REPOSITORY_URL = "https://github.com/wheelfix/wheelfix"
