"""Where the data folders of the repository are: inside the installed wheel or in a checkout.

The wheel maps the top-level ``schemas/``, ``samples/invalid/`` and ``samples/diff/`` into the
package as ``validator/_schemas``, ``validator/_samples`` and ``validator/_diff-samples``
(pyproject.toml); an editable install or a
checkout reads them where they stand, so the repository keeps one copy of each.
"""

from __future__ import annotations

import os

__all__ = ["data_folder"]

_CHECKOUT = {"schemas": ("schemas",), "samples": ("samples", "invalid"),
             "diff-samples": ("samples", "diff")}


def data_folder(name: str) -> str:
    """The folder ``name`` (``schemas``, ``samples``, ``diff-samples``), installed first."""
    # The package's own folder, as importlib.resources.files would give it for a package on
    # disk (without importing its zip readers, nor pathlib: start-up counts in a small lint).
    package = os.path.dirname(os.path.realpath(__file__))
    installed = os.path.join(package, f"_{name}")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(package), *_CHECKOUT[name])
