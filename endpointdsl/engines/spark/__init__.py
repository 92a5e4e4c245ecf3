"""Spark engine (issue 16): the SQL engine's script transpiled by sqlglot, run on pyspark."""
