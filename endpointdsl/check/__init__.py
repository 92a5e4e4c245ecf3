"""Check: the syntax tree to the checked model, reporting every problem of a file at once.

`checker` checks the file (declarations, tables, events, variants, endpoints reading each
other), `endpoint` one endpoint block and `response` the clauses of response and
incidence endpoints; `names`, `dates`, `conditions` and `operands` are the parts they share,
`scope` what they all read and report to. `model` is the result: the one interface every
engine reads, with the vocabulary (units, RECIST responses, codes). `usage` derives from
the model what each input table is used for.
"""
