"""`python -m endpointdsl`: the command line."""

from .cli import entry

entry()
