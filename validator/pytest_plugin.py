"""pytest plugin: a ``stream_validator`` fixture, a marker, ini options and a save option.

Loaded at every pytest start-up once the package is installed (entry point ``pytest11``), so it
imports nothing heavy: the validator itself is imported when a test first uses the fixture.

    def test_stream(stream_validator, client):
        with client.stream("POST", "/v1/responses", json=body) as resp:
            stream_validator.assert_conformant(resp)

    @pytest.mark.stream_validator(profile="strict", ignore=["Q001"])
    def test_strict(stream_validator): ...
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["StreamValidatorFixture"]

MARKER = "stream_validator"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("stream-validator")
    group.addoption("--stream-validator-save", metavar="DIR", default=None,
                    help="save the streams of failing conformance assertions to DIR")
    parser.addini("stream_validator_profile", "profile for the stream_validator fixture "
                  "(default, strict, open-responses; openai = default)", default="default")
    parser.addini("stream_validator_ignore", "rules the stream_validator fixture ignores "
                  "(codes, prefixes or names)", type="args", default=[])
    parser.addini("stream_validator_select", "rules the stream_validator fixture runs "
                  "(default: all)", type="args", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(profile=None, select=None, ignore=None, kind=None): options of "
        "the stream_validator fixture for this test")


class StreamValidatorFixture:
    """What the ``stream_validator`` fixture gives a test: validation with the test's options."""

    def __init__(self, options: dict[str, Any], save_to: str | None, name: str) -> None:
        self.options = options
        self.save_to = save_to
        self.name = name

    def validate(self, source: Any, **overrides: Any) -> Any:
        """The :class:`~validator.StreamReport` of ``source`` (never raises on findings)."""
        from .api import validate_stream
        from .testing import _materialise

        return validate_stream(_materialise(source), **{**self.options, **overrides})

    def assert_conformant(self, source: Any, **overrides: Any) -> Any:
        """:func:`validator.testing.assert_conformant` with the test's options."""
        __tracebackhide__ = True
        from .testing import assert_conformant

        return assert_conformant(source, save_to=self.save_to, name=self.name,
                                 **{**self.options, **overrides})


@pytest.fixture
def stream_validator(request: pytest.FixtureRequest) -> StreamValidatorFixture:
    """Validate streams with the profile and rules set by ini options and the marker."""
    config = request.config
    options: dict[str, Any] = {"profile": config.getini("stream_validator_profile"),
                               "ignore": list(config.getini("stream_validator_ignore")),
                               "select": list(config.getini("stream_validator_select")) or None}
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        options.update({k: v for k, v in marker.kwargs.items() if v is not None})
    return StreamValidatorFixture(options, config.getoption("stream_validator_save"),
                                  request.node.nodeid)
