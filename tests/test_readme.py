"""The README's examples work as pasted: its Python blocks run, its pytest blocks pass against a
server on 127.0.0.1 with the fixtures the README says are the user's own, and its pre-commit
example names a repository the way pre-commit needs it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import yaml
from conftest import REPO, SAMPLES

pytest_plugins = ["pytester"]

README = (REPO / "README.md").read_text("utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
#: The user's own fixtures the README's pytest examples name, as a user would write them.
CONFTEST = f"""
import http.server
import threading

import httpx
import openai
import pytest

BODY = open({str(SAMPLES / "valid" / "text.sse")!r}, "rb").read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def base_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{{server.server_address[1]}}/v1"
    server.shutdown()


@pytest.fixture
def openai_client(base_url):
    return openai.OpenAI(base_url=base_url, api_key="test-key", max_retries=0)


@pytest.fixture
def client(base_url):
    with httpx.Client(base_url=base_url.removesuffix("/v1")) as client:
        yield client


@pytest.fixture
def body():
    return {{"model": "m", "input": "Hi", "stream": True}}
"""


def test_the_readme_has_the_python_and_pytest_examples():
    assert len(PYTHON_BLOCKS) == 4  # the API, two pytest examples, the Dask recipe
    assert sum("def test_" in block for block in PYTHON_BLOCKS) == 2


def test_the_python_api_example_runs_as_pasted(tmp_path):
    [script] = [block for block in PYTHON_BLOCKS
                if "def test_" not in block and "validator.cluster" not in block]
    shutil.copy(SAMPLES / "seeds" / "responses-mismatched-ids.jsonl", tmp_path / "capture.sse")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "False 5" in result.stdout and "I003 item-id-mismatch error 7" in result.stdout
    assert "Hello, World!" in result.stdout


def test_the_pytest_examples_pass_with_the_users_fixtures(pytester):
    pytester.makeconftest(CONFTEST)
    shutil.copy(SAMPLES / "invalid" / "I003-item-id-mismatch.jsonl", pytester.path / "bad.jsonl")
    tests = [block for block in PYTHON_BLOCKS if "def test_" in block]
    pytester.makepyfile(**{f"test_readme_{n}": block for n, block in enumerate(tests)})
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_the_pre_commit_example_names_a_cloneable_repository():
    example = README.split("# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    [repo] = yaml.safe_load(example)["repos"]
    assert re.fullmatch(r"https://github\.com/[^/]+/stream-validator", repo["repo"])
    assert repo["rev"] and [hook["id"] for hook in repo["hooks"]] == ["stream-validator"]
