"""Readers: GPX, the soreness template, and format detection from content (strength logs: test_strength_logs.py)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from trailstrength import schemas
from trailstrength.io import (
    FORMATS,
    Athlete,
    FileContext,
    ReaderError,
    detect,
    gpx,
    open_bytes,
    strength_logs,
    wellness,
)

GPX_MIN = b"""<?xml version="1.0"?>
<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><type>running</type><trkseg>
<trkpt lat="46.0" lon="8.0"><ele>500</ele><time>2024-05-01T06:00:00Z</time><extensions><ns3:TrackPointExtension><ns3:hr>120</ns3:hr><ns3:cad>85</ns3:cad></ns3:TrackPointExtension></extensions></trkpt>
<trkpt lat="46.0001" lon="8.0"><ele>499</ele><time>2024-05-01T06:00:05Z</time></trkpt>
</trkseg><trkseg>
<trkpt lat="46.0002" lon="8.0"><ele>498</ele><time>2024-05-01T06:00:10Z</time></trkpt>
</trkseg></trk></gpx>"""  # noqa: E501


def test_gpx_minimal_any_prefix_and_segments(ctx):
    res = gpx.read(GPX_MIN, ctx)
    s, a = res.tables["samples"], res.tables["activities"]
    assert len(s) == 3  # both segments, in order
    assert s["heart_rate"].tolist()[0] == 120 and np.isnan(s["heart_rate"].iloc[1])
    assert s["cadence"].iloc[0] == 85
    assert s["elapsed_s"].tolist() == [0, 5, 10]
    assert a["sport"].iloc[0] == "running"
    assert a["start_time"].iloc[0] == pd.Timestamp("2024-05-01T06:00:00Z")
    assert a["local_date"].iloc[0] == pd.Timestamp("2024-05-01")  # 08:00 in Oslo
    schemas.validate("activities", a)
    schemas.validate("samples", s)


def test_gpx_local_date_crosses_midnight():
    late = GPX_MIN.replace(b"2024-05-01T06", b"2024-05-01T23")
    ctx = FileContext("x", "1" * 64, Athlete("a", "Asia/Tokyo", True))
    assert gpx.read(late, ctx).tables["activities"]["local_date"].iloc[0] == pd.Timestamp("2024-05-02")


def test_gpx_impossible_dates_reported(ctx):
    res = gpx.read(GPX_MIN.replace(b"2024-05-01", b"1901-05-01"), ctx)
    assert any("impossible" in w for w in res.warnings)
    assert res.tables["samples"]["timestamp"].isna().all()


def test_gpx_broken_xml_names_problem(ctx):
    with pytest.raises(ReaderError, match="not well-formed"):
        gpx.read(GPX_MIN[:300], ctx)


def test_detect_from_content_not_name(tmp_path):
    p = tmp_path / "activity.txt"
    p.write_bytes(gzip.compress(GPX_MIN))
    data, compressed = open_bytes(p)
    assert compressed and detect(data) == "gpx"
    assert detect(b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps\n") == "strong_csv"
    assert detect(b"date,exercise,set,reps,load,unit\n") == "strength_template"
    assert detect(b"date,soreness\n2024-01-01,3\n") == "soreness_template"
    assert detect(b"hello world") is None
    assert detect(b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT") == "fit"


def test_corrupt_gzip_is_a_reader_error(tmp_path):
    p = tmp_path / "x.gpx.gz"
    p.write_bytes(gzip.compress(GPX_MIN)[:30])
    with pytest.raises(ReaderError, match="gzip"):
        open_bytes(p)


# ------------------------------------------------------------------------------------------------ real GPX
def test_real_trail_run_gpx(realdata, ctx):
    data = realdata("trail_analyzer/tanzawa_main_ridge.gpx").read_bytes()
    assert detect(data) == "gpx"
    res = gpx.read(data, ctx)
    s = res.tables["samples"]
    assert len(s) == 3671
    assert s["heart_rate"].notna().mean() > 0.9
    assert 5.5 * 3600 < res.tables["activities"]["duration_s"].iloc[0] < 7 * 3600
    schemas.validate("samples", s)


def test_real_partial_times_kept(realdata, ctx):
    res = gpx.read(realdata("gpxpy/korita-zbevnica.gpx").read_bytes(), ctx)
    s = res.tables["samples"]
    assert len(s) == 871 and 0 < s["timestamp"].notna().sum() < len(s)


def test_real_route_only_is_a_course_not_an_activity(realdata, ctx):
    res = gpx.read(realdata("heartandsole/testcourse.gpx").read_bytes(), ctx)
    assert "activities" not in res.tables and len(res.tables["courses"]) == 1
    assert any("route" in w for w in res.warnings)


def test_real_missing_elevation_flagged(realdata, ctx):
    res = gpx.read(realdata("gpxpy/cerknicko-jezero-without-elevations.gpx").read_bytes(), ctx)
    a = res.tables["activities"]
    assert not a["has_altitude"].iloc[0] and a["altitude_source"].iloc[0] == "none"


# ------------------------------------------------------------------------------------------------ soreness
def test_soreness_template_scales(ctx):
    data = b"date,time,soreness,regions,scale\n2024-01-01,07:00,3,quads;calves,1-5\n2024-01-02,,55,,0-100\n2024-01-03,,4,,\n"  # noqa: E501
    df = wellness.read_template(data, ctx).tables["wellness"]
    assert df["soreness"].tolist() == [5.0, 5.5, 4.0]
    assert df["soreness_raw"].tolist() == [3, 55, 4]
    assert df["soreness_scale"].tolist() == ["1-5", "0-100", "0-10"]
    assert df["soreness_regions"].iloc[0] == "quads;calves"
    assert df["reported_at"].iloc[0] == pd.Timestamp("2024-01-01T06:00Z") and pd.isna(df["reported_at"].iloc[1])
    schemas.validate("wellness", df)


def test_soreness_out_of_scale_is_refused(ctx):
    # a diary whose only value is off its scale has nothing usable left: refused, naming column, line and value
    # (issue 14 item 2: with other usable lines the value alone is left empty, tests/test_ingest_messy.py)
    with pytest.raises(ReaderError, match="no usable value left .soreness: 1 value outside its scale .line 2: '7'"):
        wellness.read_template(b"date,soreness,scale\n2024-01-01,7,1-5\n", ctx)


def test_every_format_has_a_version_and_kind():
    for f in FORMATS.values():
        assert f.version and f.kind in {"activity", "strength", "wellness", "race"}


def test_readme_examples_read_cleanly(ctx):
    from pathlib import Path

    ex = Path(__file__).resolve().parents[1] / "examples"
    sets = strength_logs.read_template((ex / "strength_log.csv").read_bytes(), ctx).tables["strength_sets"]
    assert len(sets) == 5 and sets["set_type"].tolist()[0] == "warmup"
    diary = wellness.read_template((ex / "soreness_diary.csv").read_bytes(), ctx).tables["wellness"]
    assert diary["soreness"].tolist() == [2.0, 6.0, 5.0]
