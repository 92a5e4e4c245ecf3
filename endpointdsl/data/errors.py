"""The error of input tables that cannot be used at all."""


class DataError(Exception):
    """Input tables cannot be used at all (missing file, missing column, bad key)."""
