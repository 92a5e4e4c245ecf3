"""The reference interpreter: the second programmer of the double-programming check.

It walks the checked model subject by subject, written from docs/semantics.md as plainly
as possible. It imports only the model and the data: nothing of the other engines.
"""
