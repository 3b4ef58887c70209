"""``python -m validator`` runs the command line."""

from .cli import run

run()
