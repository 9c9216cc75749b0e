"""`lawful statement render` as a user runs it: one red line on error, never a half-written file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lawful.core.errors import RenderError
from lawful.core.register import statement
from lawful.core.register.load import reference_register_path
from lawful.entrypoints.cli_statement import app

runner = CliRunner()


def render(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["render", *args])
    return result.exit_code, result.stdout, result.stderr


def test_html_for_one_brand_and_language(tmp_path: Path) -> None:
    out = tmp_path / "kbc-nl.html"
    code, stdout, stderr = render("--brand", "kbc", "--lang", "nl", "--out", str(out))
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    assert '<html lang="nl">' in html and "Privacyverklaring" in html
    assert "wrote" in stdout


def test_pdf_format_follows_the_suffix(tmp_path: Path) -> None:
    out = tmp_path / "cbc-fr.pdf"
    code, _, stderr = render("--brand", "cbc", "--lang", "fr", "--out", str(out))
    assert code == 0, stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_german_gets_the_regions_language_with_a_notice(tmp_path: Path) -> None:
    out = tmp_path / "s.html"
    code, _, stderr = render("--brand", "kbc", "--lang", "de", "--out", str(out))
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    assert '<html lang="nl">' in html and '<p lang="de">' in html


def test_explicit_register_file(tmp_path: Path) -> None:
    copy = tmp_path / "register.yaml"
    copy.write_text(reference_register_path().read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "s.html"
    args = ("--register", str(copy), "--brand", "kbc", "--lang", "en", "--format", "html")
    code, _, stderr = render(*args, "--out", str(out))
    assert code == 0, stderr
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--brand", "kbcc", "--lang", "fr"), "unknown brand 'kbcc'; the register declares: kbc,"),
        (
            ("--brand", "kbc", "--lang", "it"),
            "unknown lang 'it'; statements exist in: fr, nl, en, de",
        ),
        (("--lang", "fr"), "--brand is required (one of: kbc,"),
    ],
)
def test_invalid_choice_is_one_line_listing_valid_ones(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "s.html"
    code, _, stderr = render(*args, "--out", str(out))
    assert code == 1
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not out.exists()


def test_render_error_keeps_the_previous_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> str:
        raise RenderError("statement.html.j2: placeholder '{x}' in purposes[0].title is unknown")

    monkeypatch.setattr(statement, "render_html", broken)
    out = tmp_path / "s.html"
    out.write_text("previous", encoding="utf-8")
    code, _, stderr = render("--brand", "kbc", "--lang", "fr", "--out", str(out))
    assert code == 1
    assert stderr.strip() == (
        "error: statement.html.j2: placeholder '{x}' in purposes[0].title is unknown"
    )
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["s.html"]


def test_invalid_register_is_one_line(tmp_path: Path) -> None:
    doc = yaml.safe_load(reference_register_path().read_text(encoding="utf-8"))
    doc["purposes"][0]["description"]["fr"] += " {recipient:acme}"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "s.html"
    args = ("--register", str(bad), "--brand", "kbc", "--lang", "fr")
    code, _, stderr = render(*args, "--out", str(out))
    assert code == 1 and not out.exists()
    assert f"{bad}: purposes[0].description.fr: placeholder '{{recipient:acme}}'" in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_missing_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "nope" / "s.html"
    code, _, stderr = render("--brand", "kbc", "--lang", "fr", "--out", str(out))
    assert code == 1 and "does not exist" in stderr


def test_all_refuses_a_single_brand(tmp_path: Path) -> None:
    code, _, stderr = render("--all", "--brand", "kbc", "--out", str(tmp_path))
    assert code == 1 and "--all renders every brand" in stderr


def test_all_writes_every_brand_language_and_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real PDFs for every brand are rendered by the core tests; here the wiring matters.
    monkeypatch.setattr(statement, "html_to_pdf", lambda html: b"%PDF-1.7 " + html[:20].encode())
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    out = tmp_path / "statements"
    code, stdout, stderr = render("--all", "--out", str(out))
    assert code == 0, stderr
    names = {p.name for p in out.iterdir()}
    assert {"statement-kbc-nl.html", "statement-cbc-fr.pdf", "statement-kbc-brussels-en.pdf"} <= (
        names
    )
    assert "statement-cbc-de.html" in names  # German: a notice, then the statement in French
    assert len(names) == 3 * 4 * 2
    assert "wrote 24 files" in stdout


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from lawful.entrypoints.cli_statement import app; app()",
         "render", "--brand", "xyz", "--lang", "fr", "--out", str(tmp_path / "s.html")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "unknown brand 'xyz'" in result.stderr
