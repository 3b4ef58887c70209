"""Where the data folders of the repository are: inside the installed wheel or in a checkout.

The wheel maps the top-level ``schemas/``, ``samples/invalid/`` and ``samples/diff/`` into the
package as ``validator/_schemas``, ``validator/_samples`` and ``validator/_diff-samples``
(pyproject.toml); an editable install or a
checkout reads them where they stand, so the repository keeps one copy of each.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["data_folder"]

_CHECKOUT = {"schemas": ("schemas",), "samples": ("samples", "invalid"),
             "diff-samples": ("samples", "diff")}


def data_folder(name: str) -> Any:
    """The folder ``name`` (``schemas``, ``samples``, ``diff-samples``) as a traversable,
    installed first."""
    installed = resources.files("validator") / f"_{name}"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent.joinpath(*_CHECKOUT[name])
