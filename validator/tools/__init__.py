"""Maintainer commands (``python -m validator.tools.NAME``); not part of the public API."""
