"""``check`` against a real third-party bridge: open-responses-server (pinned in the test extras)
turns each Responses request into a Chat Completions request to its upstream and streams the
answer back as Responses events. Its upstream here is the project's replay server serving the
chat samples (samples/valid/chat-*.sse), so no model and no network are needed.

It serves the bridge at ``/responses`` (``/v1/...`` is proxied to the upstream unchanged), so
the base URL has no ``/v1``. What it streams, as this test pins it:

- no event carries a ``sequence_number`` (Q001, a warning), and no ``response.output_item.added``
  or ``.done`` is ever sent, so the deltas refer to an item that was never added (I001, once
  per item; the item is then read from its deltas, so its text and calls still count);
- ``response.created`` has an empty ``model`` and the later events the upstream's (R001, once);
- text: ``response.output_text.delta`` without ``content_index`` (S002) and no content part
  lifecycle (I011), and the final message without ``status`` and its ``output_text`` without
  ``annotations`` (S002);
- tool calls: a second ``response.in_progress`` per call (L003) whose function_call item has
  the status "ready" (S003), arguments deltas under ``item_id: tool_call_…`` while the terminal
  response calls the items ``call_…`` (R002), and ``response.function_call_arguments.done``
  with ``id`` in place of ``item_id`` (S002);
- ``max_output_tokens`` is passed on as ``max_tokens``; the replay has no chat sample cut by a
  token limit and answers with a finished text, so that stream ends ``completed`` (X001);
- an invalid request (``input`` of the wrong type) gets a 500 from the bridge itself, not a
  4xx (H001).
"""

from __future__ import annotations

import json
import os
import sys

import pytest
from conftest import SAMPLES
from live_server import cli, lint_findings, serving
from replay_server import ReplayServer, sample_captures, unused_port

pytest.importorskip("open_responses_server",
                    reason="open-responses-server is not installed (pip install -e .[test])")


@pytest.fixture(scope="module")
def upstream():
    with ReplayServer(sample_captures(SAMPLES)) as replay:
        yield replay


@pytest.fixture(scope="module")
def bridge_url(upstream, tmp_path_factory):
    directory = tmp_path_factory.mktemp("open-responses-server")  # it writes ./log there
    port = unused_port()
    env = {**os.environ,
           # It appends /v1/chat/completions to this base URL.
           "OPENAI_BASE_URL_INTERNAL": upstream.url("replay").removesuffix("/v1"),
           "OPENAI_API_KEY": "sk-test", "API_ADAPTER_HOST": "127.0.0.1",
           "API_ADAPTER_PORT": str(port),
           "MCP_SERVERS_CONFIG_PATH": str(directory / "none.json")}  # no MCP servers
    # Its console script's entry point (`otc start`), run by this interpreter.
    argv = [sys.executable, "-m", "open_responses_server.cli", "start"]
    with serving("open-responses-server", argv, port, directory, env):
        yield f"http://127.0.0.1:{port}"


# Per scenario: the rules that fire, and where the schema findings (S002/S003) point.
TEXT = (["I001", "I011", "Q001", "R001", "S002"],
        {"/content_index", "/response/output/0/status", "/response/output/0/content/0/annotations"})
TOOLS = (["I001", "L003", "Q001", "R001", "R002", "S002", "S003"],
         {"/item_id", "/response/output/0/status"})
EXPECTED = {"responses-text": TEXT, "responses-system-prompt": TEXT,
            "responses-multi-sentence": TEXT, "responses-reasoning": TEXT,
            "responses-max-output-tokens": (TEXT[0] + ["X001"], TEXT[1]),
            "responses-function-call": TOOLS, "responses-tool-choice-auto": TOOLS,
            "responses-parallel-function-calls": TOOLS,
            "responses-invalid-request": (["H001"], set())}


def test_responses_scenarios_against_open_responses_server(bridge_url, upstream, tmp_path):
    result = cli("check", bridge_url, "--only", "responses-*", "--save", str(tmp_path),
                 "--timeout", "10", "--format", "json")
    assert result.returncode == 1, result.stderr
    files = {f["check"]["scenario"]: f for f in json.loads(result.stdout)["files"]}
    assert {name: (sorted({v["code"] for v in f["violations"]}),
                   {v["pointer"] for v in f["violations"] if v["code"] in ("S002", "S003")})
            for name, f in files.items()} == EXPECTED
    assert files["responses-invalid-request"]["check"]["http_status"] == 500
    # It really bridged: the upstream saw one Chat Completions request per streamed scenario (the
    # invalid request failed in the bridge).
    assert sorted(received.path for received in upstream.requests) == \
        ["/replay/v1/chat/completions"] * (len(EXPECTED) - 1)

    lint = cli("lint", str(tmp_path), "--format", "json")
    assert lint.returncode == 1
    linted = {f["path"]: f["violations"] for f in json.loads(lint.stdout)["files"]}
    assert linted == lint_findings(list(files.values()))
