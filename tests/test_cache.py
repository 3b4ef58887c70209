"""The persistent cache of compiled schema predicates (``validator.cache``).

What a user expects of a tool's cache: it never changes a result, a stale entry is never used,
it survives corruption, concurrent writers and an unwritable folder, it can be turned off, and
it does not grow without bound.  A run's use of it shows as the generated sources it compiles
(the ``compile`` audit events of predicate sources): none when every predicate comes from it.
"""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

from validator import cache, schemas
from validator.cache import ENV_DIR, ENV_OFF, MAX_PARSED, CodeCache, cache_folder, parsed_once

PROFILES = ("default", "strict", "open-responses")
STREAMS = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".sse", ".jsonl", ".json"))

#: Lints the files it is given under every profile; prints their findings and how many
#: generated sources it compiled.
_LINT = """
import json, re, sys
compiled = []
generated = re.compile(rb"def _[fs][0-9]+[(]v[)]:")  # a predicate, not a dataclass method
sys.addaudithook(lambda event, args: compiled.append(1) if event == "compile"
                 and isinstance(args[0], bytes) and generated.match(args[0]) else None)
from validator import validate_stream
found = {}
for profile in sys.argv[1].split(','):
    for path in sys.argv[2:]:
        with open(path, "rb") as stream:
            report = validate_stream(stream, name=path, profile=profile)
        found[profile + " " + path] = [v.to_dict() for v in report.violations]
print(json.dumps({"compiled": len(compiled), "found": found}))
"""


def _lint(paths: list[Path], env: dict[str, str], profiles: tuple[str, ...] = PROFILES) -> dict:
    argv = [sys.executable, "-c", _LINT, ",".join(profiles), *map(str, paths)]
    done = subprocess.run(argv, cwd=REPO, env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("predicates-*.marshal"))


def test_findings_are_the_same_with_and_without_the_cache_on_every_sample(tmp_path):
    env = {ENV_DIR: str(tmp_path)}
    off = _lint(STREAMS, {**env, ENV_OFF: "1"})
    assert _entries(tmp_path) == []
    cold = _lint(STREAMS, env)
    warm = _lint(STREAMS, env)
    assert off["compiled"] > 0 and cold["compiled"] == off["compiled"]
    assert warm["compiled"] == 0  # every predicate came from the cache
    assert warm["found"] == cold["found"] == off["found"]
    assert len(off["found"]) == len(STREAMS) * len(PROFILES)
    # One entry per profile and kind that ran.
    names = {p.name.rsplit("-", 1)[0] for p in _entries(tmp_path)}
    assert {"predicates-default-responses", "predicates-strict-chat",
            "predicates-open-responses-anthropic"} <= names
    assert len(names) == len(_entries(tmp_path))


def _one(name: str) -> list[Path]:
    return [SAMPLES / "valid" / name]


def test_a_corrupt_or_truncated_entry_is_ignored_and_rebuilt(tmp_path):
    env = {ENV_DIR: str(tmp_path)}
    clean = _lint(_one("text.sse"), env)
    whole = {entry: entry.read_bytes() for entry in _entries(tmp_path)}
    assert len(whole) == len(PROFILES)
    for cut in (lambda data: data[: len(data) // 2], lambda data: b"",
                lambda data: b"\x00garbage" * 100,
                lambda data: marshal.dumps(("another format", "key", {}))):
        for entry, data in whole.items():
            entry.write_bytes(cut(data))
        again = _lint(_one("text.sse"), env)
        assert again["found"] == clean["found"]
        assert again["compiled"] == clean["compiled"]  # nothing usable: compiled again
        assert {entry: entry.read_bytes() for entry in _entries(tmp_path)} == whole  # rewritten
    assert _lint(_one("text.sse"), env)["compiled"] == 0


def test_an_unwritable_or_missing_folder_falls_back_to_no_cache(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    clean = _lint(_one("text.sse"), {ENV_OFF: "1"})
    for folder in (blocker / "cache", blocker):  # cannot be created / cannot be written
        run = _lint(_one("text.sse"), {ENV_DIR: str(folder)})
        assert run["found"] == clean["found"] and run["compiled"] == clean["compiled"]
    missing = tmp_path / "not" / "there" / "yet"
    _lint(_one("text.sse"), {ENV_DIR: str(missing)})
    assert len(_entries(missing)) == len(PROFILES)  # created on first use


def test_the_default_folder_is_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_DIR, raising=False)
    monkeypatch.delenv(ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == str(tmp_path / "stream-validator")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder() == str(tmp_path / "home" / ".cache" / "stream-validator")
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "mine"))
    assert cache_folder() == str(tmp_path / "mine")
    monkeypatch.setenv(ENV_OFF, "0")
    assert cache_folder() == str(tmp_path / "mine")
    monkeypatch.setenv(ENV_OFF, "1")
    assert cache_folder() is None


def test_lint_no_cache_neither_reads_nor_writes(tmp_path):
    env = {**os.environ, ENV_DIR: str(tmp_path)}
    sample = str(SAMPLES / "valid" / "text.sse")
    lint = [sys.executable, "-m", "validator", "lint", sample, sample, "--jobs", "2"]
    subprocess.run([*lint, "--no-cache"], cwd=REPO, env=env, check=True, capture_output=True)
    assert list(tmp_path.iterdir()) == []  # nor the parsed pyproject.toml (parsed_once)
    # Two workers writing the same entry at once: one whole entry, no temporary file left.
    subprocess.run(lint, cwd=REPO, env=env, check=True, capture_output=True)
    assert [p.name.rsplit("-", 1)[0] for p in sorted(tmp_path.iterdir())] == \
        ["configuration.marshal", "predicates-default-responses"]  # (REPO's pyproject.toml)
    assert _lint(_one("text.sse"), {ENV_DIR: str(tmp_path)}, ("default",))["compiled"] == 0


def _key(monkeypatch, profile: str = "default", kind: str = "responses") -> str:
    """The key of the entry of ``profile`` and ``kind`` as the checker derives it now."""
    docs = schemas._Documents(profile, kind)
    return CodeCache(f"{profile}-{kind}", schemas._derived_from(docs)).key


def test_a_changed_schema_file_profile_or_version_gives_a_fresh_entry(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    key = _key(monkeypatch)
    assert len(key) == 16 and _key(monkeypatch) == key
    assert len({key, _key(monkeypatch, "strict"), _key(monkeypatch, "open-responses"),
                _key(monkeypatch, kind="chat")}) == 4
    entries = dict(schemas._entries())
    uri = schemas._uri("responses", "response.output_text.delta")
    with monkeypatch.context() as change:  # one schema file changed
        change.setattr(schemas, "_entries", lambda: {**entries, uri: entries[uri] + b" "})
        assert _key(monkeypatch) != key
    with monkeypatch.context() as change:  # the profile's edits changed
        change.setitem(schemas.EDIT_SETS, "openai", schemas.EDIT_SETS["openai"][:-1])
        assert _key(monkeypatch) != key
    with monkeypatch.context() as change:  # another release
        change.setattr(cache, "__version__", "0.0.0-other")
        assert _key(monkeypatch) != key
    with monkeypatch.context() as change:  # another Python
        change.setattr(sys, "version", "3.99.0 (another Python)")
        assert _key(monkeypatch) != key
    assert _key(monkeypatch) == key


def test_the_compilers_own_source_is_part_of_the_key(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    docs = schemas._Documents("default", "responses")
    parts = list(schemas._derived_from(docs))
    assert parts[0] == Path(schemas.__file__).read_bytes()
    assert parts[2:4] == [docs.uris[0].encode(), schemas._entries()[docs.uris[0]]]


def test_a_new_key_replaces_the_old_entry_and_an_entry_is_bounded(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    old = CodeCache("p-k", [b"schemas before"])
    old.compile("x = 1")
    cache.flush()
    other = CodeCache("p-other", [b"schemas before"])
    other.compile("x = 2")
    cache.flush()
    assert len(_entries(tmp_path)) == 2
    new = CodeCache("p-k", [b"schemas after"])
    assert new.codes == {}  # the old entry is not this key's
    new.compile("x = 3")
    cache.flush()
    assert sorted(p.name for p in _entries(tmp_path)) == sorted(
        [os.path.basename(new.path), os.path.basename(other.path)])
    assert CodeCache("p-k", [b"schemas after"]).codes.keys() == {"x = 3"}
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 200)
    big = CodeCache("p-k", [b"schemas after"])
    for n in range(50):
        big.compile(f"x = {n}")
    cache.flush()
    assert os.path.getsize(big.path) < 200
    assert CodeCache("p-k", [b"schemas after"]).codes == {}  # started over


def test_a_cached_code_object_is_the_one_compile_gives(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    source = "def f(v):\n    return type(v) is str\n"
    first = CodeCache("p-k", [b"inputs"])
    code = first.compile(source)
    assert first.compile(source) is code
    cache.flush()
    loaded = CodeCache("p-k", [b"inputs"]).codes[source]
    assert marshal.dumps(loaded) == marshal.dumps(compile(source, "<string>", "exec"))


@pytest.mark.parametrize("off", ["1", "yes"])
def test_the_environment_turns_it_off(monkeypatch, tmp_path, off):
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    monkeypatch.setenv(ENV_OFF, off)
    off_cache = CodeCache("p-k", [b"inputs"])
    off_cache.compile("x = 1")
    cache.flush()
    assert list(tmp_path.iterdir()) == []


def _counted(value):
    """A parse that returns ``value`` and records the texts it was given."""
    calls = []

    def parse(text):
        calls.append(text)
        return value
    return parse, calls


def test_a_parsed_text_is_kept_by_its_exact_text(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    parse, calls = _counted({"profile": "strict", "select": ["I"], "n": 1.5, "on": True})
    assert parsed_once("a = 1", parse) == parsed_once("a = 1", parse) == parse("")
    assert parsed_once("a = 1 ", parse) is not None  # another text: parsed
    assert calls == ["a = 1", "", "a = 1 "]
    for text in map(str, range(MAX_PARSED + 1)):  # it keeps the last texts only
        parsed_once(text, parse)
    assert (tmp_path / "configuration.marshal").stat().st_size < 2000
    parsed_once("a = 1", parse)
    assert calls[-1] == "a = 1"


def test_what_fails_to_parse_or_cannot_be_kept_is_parsed_every_time(monkeypatch, tmp_path):
    import datetime

    monkeypatch.setenv(ENV_DIR, str(tmp_path))

    def broken(text):
        raise ValueError(text)
    for _ in range(2):
        with pytest.raises(ValueError):
            parsed_once("[tool", broken)
    parse, calls = _counted({"when": datetime.date(2026, 1, 1)})  # marshal cannot write it
    parsed_once("d = 2026-01-01", parse)
    parsed_once("d = 2026-01-01", parse)
    assert len(calls) == 2
    (tmp_path / "configuration.marshal").write_bytes(b"corrupt")
    parse, calls = _counted(None)
    assert parsed_once("x", parse) is None and parsed_once("x", parse) is None
    assert len(calls) == 1  # rewritten, then read
    monkeypatch.setenv(ENV_OFF, "1")
    parsed_once("x", parse)
    assert len(calls) == 2
