"""The Dask recipe: a local cluster of two worker processes lints the rule samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from validator.api import validate_stream
from validator.cluster import findings_jsonl, lint_on_dask, rule_summary

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "invalid"


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def test_the_cluster_lints_each_capture_as_lint_does(client):
    paths = sorted(str(p) for p in SAMPLES.iterdir() if p.suffix in (".sse", ".jsonl"))
    reports = lint_on_dask(client, paths, profile="strict")
    assert [r["path"] for r in reports] == paths
    assert len(client.scheduler_info()["workers"]) == 2
    expected = [validate_stream(Path(p), profile="strict").to_dict() for p in paths]
    assert reports == expected

    lines = [json.loads(line) for line in findings_jsonl(reports).splitlines()]
    assert lines == [{"path": r["path"], **v} for r in expected for v in r["violations"]]
    summary = rule_summary(reports)
    codes = [line["code"] for line in lines]
    assert {code: entry["findings"] for code, entry in summary.items()} == {
        code: codes.count(code) for code in sorted(set(codes))}
    assert summary["S001"]["files"] == sum(
        any(v["code"] == "S001" for v in r["violations"]) for r in expected) >= 1
    assert summary["S001"]["severity"] == "error"
    assert summary["S001"]["name"] == "schema-wrong-type"


def test_a_capture_the_workers_cannot_read_fails_the_gather(client, tmp_path):
    with pytest.raises(Exception, match="cannot read"):
        lint_on_dask(client, [str(tmp_path / "missing.sse")])
