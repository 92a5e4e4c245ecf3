"""The compiled engine: the checked model to a readable Python module, and its runtime.

`generate` writes the module (tables, events, `ENDPOINTS`, a line map), `endpoint` and
`response` one `derive_<PARAMCD>(subject)` function each, with `emit`'s safe names and
literals. The module calls `runtime` and `runtime_response` (no pandas: one subject at a
time), naming every argument but what the call works on.
"""
