"""The set-based engine: the checked model to one SQL script, run in DuckDB on whole tables.

`prepare` turns input tables into typed Arrow relations; `generate` writes the script
(subjects, event occurrences, results) with `endpoint`, `censoring` and `response` for
each endpoint, all through `writer`'s safe pieces of SQL; `run` executes it and gives the
same `RunResult` as the per-subject engines.
"""
