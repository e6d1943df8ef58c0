"""GPX reader: the fast byte-level path against the lxml tree on every real file, tracks, routes, faults."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength import schemas
from trailstrength.io import Athlete, FileContext, ReaderError, detect, fit, gpx
from trailstrength.io import xml_points as xp

REAL_GPX = [
    "gpxpy/cerknicko-jezero-without-elevations.gpx",
    "gpxpy/cerknicko-jezero.gpx",
    "gpxpy/cerknicko-without-times.gpx",
    "gpxpy/korita-zbevnica.gpx",
    "heartandsole/testdata.gpx",
    "heartandsole/testcourse.gpx",
    "runpandas/4383adb2-5170-467c-85b8-2d983c415e5b.gpx",
    "sweatpy/4801048867_strava.gpx",
    "trail_analyzer/tanzawa_main_ridge.gpx",
]


def _ctx(tz: str | None = None) -> FileContext:
    return FileContext("a/f.gpx", "e" * 64, Athlete("a", tz or "UTC", tz is not None))


def _same(fast: dict, tree: dict) -> None:
    for key, want in tree.items():
        if key in ("truncated",):
            continue
        got = fast.get(key)
        if isinstance(want, dict):
            _same(got, want)
        elif isinstance(want, np.ndarray):
            np.testing.assert_array_equal(np.asarray(got), want, err_msg=key)
        else:
            assert got == want, key


@pytest.mark.parametrize("rel", REAL_GPX)
def test_fast_path_equals_tree(realdata, rel):
    data = realdata(rel).read_bytes()
    _same(gpx.scan_fast(data), gpx.scan_tree(data))


def test_partial_times_and_several_tracks(realdata):
    res = gpx.read(realdata("gpxpy/korita-zbevnica.gpx").read_bytes(), _ctx())
    s, a = res.tables["samples"], res.tables["activities"]
    assert len(s) == 871 and s["timestamp"].notna().sum() == 513
    assert sorted(s["segment"].unique()) == [1, 2, 3]  # segments in file order; the first track is empty
    assert any("times on 513 of 871" in w for w in res.warnings) and a["has_time"].iloc[0]
    assert a["has_altitude"].iloc[0] and a["altitude_source"].iloc[0] == "gps"


def test_no_times_marks_time_metrics_unavailable(realdata):
    res = gpx.read(realdata("gpxpy/cerknicko-without-times.gpx").read_bytes(), _ctx())
    assert res.tables["samples"]["timestamp"].notna().sum() < 10
    no_time = gpx.read(gpx_doc(times=False), _ctx())
    assert not no_time.tables["activities"]["has_time"].iloc[0]
    assert any("no usable times" in w for w in no_time.warnings)


def test_route_is_recorded_as_course(realdata):
    res = gpx.read(realdata("heartandsole/testcourse.gpx").read_bytes(), _ctx())
    assert list(res.tables) == ["courses"]
    course = res.tables["courses"]
    assert course["n_points"].iloc[0] == 4990 and course["distance_m"].iloc[0] > 1000
    assert course["has_altitude"].iloc[0] and course["name"].iloc[0] == "Pemberton Trail Loop on AllTrails"


def test_waypoint_only_file_is_refused(realdata):
    with pytest.raises(ReaderError, match="no track points"):
        gpx.read(realdata("gpxpy/gpx_with_garmin_extension.gpx").read_bytes(), _ctx())


def test_strava_gpx_type_code_and_sparse_elevation(realdata):
    a = gpx.read(realdata("sweatpy/4801048867_strava.gpx").read_bytes(), _ctx()).tables["activities"]
    assert a["sport"].iloc[0] == "cycling"  # Strava writes <type>1</type>
    s = gpx.read(realdata("runpandas/4383adb2-5170-467c-85b8-2d983c415e5b.gpx").read_bytes(), _ctx()).tables["samples"]
    assert s["altitude_m"].notna().sum() == 513 and len(s) == 1365


def test_same_run_as_the_fit_file(realdata):
    """heartandsole's GPX export is the same activity as its FIT file: times, positions, HR agree."""
    g = gpx.read(realdata("heartandsole/testdata.gpx").read_bytes(), _ctx()).tables["samples"]
    f = fit.read(realdata("heartandsole/testdata.fit").read_bytes(), _ctx()).tables["samples"]
    both = g.merge(f, on="timestamp", suffixes=("_gpx", "_fit"))
    assert len(both) == len(g) == len(f)
    np.testing.assert_allclose(both["lat_gpx"], both["lat_fit"], atol=1e-6)
    np.testing.assert_array_equal(both["heart_rate_gpx"], both["heart_rate_fit"])
    schemas.validate("samples", g)


# ------------------------------------------------------------------------------------------ synthetic
def gpx_doc(
    n: int = 5,
    *,
    prefix: str = "",
    ext: str = "ns3",
    times: bool = True,
    offset: str = "Z",
    self_closing: bool = False,
    comment: bool = False,
) -> bytes:
    p = f"{prefix}:" if prefix else ""
    pts = []
    for i in range(n):
        t = f"<{p}time>2024-05-01T23:{30 + i:02d}:00{offset}</{p}time>" if times else ""
        pts.append(
            f'<{p}trkpt lon="8.{i}" lat="46.{i}"><{p}ele> {500 + i} </{p}ele>{t}<{p}extensions>'
            f"<{ext}:TrackPointExtension><{ext}:hr>{120 + i}</{ext}:hr><{ext}:cad>80</{ext}:cad>"
            f"</{ext}:TrackPointExtension></{p}extensions></{p}trkpt>"
        )
    if self_closing:
        pts.append(f'<{p}trkpt lat="47" lon="9"/>')
    xmlns = (
        f'xmlns:{prefix}="http://www.topografix.com/GPX/1/1"' if prefix else 'xmlns="http://www.topografix.com/GPX/1/1"'
    )
    body = "\n".join(pts)
    note = "<!-- exported by hand -->" if comment else ""
    return (
        f'<?xml version="1.0"?>\n<{p}gpx version="1.1" creator="Garmin Connect" {xmlns} '
        f'xmlns:{ext}="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">{note}<{p}metadata><{p}time>'
        f"2020-01-01T00:00:00Z</{p}time></{p}metadata><{p}trk><{p}name>Night &amp; day</{p}name><{p}type>running"
        f"</{p}type><{p}trkseg>{body}</{p}trkseg></{p}trk></{p}gpx>\n"
    ).encode()


@pytest.mark.parametrize("kw", [{}, {"prefix": "gpx"}, {"ext": "gpxtpx"}, {"comment": True}])
def test_prefixes_comments_and_attribute_order(kw):
    res = gpx.read(gpx_doc(**kw), _ctx())
    s, a = res.tables["samples"], res.tables["activities"]
    assert s["lat"].tolist() == [46.0, 46.1, 46.2, 46.3, 46.4] and s["lon"].iloc[1] == 8.1
    assert s["altitude_m"].tolist() == [500, 501, 502, 503, 504] and s["heart_rate"].iloc[4] == 124
    assert s["cadence"].eq(80).all() and a["name"].iloc[0] == "Night & day" and a["sport"].iloc[0] == "running"
    assert s["timestamp"].iloc[0] == pd.Timestamp("2024-05-01T23:30:00Z")  # not the metadata time


def test_self_closing_points_use_the_tree():
    data = gpx_doc(self_closing=True)
    with pytest.raises(xp.NeedsTree):
        gpx.scan_fast(data)
    s = gpx.read(data, _ctx()).tables["samples"]
    assert len(s) == 6 and np.isnan(s["altitude_m"].iloc[-1])


def test_utc_offset_in_times_gives_the_local_date():
    a = gpx.read(gpx_doc(offset="+02:00"), _ctx()).tables["activities"]
    assert a["start_time"].iloc[0] == pd.Timestamp("2024-05-01T21:30:00Z")
    assert a["local_date"].iloc[0] == pd.Timestamp("2024-05-01") and a["local_date_source"].iloc[0] == "file"
    a = gpx.read(gpx_doc(), _ctx()).tables["activities"]  # Z: no zone statement
    assert a["local_date_source"].iloc[0] == "default"
    assert gpx.read(gpx_doc(), _ctx("Asia/Tokyo")).tables["activities"]["local_date"].iloc[0] == pd.Timestamp(
        "2024-05-02"
    )


def test_cut_off_file_keeps_complete_points():
    data = gpx_doc(5)
    cut = data[: data.index(b"<trkpt", data.index(b'lat="46.3"') - 20) + 30]
    res = gpx.read(cut, _ctx())
    assert len(res.tables["samples"]) == 3 and any("cut off" in w for w in res.warnings)
    with pytest.raises(ReaderError, match="not well-formed"):
        gpx.read(data[: data.index(b"</trkpt>")], _ctx())


def test_detected_with_leading_whitespace_and_bom():
    assert detect(b"\xef\xbb\xbf  \n" + gpx_doc()) == "gpx"


def test_untyped_gpx_takes_the_athlete_default_sport():
    """Many GPX exports name no sport; athlete.toml ``untyped_sport = "running"`` says what they are."""
    from trailstrength.io import Athlete, FileContext, gpx

    data = b"""<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
<trkpt lat="46.0" lon="8.0"><ele>500</ele><time>2024-05-01T06:00:00Z</time></trkpt>
<trkpt lat="46.0001" lon="8.0"><ele>499</ele><time>2024-05-01T06:00:05Z</time></trkpt></trkseg></trk></gpx>"""
    plain = gpx.read(data, FileContext("a/x.gpx", "3" * 64, Athlete("a"))).tables["activities"].iloc[0]
    assert plain["sport"] == "unknown" and plain["sport_source"] == "file"
    ctx = FileContext("a/x.gpx", "3" * 64, Athlete("a", untyped_sport="trail running"))
    row = gpx.read(data, ctx).tables["activities"].iloc[0]
    assert row["sport"] == "running" and row["sport_source"] == "athlete.toml"
