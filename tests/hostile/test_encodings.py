"""Issue 16, item 10: CSVs saved by Excel on a European Windows (cp1252 / Latin-1, UTF-16) are read, not
quarantined, with the encoding used in the file's manifest reason; a semicolon-separated soreness diary (decimal
commas, CRLF, a BOM) is read. Every file is generated here."""

from __future__ import annotations

import pandas as pd
import pytest
from test_strava_export import DE_92, export_csv

from trailstrength.io import Athlete, FileContext, detect, strava_export
from trailstrength.io._csv import as_utf8, csv_header, read_csv_text, separator
from trailstrength.warehouse import Warehouse, ingest

FITNOTES = (
    "Date,Exercise,Category,Weight (kg),Weight (lbs),Reps,Distance,Distance Unit,Time,Notes\n"
    "2025-03-01,Kniebeuge,Legs,60,,5,,,,schön – müde\n"
)
DIARY = "date,time,soreness,regions,notes\n2025-03-01,07:30,4,quads,Oberschenkel fühlen sich schwer an\n"


def _ingest_one(tmp_path, name: str, data: bytes) -> tuple[pd.Series, Warehouse]:
    raw = tmp_path / "raw"
    (raw / "ana").mkdir(parents=True)
    (raw / "ana" / name).write_bytes(data)
    m = ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1).manifest
    return m.set_index("path").loc[f"ana/{name}"], Warehouse(tmp_path / "wh")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16"])
def test_strength_log_in_a_windows_encoding_is_read(tmp_path, encoding):
    text = FITNOTES if encoding != "latin-1" else FITNOTES.replace("–", "-")  # Latin-1 has no en dash
    row, wh = _ingest_one(tmp_path, "fitnotes.csv", text.encode(encoding))
    assert row["state"] == "ingested", row["reason"]
    assert f"text decoded as {'utf-16' if encoding == 'utf-16' else 'cp1252'} (not UTF-8)" in row["reason"]
    sets = wh.strength_sets
    assert sets["notes"].tolist() == [text.splitlines()[1].split(",")[-1]] and sets["load_kg"].tolist() == [60.0]


def test_wellness_diary_in_latin_1_is_read(tmp_path):
    row, wh = _ingest_one(tmp_path, "diary.csv", DIARY.replace("ü", "\xfc").encode("latin-1"))
    assert row["state"] == "ingested" and "decoded as cp1252" in row["reason"]
    assert wh.wellness["soreness"].tolist() == [4.0]


def test_utf8_files_carry_no_encoding_note(tmp_path):
    row, _ = _ingest_one(tmp_path, "diary.csv", ("\ufeff" + DIARY).encode("utf-8"))
    assert row["state"] == "ingested" and "decoded" not in str(row["reason"])


def test_strava_activities_csv_in_cp1252_is_read():
    """A German export saved again by Excel: its headers (Aktivitäts-ID, Höhenzunahme) are not UTF-8."""
    row = {
        ("Aktivitäts-ID", 1): "12345",
        ("Aktivitätsdatum", 1): "20.09.2026, 14:12:12",
        ("Name der Aktivität", 1): "Über den Kamm",
        ("Aktivitätsart", 1): "Lauf",
        ("Verstrichene Zeit", 2): "300",
        ("Distanz", 1): "10,20",
        ("Dateiname", 1): "activities/12345.gpx",
    }
    data = export_csv(DE_92, [row]).decode().encode("cp1252", errors="replace")  # CO₂ becomes ?
    assert detect(data) != "strava_activities_csv"  # what quarantined it: the headers did not match
    utf8, encoding = as_utf8(data)
    assert encoding == "cp1252" and detect(utf8) == "strava_activities_csv"
    ctx = FileContext("a1/export/activities.csv", "5" * 64, Athlete("a1"))
    a = strava_export.read(utf8, ctx).tables["activities"]
    assert a["distance_m"].iloc[0] == pytest.approx(10200.0) and a["sport"].iloc[0] == "running"


@pytest.mark.parametrize("bom, newline", [("", "\n"), ("\ufeff", "\r\n")])
def test_semicolon_soreness_diary_with_decimal_commas(tmp_path, bom, newline):
    """A diary written by a European spreadsheet: semicolons, decimal commas (KeyError: 'date' before)."""
    text = bom + newline.join(["date;time;soreness;regions", "2025-03-01;07:30;4,5;quads", "2025-03-02;07:30;3;calves"])
    row, wh = _ingest_one(tmp_path, "soreness.csv", (text + newline).encode())
    assert row["state"] == "ingested", row["reason"]
    assert wh.wellness.sort_values("local_date")["soreness"].tolist() == [4.5, 3.0]


def test_separator_is_sniffed_from_the_first_lines():
    assert separator("date;soreness (0-10, 10 worst);regions\n2025-03-01;4;quads\n") == ";"
    assert separator("date;time;soreness\n2025-03-01;07:30;4,5\n2025-03-02;07:30;3,5\n") == ";"
    assert separator("date,soreness,notes\n2025-03-01,4,ok; fine\n2025-03-02,3,x; y\n") == ","
    assert separator("date\tsoreness\tregions\n2025-03-01\t4\tquads\n") == "\t"
    assert separator("a;b\n1;2\n3;4\n5;") == ";"  # a head cut mid-line
    assert separator("date,soreness") == ","  # header only: the header decides, comma on a tie
    assert csv_header(b"date;soreness (0-10, 10 worst);regions\n2025-03-01;4;quads\n")[1] == "soreness (0-10, 10 worst)"
    df = read_csv_text(b"date\tsoreness\n2025-03-01\t4\n", "diary")
    assert df.to_dict("records") == [{"date": "2025-03-01", "soreness": "4"}]


def test_binary_and_xml_are_left_to_their_readers():
    fit = b"\x0e\x10\x00\x00.FIT\xff\x00\x00"
    gpx = b'<?xml version="1.0" encoding="windows-1252"?><gpx><name>\xdcber</name></gpx>'
    assert as_utf8(fit) == (fit, "") and as_utf8(gpx) == (gpx, "")
