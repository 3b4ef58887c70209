"""Where the data folders of the repository are: inside the installed wheel or in a checkout.

The wheel maps the top-level ``schemas/``, ``samples/invalid/`` and ``samples/diff/`` into the
package as ``validator/_schemas``, ``validator/_samples`` and ``validator/_diff-samples``
(pyproject.toml); an editable install or a
checkout reads them where they stand, so the repository keeps one copy of each.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_folder"]

_CHECKOUT = {"schemas": ("schemas",), "samples": ("samples", "invalid"),
             "diff-samples": ("samples", "diff")}


def data_folder(name: str) -> Path:
    """The folder ``name`` (``schemas``, ``samples``, ``diff-samples``), installed first."""
    # The package's own folder, as importlib.resources.files would give it for a package on
    # disk (without importing its zip readers: start-up counts in a small lint).
    package = Path(__file__).resolve().parent
    installed = package / f"_{name}"
    if installed.is_dir():
        return installed
    return package.parent.joinpath(*_CHECKOUT[name])
