"""Strava bulk export: activities.csv by column name (99-column real file, an older layout, German), and the
warehouse linking each listed file to its row."""

from __future__ import annotations

import csv
import gzip
import io

import numpy as np
import pandas as pd
import pytest

from trailstrength import schemas, warehouse
from trailstrength.io import Athlete, FileContext, ReaderError, detect, strava_export
from trailstrength.simulate.formats import fit_activity

# Header spellings as Strava writes them (English, and a German export's 92 columns).
EN_OLD = [
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Activity Description",
    "Elapsed Time",
    "Distance",
    "Max Heart Rate",
    "Relative Effort",
    "Commute",
    "Activity Private Note",
    "Activity Gear",
    "Filename",
    "Athlete Weight",
    "Bike Weight",
    "Elapsed Time",
    "Moving Time",
    "Distance",
    "Max Speed",
    "Average Speed",
    "Elevation Gain",
    "Elevation Loss",
    "Elevation Low",
    "Elevation High",
    "Max Grade",
    "Average Grade",
    "Average Positive Grade",
    "Average Negative Grade",
    "Max Cadence",
    "Average Cadence",
    "Max Heart Rate",
    "Average Heart Rate",
    "Max Watts",
    "Average Watts",
    "Calories",
    "Max Temperature",
    "Average Temperature",
    "Relative Effort",
    "Total Work",
    "Number of Runs",
    "Uphill Time",
    "Downhill Time",
    "Other Time",
    "Perceived Exertion",
    "Type",
    "Start Time",
    "Weighted Average Power",
    "Power Count",
    "Prefer Perceived Exertion",
    "Perceived Relative Effort",
    "Commute",
    "Total Weight Lifted",
    "From Upload",
    "Grade Adjusted Distance",
    "Weather Observation Time",
    "Weather Condition",
    "Weather Temperature",
    "Apparent Temperature",
    "Dewpoint",
    "Humidity",
    "Weather Pressure",
    "Wind Speed",
    "Wind Gust",
    "Wind Bearing",
    "Precipitation Intensity",
    "Sunrise Time",
    "Sunset Time",
    "Moon Phase",
    "Bike",
    "Gear",
    "Precipitation Probability",
    "Precipitation Type",
    "Cloud Cover",
    "Weather Visibility",
    "UV Index",
    "Weather Ozone",
    "Jump Count",
    "Total Grit",
    "Average Flow",
    "Flagged",
    "Average Elapsed Speed",
    "Dirt Distance",
    "Newly Explored Distance",
    "Newly Explored Dirt Distance",
    "Activity Count",
    "Total Steps",
    "Media",
]
DE_92 = [
    "Aktivitäts-ID",
    "Aktivitätsdatum",
    "Name der Aktivität",
    "Aktivitätsart",
    "Aktivitätsbeschreibung",
    "Verstrichene Zeit",
    "Distanz",
    "Max. Herzfrequenz",
    "Relative Leistung",
    "Pendeln",
    "Hinweis zur Privatsphäre für Aktivitäten",
    "Aktivitätsausrüstung",
    "Dateiname",
    "Sportlergewicht",
    "Fahrradgewicht",
    "Verstrichene Zeit",
    "Bewegungszeit",
    "Distanz",
    "Höchstgeschw.",
    "Durchschnittliche Geschwindigkeit",
    "Höhenzunahme",
    "Höhenunterschied",
    "Min. Höhe",
    "Max. Höhe",
    "Max. Steigung",
    "Durchschnittliche Steigung",
    "Durchschnittliche positive Steigung",
    "Durchschnittliche negative Steigung",
    "Max. Tritt-/Schrittfrequenz",
    "Durchschnittliche Trittfrequenz",
    "Max. Herzfrequenz",
    "Durchschnittliche Herzfrequenz",
    "Max. Watt",
    "Durchschnittliche Watt",
    "Kalorien",
    "Max. Temperatur",
    "Durchschnittliche Temperatur",
    "Relative Leistung",
    "Gesamtarbeit",
    "Anzahl Läufe",
    "Bergaufzeit",
    "Bergabzeit",
    "Andere Zeit",
    "Gefühlte Anstrengung",
    "Art",
    "Startzeit",
    "Gewichtete durchschnittliche Leistung",
    "Leistungszahl",
    "Gefühlte Anstrengung verwenden",
    "Gefühlte relative Leistung",
    "Pendeln",
    "Insgesamt gestemmtes Gewicht",
    "Von Upload",
    "Auf Steigung angepasste Distanz",
    "Wetterbeobachtungszeit",
    "Wetterlage",
    "Wetter: Temperatur",
    "Scheinbare Temperatur",
    "Taupunkt",
    "Luftfeuchtigkeit",
    "Wetter: Druck",
    "Windgeschwindigkeit",
    "Windböe",
    "Windrichtung",
    "Niederschlagsintensität",
    "Sonnenaufgangszeit",
    "Sonnenuntergangszeit",
    "Mondphase",
    "Fahrrad",
    "Ausrüstung",
    "Niederschlagswahrscheinlichkeit",
    "Niederschlagsart",
    "Wolkendecke",
    "Wetter: Sichtbarkeit",
    "UV-Index",
    "Wetter: Ozon",
    "Sprunganzahl",
    "Schwierigkeit insgesamt",
    "Durchschnittlicher Flow",
    "Markiert",
    "Durchschnittsgeschwindigkeit im Aufzeichnungszeitraum",
    "Auf Schotter zurückgelegte Distanz",
    "Neu getestete Distanz",
    "Neu getestete Schotterdistanz",
    "Aktivitätsanzahl",
    "Schritte insgesamt",
    "Eingesparte CO₂-Emissionen",
    "Pool-Länge",
    "Trainingsbelastung",
    "Intensität",
    "Durchschnittliches auf Steigung angepasstes Tempo",
    "Medien",
]


def export_csv(header: list[str], rows: list[dict[tuple[str, int], str]]) -> bytes:
    """A CSV with ``header``; each row gives values by (header name, occurrence)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for row in rows:
        seen: dict[str, int] = {}
        vals = []
        for h in header:
            seen[h] = seen.get(h, 0) + 1
            vals.append(row.get((h, seen[h]), ""))
        w.writerow(vals)
    return out.getvalue().encode()


def _ctx(path="a1/export/activities.csv", tz=None) -> FileContext:
    return FileContext(path, "5" * 64, Athlete("a1", tz or "UTC", tz is not None))


def test_real_99_column_export(realdata):
    data = realdata("strava-activity-map/activities.csv").read_bytes()
    assert detect(data) == "strava_activities_csv"
    res = strava_export.read(data, _ctx())
    a = res.tables["activities"]
    schemas.validate("activities", a)
    assert len(a) == 1845 and a["activity_id"].is_unique
    assert a["sport"].value_counts()[["cycling", "running", "hiking"]].tolist() == [947, 643, 110]
    first = a.iloc[0]
    assert first["start_time"] == pd.Timestamp("2014-10-05T16:15:21Z")  # "Oct 5, 2014, 4:15:21 PM", UTC
    assert first["distance_m"] == pytest.approx(13609.2, abs=0.01)  # the second Distance column, in m
    assert first["duration_s"] == 2833 and first["moving_time_s"] == 2499
    assert first["strava_file"] == "a1/export/activities/203707851.gpx" and not first["manual_entry"]
    runs = a[a["sport"] == "running"]
    assert runs["strava_gap_speed_mps"].between(1, 7).sum() > 100  # "Average Grade Adjusted Pace" is in m/s
    assert (a["descent_m"].dropna() >= 0).all() and (a["strava_elevation_loss_m"] < 0).sum() == 4


def test_older_layout_by_name():
    row = {
        ("Activity ID", 1): "42",
        ("Activity Date", 1): "May 29, 2022, 3:53:35 PM",
        ("Activity Type", 1): "Trail Run",
        ("Activity Name", 1): "Ridge",
        ("Elapsed Time", 1): "3600",
        ("Elapsed Time", 2): "3600.0",
        ("Distance", 1): "10.5",
        ("Distance", 2): "10512.3",
        ("Filename", 1): "activities/42.fit.gz",
        ("Elevation Loss", 1): "812.5",
        ("Activity Gear", 1): "Speedgoat 5",
    }
    a = strava_export.read(export_csv(EN_OLD, [row]), _ctx()).tables["activities"]
    assert len(EN_OLD) == 87
    assert a["start_time"].iloc[0] == pd.Timestamp("2022-05-29T15:53:35Z")
    assert a["distance_m"].iloc[0] == pytest.approx(10512.3) and a["descent_m"].iloc[0] == 812.5
    assert a["sport"].iloc[0] == "running" and a["sub_sport"].iloc[0] == "trail"
    assert a["strava_gear"].iloc[0] == "Speedgoat 5"
    only_km = export_csv(
        ["Activity ID", "Activity Date", "Activity Type", "Distance", "Filename"],
        [
            {
                ("Activity ID", 1): "1",
                ("Activity Date", 1): "Jan 2, 2020, 7:00:00 AM",
                ("Activity Type", 1): "Run",
                ("Distance", 1): "5.25",
            }
        ],
    )
    b = strava_export.read(only_km, _ctx()).tables["activities"]
    assert b["distance_m"].iloc[0] == pytest.approx(5250.0) and b["manual_entry"].iloc[0]  # empty Filename


def test_german_export():
    row = {
        ("Aktivitäts-ID", 1): "12345",
        ("Aktivitätsdatum", 1): "20.09.2026, 14:12:12",
        ("Name der Aktivität", 1): "Lauf am Nachmittag",
        ("Aktivitätsart", 1): "Lauf",
        ("Verstrichene Zeit", 1): "9999",
        ("Verstrichene Zeit", 2): "300",
        ("Bewegungszeit", 1): "290",
        ("Distanz", 1): "10,20",
        ("Höhenzunahme", 1): "100",
        ("Höhenunterschied", 1): "95,5",
        ("Dateiname", 1): "activities/12345.gpx",
    }
    assert len(DE_92) == 92
    data = export_csv(DE_92, [row])
    assert detect(data) == "strava_activities_csv"
    a = strava_export.read(data, _ctx()).tables["activities"]
    assert a["start_time"].iloc[0] == pd.Timestamp("2026-09-20T14:12:12Z")
    assert a["distance_m"].iloc[0] == pytest.approx(10200.0)  # only the km column filled: "10,20" km
    assert a["duration_s"].iloc[0] == 300 and a["moving_time_s"].iloc[0] == 290
    assert a["descent_m"].iloc[0] == 95.5 and a["sport"].iloc[0] == "running"


def test_no_rows_or_no_id_column_is_refused():
    with pytest.raises(ReaderError):
        strava_export.read(b"Activity ID,Activity Date\n", _ctx())
    with pytest.raises(ReaderError, match="strava_id"):
        strava_export.read(b"Activity Date,Activity Name\nx,y\n", _ctx())


# ------------------------------------------------------------------------------------------ warehouse links
def _track(start: str, n: int = 600) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": pd.date_range(start, periods=n, freq="s"),
            "lat": 46 + np.arange(n) * 3e-5,
            "lon": 8.0,
            "ele": 900 - np.arange(n) * 0.2,
            "hr": 140.0,
        }
    )


def test_export_folder_links_files_to_rows(tmp_path):
    raw = tmp_path / "raw"
    export = raw / "a1" / "strava_export"
    (export / "activities").mkdir(parents=True)
    with gzip.open(export / "activities" / "111.fit.gz", "wb") as fh:
        fh.write(fit_activity(_track("2024-05-01T06:00:00Z")))
    rows = [
        {
            ("Activity ID", 1): "111",
            ("Activity Date", 1): "May 1, 2024, 6:00:00 AM",
            ("Activity Type", 1): "Run",
            ("Activity Name", 1): "Morning Run",
            ("Filename", 1): "activities/111.fit.gz",
            ("Activity Gear", 1): "Shoe A",
            ("Elevation Loss", 1): "120.0",
            ("Elapsed Time", 2): "600",
        },
        {
            ("Activity ID", 1): "222",
            ("Activity Date", 1): "May 2, 2024, 6:00:00 AM",
            ("Activity Type", 1): "Run",
            ("Filename", 1): "activities/222.gpx",
            ("Elapsed Time", 2): "1800",
            ("Distance", 2): "5000",
        },  # file absent
        {
            ("Activity ID", 1): "333",
            ("Activity Date", 1): "May 3, 2024, 6:00:00 PM",
            ("Activity Type", 1): "Weight Training",
            ("Elapsed Time", 2): "2700",
        },  # manual entry
    ]
    (export / "activities.csv").write_bytes(export_csv(EN_OLD, rows))
    report = warehouse.ingest(raw, warehouse=tmp_path / "wh", progress=False, workers=1)
    m = report.manifest.set_index("path")
    assert m.loc["a1/strava_export/activities.csv", "state"] == "ingested"
    assert "1 of 3" in m.loc["a1/strava_export/activities.csv", "reason"]
    acts = warehouse.Warehouse(tmp_path / "wh").activities.set_index("strava_id")
    assert len(acts) == 3 and set(acts.index) == {"111", "222", "333"}
    fit_row = acts.loc["111"]
    assert fit_row["source_format"] == "fit" and fit_row["strava_name"] == "Morning Run"
    assert fit_row["strava_gear"] == "Shoe A" and fit_row["strava_elevation_loss_m"] == 120.0
    assert acts.loc["222", "source_format"] == "strava_csv" and acts.loc["222", "distance_m"] == 5000
    assert acts.loc["333", "sport"] == "strength_training" and not acts.loc["333", "has_gps"]
