"""The pytest plugin and the assertion helpers, driven by pytest's own ``pytester``."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time

import pytest
from conftest import SAMPLES

from validator.testing import StreamConformanceError, assert_conformant, events_from_openai

pytest_plugins = ["pytester"]

VALID = SAMPLES / "valid" / "text.sse"
BROKEN = SAMPLES / "invalid" / "I003-item-id-mismatch.jsonl"


def test_assert_conformant_passes_and_returns_the_report():
    report = assert_conformant(VALID.read_bytes())
    assert report.is_conformant and report.output_text == "Hello, world!"


def test_assert_conformant_failure_message_points_at_the_event():
    with pytest.raises(StreamConformanceError) as info:
        assert_conformant(BROKEN.read_bytes(), name="broken.jsonl")
    message = str(info.value)
    assert "stream is not conformant: 1 error(s)" in message
    assert "broken.jsonl:6: I003 [error] item_id 'msg_0000" in message
    assert '"type":"response.output_text.delta"' in message
    assert info.value.report.errors == 1


def test_expect_asserts_exactly_those_codes():
    assert_conformant(BROKEN.read_bytes(), expect=["I003"])
    with pytest.raises(AssertionError, match=r"expected exactly the findings \['T001'\], "
                                             r"got \['I003'\]"):
        assert_conformant(BROKEN.read_bytes(), expect=["T001"])


def test_sources_chunks_events_and_openai_models():
    data = VALID.read_bytes()
    assert_conformant([data[:100], data[100:]])  # an iterable of byte chunks
    events = [json_event for json_event in assert_conformant(data).output]
    assert events[0]["type"] == "message"

    class Model:  # the shape of an openai SDK event: a pydantic model
        def __init__(self, payload):
            self.payload = payload

        def model_dump(self, **options):
            assert options["exclude_unset"] is True
            return self.payload

    dumped = events_from_openai([Model({"type": "keepalive"})])
    assert dumped == [{"type": "keepalive"}]


def test_save_writes_a_lintable_capture(tmp_path):
    with pytest.raises(StreamConformanceError) as info:
        assert_conformant(BROKEN.read_bytes(), save_to=tmp_path, name="tests/x.py::test_a")
    saved = info.value.saved
    assert saved.parent == tmp_path and saved.suffix == ".jsonl"
    assert saved.read_bytes() == BROKEN.read_bytes()
    assert f"stream-validator lint {saved}" in str(info.value)


PLUGIN_TESTS = f"""
import pytest
VALID = {str(VALID)!r}
BROKEN = {str(BROKEN)!r}

def test_ok(stream_validator):
    stream_validator.assert_conformant(open(VALID, "rb").read())

def test_broken(stream_validator):
    stream_validator.assert_conformant(open(BROKEN, "rb").read())

@pytest.mark.stream_validator(ignore=["I003"])
def test_marker_ignores(stream_validator):
    stream_validator.assert_conformant(open(BROKEN, "rb").read())
"""


def test_plugin_fixture_marker_and_failure_output(pytester):
    pytester.makepyfile(PLUGIN_TESTS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*stream is not conformant: 1 error(s)*",
                                 "*<stream>:6: I003 [[]error] item_id*"])
    assert "validator/testing.py" not in result.stdout.str()  # traceback hidden in the helper


def test_plugin_ini_options(pytester):
    pytester.makeini("[pytest]\nstream_validator_ignore = I003\n")
    pytester.makepyfile(PLUGIN_TESTS)
    pytester.runpytest().assert_outcomes(passed=3)


def test_plugin_profile_ini(pytester):
    pytester.makeini("[pytest]\nstream_validator_profile = open-responses\n")
    pytester.makepyfile(f"""
def test_needs_done(stream_validator):
    stream_validator.assert_conformant(open({str(VALID)!r}, "rb").read())
""")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*F006 [[]error]*"])


def test_plugin_save_option(pytester, tmp_path):
    pytester.makepyfile(PLUGIN_TESTS)
    pytester.runpytest("--stream-validator-save", str(tmp_path)).assert_outcomes(passed=2, failed=1)
    [saved] = tmp_path.iterdir()
    assert "test_broken" in saved.name and saved.read_bytes() == BROKEN.read_bytes()


def test_save_covers_direct_assert_conformant_calls_and_reproduces(pytester, tmp_path):
    pytester.makepyfile(f"""
import pytest
from validator.testing import assert_conformant

@pytest.mark.stream_validator(profile="strict", ignore=["Q001", "F006"])
def test_through_the_fixture(stream_validator):
    stream_validator.assert_conformant(open({str(BROKEN)!r}, "rb").read())

def test_called_directly():
    assert_conformant(open({str(BROKEN)!r}, "rb").read(), profile="open-responses")
""")
    result = pytester.runpytest("--stream-validator-save", str(tmp_path))
    result.assert_outcomes(failed=2)
    saved = sorted(tmp_path.iterdir())
    assert [p.name.rsplit(".py_", 1)[1] for p in saved] == [
        "test_called_directly.jsonl", "test_through_the_fixture.jsonl"]
    output = result.stdout.str()
    # The findings point at the saved capture's lines, not at a test name.
    assert f"{saved[1]}:6: I003 [error]" in output
    # Each failure's text shows once in its report and, where pytest does not truncate the
    # short summary (CI=true), once more there.
    commands = sorted(set(re.findall(r"reproduce with: (.*)", output)))
    assert len(commands) == 2
    for command in commands:
        argv = shlex.split(command)
        assert argv[:2] == ["stream-validator", "lint"]
        rerun = subprocess.run([sys.executable, "-m", "validator", *argv[1:], "--format", "json"],
                               capture_output=True, text=True, cwd=pytester.path)
        assert rerun.stdout, rerun.stderr
        [entry] = json.loads(rerun.stdout)["files"]
        expected = re.search(r"profile (\S+), ", output[output.index(entry["path"]):]).group(1)
        assert entry["profile"] == expected
        assert rerun.returncode == 1
    strict = next(c for c in commands if "through_the_fixture" in c)
    assert "--profile strict" in strict and "F006,Q001" in strict.replace("--ignore ", "")


def test_the_fixture_reads_the_projects_configuration(pytester):
    pytester.makepyprojecttoml('[tool.stream-validator]\nprofile = "strict"\nignore = ["I003"]\n')
    pytester.makepyfile(f"""
def test_it(stream_validator):
    assert stream_validator.options["profile"] == "strict"
    stream_validator.assert_conformant(open({str(BROKEN)!r}, "rb").read())
""")
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(("ini", "message"), [
    ("stream_validator_profile = lenient", "stream_validator_profile = lenient: expected one of"),
    ("stream_validator_ignore = I999X", "stream_validator_ignore: no rule matches 'I999X'"),
])
def test_a_bad_ini_value_is_a_usage_error_at_start_up(pytester, ini, message):
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_a(stream_validator): pass\ndef test_b(): pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_a_bad_project_configuration_is_a_usage_error_too(pytester):
    pytester.makepyprojecttoml('[tool.stream-validator]\nprofle = "strict"\n')
    pytester.makepyfile("def test_a(stream_validator): pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "profle: unknown key (did you mean profile?)" in result.stderr.str()


def test_plugin_is_registered_through_the_entry_point(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--stream-validator-save=DIR*"])


def test_plugin_is_light():
    # pytest itself is loaded in any run that loads the plugin: measure only what we add.
    code = ("import sys, time, pytest; t = time.perf_counter(); import validator.pytest_plugin; "
            "print(time.perf_counter() - t); "
            "print(sorted(m for m in sys.modules if m.startswith('validator')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert float(out[0]) < 0.05
    assert out[1] == "['validator', 'validator.pytest_plugin']"


def test_httpx_and_requests_responses_and_the_openai_sdk(stream_server):
    httpx = pytest.importorskip("httpx")
    requests = pytest.importorskip("requests")
    openai = pytest.importorskip("openai")
    with httpx.Client() as client, client.stream("POST", f"{stream_server}/responses",
                                                 json={"stream": True}) as response:
        assert_conformant(response)
    with requests.post(f"{stream_server}/responses", json={"stream": True},
                       stream=True, timeout=5) as response:
        assert_conformant(response)
    sdk = openai.OpenAI(base_url=stream_server, api_key="test-key", max_retries=0)
    stream = sdk.responses.create(model="gpt-4.1", input="Hello", stream=True)
    report = assert_conformant(events_from_openai(stream))
    assert report.output_text == "Hello, world!"


@pytest.fixture
def stream_server():
    """A real HTTP server on 127.0.0.1 that streams samples/valid/text.sse; under `/error` it
    answers a 500, under `/json` a JSON 200."""
    import http.server
    import threading

    body = VALID.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.endswith(("/error", "/json")):
                error = b'{"error": {"message": "upstream timeout"}}'
                self.send_response(500 if self.path.endswith("/error") else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(error)))
                self.end_headers()
                self.wfile.write(error)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for start in range(0, len(body), 97):  # arrives in pieces, as from a model
                self.wfile.write(body[start:start + 97])
                self.wfile.flush()
                time.sleep(0.001)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("path", "code", "text"), [
    ("/error", "H001", "HTTP 500 (expected 200 and an event stream): {\"error\""),
    ("/json", "H002", "Content-Type is application/json, not text/event-stream"),
])
def test_an_http_response_that_is_not_a_stream_gets_h001_or_h002(stream_server, path, code,
                                                                  text):
    import httpx

    url = stream_server + path
    with httpx.Client() as client, client.stream("POST", url, json={}) as response, \
            pytest.raises(StreamConformanceError) as info:
        assert_conformant(response)
    assert [v.code for v in info.value.report.violations] == [code]
    message = str(info.value)
    assert f"<POST {url}>: {code} [error] {text}" in message
    assert "starts with" not in message  # the body is not read as a stream
