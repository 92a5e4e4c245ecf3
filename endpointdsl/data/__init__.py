"""Data: the tables and values every engine reads, and the files a run reads and writes.

The lowest layer: it imports nothing of the package but itself. What a cell is
(`values`), what an engine gives per subject (`records`), dates in their formats, reading
tables (`read`, `csvtext`), whole tables to ADTTE and report (`tables`), the summary of
rates, and the outputs (`write`, `writeset`, `manifest`).
"""
