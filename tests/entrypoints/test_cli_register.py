"""`lawful register` as a user runs it: exit codes, one line per problem, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from fideslang.manifests import ingest_manifests
from fideslang.parse import load_manifests_into_taxonomy

from lawful.core.register.load import reference_register_path


def lawful(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from lawful.entrypoints.cli import main; main()", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_reference_exits_zero() -> None:
    result = lawful("register", "check")
    assert result.returncode == 0, result.stderr
    assert "register OK" in result.stdout


def test_check_bad_file_lists_each_problem(tmp_path: Path) -> None:
    doc = yaml.safe_load(reference_register_path().read_text(encoding="utf-8"))
    doc["purposes"][3]["data_categories"].insert(1, "user.finacial")
    doc["purposes"][0]["recipients"].append("nobody")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = lawful("register", "check", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert any(
        "purposes[3].data_categories[1]: unknown data category 'user.finacial' "
        "(did you mean 'user.financial'?)" in line
        for line in lines
    ), lines
    assert any("purposes[0].recipients" in line and "'nobody'" in line for line in lines), lines


def test_check_syntax_error_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("purposes:\n  - id: [unclosed\n", encoding="utf-8")
    result = lawful("register", "check", str(broken))
    assert result.returncode == 1
    assert "YAML syntax error" in result.stderr and "line" in result.stderr
    missing = lawful("register", "check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    assert "Traceback" not in broken.read_text() + result.stderr + missing.stderr


def test_diff_reports_customer_facing_changes(tmp_path: Path) -> None:
    doc = yaml.safe_load(reference_register_path().read_text(encoding="utf-8"))
    old = tmp_path / "old.yaml"
    old.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    changed = next(p for p in doc["purposes"] if p["recipients"])
    dropped = changed["recipients"].pop()
    changed["retention"]["duration"] = {"years": 99}
    removed = doc["purposes"].pop()
    for role in doc["roles"]:
        role["purposes"] = [p for p in role["purposes"] if p != removed["id"]]
    doc["notification_topics"] = [
        t for t in doc["notification_topics"] if t["purpose"] != removed["id"]
    ]
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    result = lawful("register", "diff", str(old), str(new), "--json")
    assert result.returncode == 0, result.stderr
    kinds = {(c["purpose"], c["kind"]) for c in json.loads(result.stdout)}
    assert (removed["id"], "purpose_removed") in kinds
    assert (changed["id"], "retention") in kinds
    recipients = next(c for c in json.loads(result.stdout) if c["kind"] == "recipients")
    assert recipients["purpose"] == changed["id"] and recipients["removed"] == [dropped]

    text = lawful("register", "diff", str(old), str(new))
    assert f"purpose '{removed['id']}' removed" in text.stdout


def test_export_fides_is_valid_fideslang(tmp_path: Path) -> None:
    target = tmp_path / "fides.yaml"
    result = lawful("register", "export", "--format", "fides", "--out", str(target))
    assert result.returncode == 0, result.stderr
    taxonomy = load_manifests_into_taxonomy(ingest_manifests(str(target)))
    assert taxonomy.system, "one system per controller entity"
    declared = {d.data_use for s in taxonomy.system for d in s.privacy_declarations}
    assert len(declared) >= 5
    extended = {c.fides_key for c in taxonomy.data_category}
    used = {c for s in taxonomy.system for d in s.privacy_declarations for c in d.data_categories}
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    known = extended | {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    assert used <= known


def test_a_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where a folder is expected")
    result = lawful("register", "export", "--format", "fides", "--out", str(blocked / "x.yaml"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and "not-a-folder" in result.stderr
