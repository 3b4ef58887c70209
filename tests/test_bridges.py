"""The bridge gate against real bridges from PyPI (pinned in the test extras), fed real Chat
Completions captures (the shared corpus) by the gate's upstream: what each loses.

Two bridges turn a Responses request into a Chat Completions request to their upstream and
stream the chat answer back as Responses events; the third (ant2oai) does the same for
Anthropic's `/messages`.  Their upstream base URL is fixed at start, so each listens to one
port of its own, on which the gate plays the captures.

open-responses-server 0.4.1 (what the test pins, from the bytes it streams):
- usage is dropped from every answer (its terminal response has ``"usage": null``);
- its streamed text deltas address an item it never added, and its terminal response replaces
  the text with ``"(No update)"`` whenever the chat finish_reason is not ``stop`` (T004 of its
  own stream: the deltas still carry the text); the truncated answer's ``length`` becomes
  ``completed``;
- ``delta.refusal`` is never relayed: the refusal becomes the text ``"(No update)"``;
- ``reasoning_content`` is dropped.
codex-bridge-python 0.1.5:
- a ``length`` finish becomes ``response.completed`` (the client never learns the answer was
  cut);
- ``delta.refusal`` is never relayed (``"output": []``);
- ``reasoning_content`` is dropped, and so is ``reasoning_tokens`` from the usage;
- text, tool calls and their arguments, and the other usage counts come through intact.
ant2oai 0.1.6 (Anthropic Messages):
- ``delta.refusal`` is never relayed: the refused answer is an empty message ``end_turn``;
- text, thinking, tool calls and their arguments, stop reasons and usage come through (its
  single-stream findings, not pinned here: ``input_tokens: 0`` in ``message_start`` (M046),
  thinking blocks with no signature (M050)).
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from conftest import REAL
from live_server import cli, serving
from replay_server import unused_port

pytest.importorskip("open_responses_server",
                    reason="open-responses-server is not installed (pip install -e .[test])")
pytest.importorskip("codex_bridge",
                    reason="codex-bridge-python is not installed (pip install -e .[test])")

CAPTURES = ["chat__mirascope__parallel-tool-calls.sse", "chat__mirascope__finish-length.sse",
            "chat__pydantic-ai__deepseek-reasoning.sse", "chat__mirascope__refusal.sse",
            "chat__simonw-llm__tool-call.sse", "chat__vercel-ai__openai-text.jsonl"]


@pytest.fixture(scope="module")
def corpus_files():
    if not REAL.is_dir():
        pytest.skip(f"the shared corpus is not beside the checkout ({REAL})")
    return [str(REAL / name) for name in CAPTURES]


@pytest.fixture(scope="module")
def open_responses_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("open-responses-server")
    upstream, port = unused_port(), unused_port()
    env = {**os.environ, "OPENAI_BASE_URL_INTERNAL": f"http://127.0.0.1:{upstream}",
           "OPENAI_API_KEY": "sk-test", "API_ADAPTER_HOST": "127.0.0.1",
           "API_ADAPTER_PORT": str(port), "MCP_SERVERS_CONFIG_PATH": str(directory / "none.json")}
    argv = [sys.executable, "-m", "open_responses_server.cli", "start"]
    with serving("open-responses-server", argv, port, directory, env, wait=30):
        yield f"http://127.0.0.1:{port}", upstream


@pytest.fixture(scope="module")
def codex_bridge(tmp_path_factory):
    directory = tmp_path_factory.mktemp("codex-bridge-python")
    upstream, port = unused_port(), unused_port()
    env = {**os.environ, "HOME": str(directory)}  # it keeps its state under ~
    argv = [sys.executable, "-m", "codex_bridge", "--upstream",
            f"http://127.0.0.1:{upstream}/v1", "--api-key", "sk-test", "--port", str(port)]
    with serving("codex-bridge-python", argv, port, directory, env, wait=30):
        yield f"http://127.0.0.1:{port}/v1", upstream


@pytest.fixture(scope="module")
def ant2oai(tmp_path_factory):
    pytest.importorskip("a2o", reason="ant2oai is not installed (pip install -e .[test]; "
                        "Python >= 3.11)")
    directory = tmp_path_factory.mktemp("ant2oai")
    upstream, port = unused_port(), unused_port()
    argv = [sys.executable, "-m", "a2o.cli", "--upstream",
            f"http://127.0.0.1:{upstream}/v1/chat/completions", "--port", str(port)]
    with serving("ant2oai", argv, port, directory, wait=30):
        yield f"http://127.0.0.1:{port}/v1", upstream


def run_gate(url: str, upstream: int, files: list[str], *args: str,
             endpoint: str = "responses") -> dict[str, dict]:
    upstreams = [arg for path in files for arg in ("--upstream", path)]
    result = cli("check", url, *upstreams, "--upstream-port", str(upstream), "--endpoint",
                 endpoint, "--timeout", "20", "--format", "json", *args)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    return {f["check"]["scenario"].rpartition(".")[0]: f
            for f in json.loads(result.stdout)["files"]}


def losses(entry: dict) -> list[str]:
    """The D, X and H findings: what the gate says was lost (the stream findings are the
    single-stream rules' business; tests/test_check_open_responses_server.py pins them)."""
    return sorted({v["code"] for v in entry["violations"] if v["code"][0] in "DXH"})


def test_open_responses_server_loses_usage_truncation_refusal_and_reasoning(
        open_responses_server, corpus_files, tmp_path):
    url, upstream = open_responses_server
    files = run_gate(url, upstream, corpus_files, "--save", str(tmp_path))
    assert {name: losses(entry) for name, entry in files.items()} == {
        "chat__mirascope__parallel-tool-calls": ["D011"],
        "chat__mirascope__finish-length": ["D010", "D011"],
        "chat__pydantic-ai__deepseek-reasoning": ["D008", "D011"],
        "chat__mirascope__refusal": ["D001", "D002", "D011"],
        "chat__simonw-llm__tool-call": ["D011"],
        "chat__vercel-ai__openai-text": ["D011"],
    }
    cut = {v["code"]: v for v in files["chat__mirascope__finish-length"]["violations"]}
    assert "'(No update)'" in cut["T004"]["message"]  # the terminal response's text
    assert cut["D010"]["upstream"]["line"] == 103  # the upstream's finish_reason "length"
    saved = tmp_path / "chat__mirascope__finish-length.responses.sse"
    assert b'"text": "(No update)"' in saved.read_bytes()
    # Every request reached the upstream as one Chat Completions request.
    assert {tuple(f["check"]["upstream_requests"]) for f in files.values()} == {
        ("/v1/chat/completions",)}


def test_codex_bridge_loses_truncation_refusal_and_reasoning(codex_bridge, corpus_files):
    url, upstream = codex_bridge
    files = run_gate(url, upstream, corpus_files)
    assert {name: losses(entry) for name, entry in files.items()} == {
        "chat__mirascope__parallel-tool-calls": [],
        "chat__mirascope__finish-length": ["D010"],
        "chat__pydantic-ai__deepseek-reasoning": ["D008", "D011"],
        "chat__mirascope__refusal": ["D002"],
        "chat__simonw-llm__tool-call": [],
        "chat__vercel-ai__openai-text": [],
    }
    usage = next(v for v in files["chat__pydantic-ai__deepseek-reasoning"]["violations"]
                 if v["code"] == "D011")
    assert usage["message"].startswith(
        "usage differs: reasoning tokens 198 upstream, none downstream — ")


def test_serve_check_and_diff_by_hand_against_a_bridge(codex_bridge, corpus_files, tmp_path):
    """What a developer does without the gate: `serve` as the bridge's upstream, `check` the
    bridge, then `diff` what was played with what the bridge sent."""
    url, upstream = codex_bridge
    played = REAL / "chat__vercel-ai__openai-text.jsonl"
    argv = [sys.executable, "-m", "validator", "serve", str(played), "--port", str(upstream)]
    with serving("serve", argv, upstream, tmp_path):
        result = cli("check", url, "--only", "responses-text", "--save", str(tmp_path / "out"),
                     "--format", "json")
    assert "Traceback" not in result.stderr
    [entry] = json.loads(result.stdout)["files"]
    assert entry["check"]["http_status"] == 200
    diff = cli("diff", str(played), entry["path"], "--format", "json")
    up, down = json.loads(diff.stdout)["files"]
    assert up["violations"] == [] and up["kind"] == "chat" and down["kind"] == "responses"
    assert [v for v in down["violations"] if v["code"].startswith("D")] == []


def test_ant2oai_loses_the_refusal(ant2oai, corpus_files):
    url, upstream = ant2oai
    files = run_gate(url, upstream, corpus_files, endpoint="messages")
    assert {name: losses(entry) for name, entry in files.items()} == {
        "chat__mirascope__parallel-tool-calls": [], "chat__mirascope__finish-length": [],
        "chat__pydantic-ai__deepseek-reasoning": [], "chat__mirascope__refusal": ["D001"],
        "chat__simonw-llm__tool-call": [], "chat__vercel-ai__openai-text": []}
    [refusal] = [v for v in files["chat__mirascope__refusal"]["violations"]
                 if v["code"] == "D001"]
    assert refusal["message"].startswith(
        "text (refusal included) dropped: the upstream has 53 characters")
