"""`python -m endpointdsl.cli`: the command line, as `python -m endpointdsl` and the console script."""

from . import entry

entry()
