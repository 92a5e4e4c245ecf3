"""The driver: the Python API's parts, one concern a module (endpointdsl.api is their face)."""
