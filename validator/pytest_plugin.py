"""pytest plugin: a ``stream_validator`` fixture, a marker, ini options and a save option.

Loaded at every pytest start-up once the package is installed (entry point ``pytest11``), so it
imports nothing heavy unless the project uses it: the validator itself is imported when a test
first uses the fixture, or at start-up to check the ini options and ``[tool.stream-validator]``
when they are set (a bad value is a usage error then, not a traceback in every test).

    def test_stream(stream_validator, client):
        with client.stream("POST", "/v1/responses", json=body) as resp:
            stream_validator.assert_conformant(resp)

    @pytest.mark.stream_validator(profile="strict", ignore=["Q001"])
    def test_strict(stream_validator): ...

Options are layered: ``[tool.stream-validator]`` of the rootdir's pyproject.toml, then the ini
options, then the marker, then the call's keyword arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["StreamValidatorFixture"]

MARKER = "stream_validator"
_INI = ("stream_validator_profile", "stream_validator_select", "stream_validator_ignore")
_BASE = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("stream-validator")
    group.addoption("--stream-validator-save", metavar="DIR", default=None,
                    help="save the streams of failing conformance assertions to DIR")
    parser.addini("stream_validator_profile", "profile for the stream_validator fixture "
                  "(default, strict, open-responses; openai = default)", default="")
    parser.addini("stream_validator_ignore", "rules the stream_validator fixture ignores "
                  "(codes, prefixes or names)", type="args", default=[])
    parser.addini("stream_validator_select", "rules the stream_validator fixture runs "
                  "(default: all)", type="args", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(profile=None, select=None, ignore=None, kind=None): options of "
        "the stream_validator fixture for this test")
    pyproject = config.rootpath / "pyproject.toml"
    try:
        project = "[tool.stream-validator" in pyproject.read_text("utf-8", "replace")
    except OSError:
        project = False
    if project or any(config.getini(name) for name in _INI):
        config.stash[_BASE] = _base_options(config, pyproject if project else None)


def _base_options(config: pytest.Config, pyproject: Any) -> dict[str, Any]:
    """The fixture's options from pyproject.toml and the ini options, checked."""
    from . import config as settings_file
    from .profiles import PROFILE_NAMES
    from .rules import resolve_selectors

    layers = []
    try:
        found = settings_file.load(pyproject.read_text("utf-8"), pyproject) if pyproject else None
    except (OSError, UnicodeDecodeError, settings_file.ConfigError) as exc:
        raise pytest.UsageError(f"stream-validator: {exc}") from None
    profile = (found or {}).get("profile", "default")
    if found:
        layers.append(found)
    if config.getini("stream_validator_profile"):
        profile = config.getini("stream_validator_profile")
        if profile not in PROFILE_NAMES:
            raise pytest.UsageError(f"stream_validator_profile = {profile}: expected one of "
                                    f"{', '.join(PROFILE_NAMES)}")
    ini = {"select": list(config.getini("stream_validator_select")),
           "ignore": list(config.getini("stream_validator_ignore"))}
    for key, values in ini.items():
        try:
            resolve_selectors(values)
        except ValueError as exc:
            raise pytest.UsageError(f"stream_validator_{key}: {exc}") from None
    layers.append(ini)
    return {"profile": profile, "layers": layers}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """With ``--stream-validator-save DIR``, every failing ``assert_conformant`` of the test —
    through the fixture or called directly — saves its stream in DIR."""
    directory = item.config.getoption("stream_validator_save")
    if directory is None:
        return (yield)
    from .testing import SAVE

    token = SAVE.set((directory, item.nodeid))
    try:
        return (yield)
    finally:
        SAVE.reset(token)


class StreamValidatorFixture:
    """What the ``stream_validator`` fixture gives a test: validation with the test's options."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    def validate(self, source: Any, **overrides: Any) -> Any:
        """The :class:`~validator.StreamReport` of ``source`` (never raises on findings)."""
        from .api import validate_stream
        from .testing import _materialise

        return validate_stream(_materialise(source), **{**self.options, **overrides})

    def assert_conformant(self, source: Any, **overrides: Any) -> Any:
        """:func:`validator.testing.assert_conformant` with the test's options."""
        __tracebackhide__ = True
        from .testing import assert_conformant

        return assert_conformant(source, **{**self.options, **overrides})


@pytest.fixture
def stream_validator(request: pytest.FixtureRequest) -> StreamValidatorFixture:
    """Validate streams with the profile and rules set by pyproject.toml, the ini options and
    the marker."""
    from .rules import as_selectors, layered_selection

    base = request.config.stash.get(_BASE, {"profile": "default", "layers": []})
    options: dict[str, Any] = {"profile": base["profile"]}
    layers = list(base["layers"])
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        given = {k: v for k, v in marker.kwargs.items() if v is not None}
        options.update({k: given[k] for k in ("profile", "kind") if k in given})
        layers.append({k: [given[k]] if isinstance(given[k], str) else list(given[k])
                       for k in ("select", "ignore") if k in given})
    options["select"], options["ignore"] = as_selectors(layered_selection(layers))
    return StreamValidatorFixture(options)
