"""TCX reader: Garmin, Polar, TomTom and Strava dialects; fast path against the lxml tree; laps; faults."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength import schemas
from trailstrength.io import Athlete, FileContext, ReaderError, detect, fit, tcx

REAL_TCX = [
    "heartandsole/testdata.tcx",
    "runpandas/11km.tcx",
    "runpandas/run.tcx",
    "runpandas/run_garmin.tcx",
    "runpandas/stopped_example.tcx",
    "sweatpy/3173437224.tcx",
    "tcxreader/cross-country-skiing_activity_1.tcx",
]


def _ctx(tz: str | None = None) -> FileContext:
    return FileContext("a/f.tcx", "d" * 64, Athlete("a", tz or "UTC", tz is not None))


@pytest.mark.parametrize("rel", REAL_TCX)
def test_fast_path_equals_tree_and_validates(realdata, rel):
    data = realdata(rel).read_bytes()
    assert detect(data) == "tcx"
    fast, tree = tcx.scan_fast(data), tcx.scan_tree(data)
    assert len(fast) == len(tree) == 1
    for key, want in tree[0].items():
        got = fast[0][key]
        if isinstance(want, np.ndarray):
            np.testing.assert_array_equal(got, want, err_msg=key)
        else:
            assert got == want or (got != got and want != want), key
    res = tcx.read(data, _ctx())
    schemas.validate("activities", res.tables["activities"])
    schemas.validate("samples", res.tables["samples"])


def test_garmin_export_matches_the_fit_file(realdata):
    """heartandsole's TCX is the same run as its FIT file: times, positions, altitude, distance, HR agree."""
    t = tcx.read(realdata("heartandsole/testdata.tcx").read_bytes(), _ctx()).tables["samples"]
    f = fit.read(realdata("heartandsole/testdata.fit").read_bytes(), _ctx()).tables["samples"]
    both = t.merge(f, on="timestamp", suffixes=("_tcx", "_fit"))
    assert len(both) >= len(f) - 1
    np.testing.assert_allclose(both["lat_tcx"], both["lat_fit"], atol=1e-6)
    # Garmin Connect's TCX export carries its elevation-corrected altitude, so only roughly the FIT's
    np.testing.assert_allclose(both["altitude_m_tcx"], both["altitude_m_fit"], atol=15)
    np.testing.assert_allclose(both["distance_m_tcx"], both["distance_m_fit"], atol=0.01)
    np.testing.assert_array_equal(both["heart_rate_tcx"], both["heart_rate_fit"])


def test_dialects(realdata):
    polar = tcx.read(realdata("sweatpy/3173437224.tcx").read_bytes(), _ctx()).tables
    assert polar["activities"]["device"].iloc[0] == "Polar M400" and polar["samples"]["heart_rate"].notna().all()
    tomtom = tcx.read(realdata("runpandas/run.tcx").read_bytes(), _ctx()).tables
    a = tomtom["activities"]
    assert tomtom["samples"]["heart_rate"].isna().all() and tomtom["samples"]["speed_mps"].notna().all()
    assert a["device_distance_m"].iloc[0] == pytest.approx(4824.94)  # the lap's, not the LX extension's 4988
    other = tcx.read(realdata("tcxreader/cross-country-skiing_activity_1.tcx").read_bytes(), _ctx()).tables
    assert other["activities"]["sport"].iloc[0] == "other"
    assert other["activities"]["altitude_source"].iloc[0] == "barometric"  # vívoactive HR has an altimeter


def test_pauses_laps_and_device_timer(realdata):
    a = tcx.read(realdata("runpandas/stopped_example.tcx").read_bytes(), _ctx()).tables["activities"]
    assert a["n_laps"].iloc[0] == 3
    assert a["device_timer_s"].iloc[0] == pytest.approx(4753.0)  # lap TotalTimeSeconds exclude the pauses
    assert a["duration_s"].iloc[0] - a["moving_time_s"].iloc[0] > 300


def test_strava_leading_whitespace(realdata):
    data = b"\n      " + realdata("heartandsole/testdata.tcx").read_bytes()
    assert detect(data) == "tcx"
    assert len(tcx.read(data, _ctx()).tables["samples"]) == 49
    assert len(tcx.scan_tree(data)[0]["time"]) == 49


# ------------------------------------------------------------------------------------------ synthetic
def tcx_doc(activities: list[list[str]], sport: str = "Running") -> bytes:
    acts = []
    for _k, times in enumerate(activities):
        pts = "".join(
            f"<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>46.{i}</LatitudeDegrees>"
            f"<LongitudeDegrees>8.0</LongitudeDegrees></Position><DistanceMeters>{10 * i}</DistanceMeters>"
            + (f"<HeartRateBpm><Value>{130 + i}</Value></HeartRateBpm>" if i % 2 == 0 else "")
            + "<Extensions><ns3:TPX><ns3:Speed>3.5</ns3:Speed><ns3:RunCadence>88</ns3:RunCadence>"
            "</ns3:TPX></Extensions></Trackpoint>"
            for i, t in enumerate(times)
        )
        acts.append(
            f'<Activity Sport="{sport}"><Id>{times[0] if times else "2024-01-01T00:00:00Z"}</Id>'
            f'<Lap StartTime="x"><TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>100</DistanceMeters>'
            f"<AverageHeartRateBpm><Value>999</Value></AverageHeartRateBpm><Cadence>7</Cadence>"
            f"<Track>{pts}</Track></Lap></Activity>"
        )
    return (
        '<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2" xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
        f"<Activities>{''.join(acts)}</Activities></TrainingCenterDatabase>"
    ).encode()


def test_two_activities_missing_hr_and_lap_values_stay_out():
    times = [f"2024-03-01T10:00:{s:02d}+01:00" for s in range(4)]
    res = tcx.read(tcx_doc([times, [t.replace("10:", "12:") for t in times]]), _ctx())
    a, s = res.tables["activities"], res.tables["samples"]
    assert a["activity_id"].tolist() == ["d" * 16, "d" * 16 + "-1"]
    assert s.groupby("activity_id").size().tolist() == [4, 4]
    first = s[s["activity_id"] == "d" * 16]
    assert first["heart_rate"].tolist()[:2] == [130.0, 131.0] or np.isnan(first["heart_rate"].iloc[1])
    assert np.isnan(first["heart_rate"].iloc[1])  # no HR on odd points; the lap's 999 never leaks in
    assert first["cadence"].eq(88).all() and first["speed_mps"].eq(3.5).all()  # not the lap's Cadence 7
    assert a["start_time"].iloc[0] == pd.Timestamp("2024-03-01T09:00:00Z")
    assert a["local_date_source"].iloc[0] == "file" and a["utc_offset_s"].iloc[0] == 3600


def test_manual_entry_without_trackpoints_is_kept():
    res = tcx.read(tcx_doc([[]]), _ctx())
    assert len(res.tables["activities"]) == 1 and len(res.tables["samples"]) == 0
    assert res.tables["activities"]["device_timer_s"].iloc[0] == 60


def test_cut_off_and_course_files():
    data = tcx_doc([[f"2024-03-01T10:00:{s:02d}Z" for s in range(6)]])
    cut = data[: data.index(b"<Trackpoint>", data.index(b"46.4")) + 40]
    res = tcx.read(cut, _ctx())
    assert len(res.tables["samples"]) == 5 and any("cut off" in w for w in res.warnings)
    with pytest.raises(ReaderError, match="course"):
        tcx.read(
            b'<?xml version="1.0"?><TrainingCenterDatabase><Courses><Course><Name>x</Name></Course>'
            b"</Courses></TrainingCenterDatabase>",
            _ctx(),
        )
    with pytest.raises(ReaderError, match="not well-formed"):
        tcx.read(data[:200], _ctx())
