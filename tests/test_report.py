"""A plasdagboek typed into `text` mode comes out of `data export` and the PDF `report`, read back
with real tools (pdftotext, pdftoppm from poppler-utils)."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from assistant.programme import journal as J

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DIARY = """ik heb net 200 milliliter geplast
ik heb twee glazen water gedronken
tweehonderdvijftig milliliter
ik heb een beetje urine verloren bij het hoesten
ik heb mijn inlegkruisje verschoond
ik moest erg nodig
dat klopt niet
ik heb net driehonderd milliliter geplast
afsluiten
"""


def run(*args, data, input=None):
    return subprocess.run([sys.executable, "-m", "assistant", "--data-dir", str(data), *args], cwd=ROOT,
                          capture_output=True, text=True, input=input, timeout=120)


@pytest.fixture(scope="module")
def typed_diary(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    data = tmp / "data"
    j = J.Journal(data)
    now = datetime.now().astimezone()
    for d in range(9, 0, -1):                      # nine days of practice, two or three a day
        for h in range(3 if d % 2 else 2):
            at = (now - timedelta(days=d)).replace(hour=8 + 5 * h, minute=0, second=0)
            sid = j.start_session(at, "lying", 1.0, 10)
            j.finish_session(sid, at + timedelta(minutes=3), True, 10)
    j.close()
    proc = run("text", "--mute", data=data, input=DIARY)
    assert proc.returncode == 0, proc.stderr
    return tmp, data, proc.stdout


def test_typed_lines_are_noted_and_said_back(typed_diary):
    _, _, out = typed_diary
    assert "Genoteerd: tweehonderd milliliter geplast." in out
    assert "Hoeveel milliliter gaat er in uw glas?" in out
    assert "Goed, weggehaald: aandrang." in out


def test_data_export_has_the_diary_in_the_cli_contract(typed_diary):
    tmp, data, _ = typed_diary
    assert run("data", "export", str(tmp / "out.json"), data=data).returncode == 0
    diary = json.loads((tmp / "out.json").read_text(encoding="utf-8"))["diary"]
    assert [(d["kind"], d["ml"], d["size"], d["note"]) for d in diary] == [
        ("void", 200, None, None), ("drink", 500, None, "water"), ("leak", None, "beetje", "bij het hoesten"),
        ("pad", None, None, "inlegkruisje"), ("void", 300, None, None)]
    for d in diary:
        assert set(d) == {"at", "kind", "ml", "size", "note"}
        assert datetime.fromisoformat(d["at"]).tzinfo is not None


def test_the_report_is_a_printable_pdf_with_the_programme_and_the_diary(typed_diary):
    tmp, data, _ = typed_diary
    pdf = tmp / "verslag.pdf"
    proc = run("report", str(pdf), data=data)
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    first, second = pages[0], pages[1]
    assert "verslag voor de huisarts" in first and "Oefensessies per dag" in first
    assert "23 oefensessies op 9 dagen; 5 dagen met het doel van 3" in first and "liggend 23x" in first
    assert "doel 3" in first
    months = ("januari februari maart april mei juni juli augustus september oktober november december").split()
    assert any(m in first for m in months)                     # dates in Dutch
    assert "Plasdagboek" in second
    flat = " ".join(second.split())
    # daily totals: 2 voids, 500 ml voided, 500 ml drunk, 1 leak, 1 pad, 0 urges (undone)
    assert "2 500 500 1 1 0" in flat
    assert "geplast" in flat and "urineverlies" in flat and "bij het hoesten" in flat and "2 glazen, water" in flat
    # rendered: two pages, black and white (grey at most), with ink on them
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp / "page")], check=True)
    pngs = sorted(tmp.glob("page-*.png"))
    assert len(pngs) == 2
    import matplotlib.image as mpimg
    for png in pngs:
        img = mpimg.imread(png)[..., :3]
        assert np.abs(img - img.mean(axis=2, keepdims=True)).max() < 0.02     # no colour
        assert (img < 0.5).mean() > 0.005                                      # not blank


def test_a_report_of_an_empty_journal_is_one_page(tmp_path):
    pdf = tmp_path / "leeg.pdf"
    proc = run("report", str(pdf), data=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nog geen oefensessies" in text and "Er staat niets in het plasdagboek" in text
    assert len([p for p in text.split("\f") if p.strip()]) == 1


def test_report_needs_a_pdf_name(tmp_path):
    proc = run("report", str(tmp_path / "x.txt"), data=tmp_path / "data")
    assert proc.returncode == 2 and ".pdf" in proc.stderr and "Traceback" not in proc.stderr
