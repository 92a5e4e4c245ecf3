"""`endpointdsl report` (issue 15): one self-contained HTML page of a run, for the reviewer.

`content` holds what a page shows (the run's header, each endpoint's parts), `plots` the
Kaplan-Meier plots as PNG bytes, `tables` the summaries as HTML tables and `page` the page.
This package reads the checked model and data only: `api.report` runs the engine and hands
it the results (docs/report.md).
"""
