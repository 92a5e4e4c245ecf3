"""Criteria: the response criteria sets shipped with the package, as .ept files (issue 13)."""
