"""The package's version: pyproject.toml reads it here, and the generated code names it."""

__version__ = "0.1.0"
