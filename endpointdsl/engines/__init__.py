"""Engines: three independent derivations of the checked model, which must agree byte for byte.

`python` generates a per-subject Python module and is its runtime; `sql` generates one
set-based SQL script and runs it in DuckDB; `reference` interprets the model directly,
as the second programmer. Each reads only the checked model (`check`) and the data
(`data`); no engine imports another.
"""
