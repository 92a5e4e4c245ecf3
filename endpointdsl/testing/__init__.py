"""test (issue 15): scenario files, their runner and the pytest plugin; the generated properties."""
