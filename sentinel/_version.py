"""The single source of the package version (read by hatchling and by ``sentinel --version``)."""

__version__ = "0.1.0"
