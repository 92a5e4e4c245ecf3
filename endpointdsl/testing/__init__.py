"""Testing a user's own definitions (issue 15): scenario files, their runner and the pytest
plugin (endpointdsl.pytest_plugin, layer 5); generated properties (`properties`), drawn on subject histories made from the
definition's tables, columns and conditions (`histories`) and judged by a small reading of the
model of its own (`oracle`)."""
