"""FIT reader: values against fitdecode (the oracle) on every real sample, sessions, faults, strength sets."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from trailstrength import schemas
from trailstrength.io import Athlete, FileContext, ReaderError, detect, fit
from trailstrength.io.fit_decode import crc16, frame

ACTIVITY_FITS = [
    "heartandsole/testdata.fit",
    "open-fitness-dataset/1253222978_ACTIVITY.fit",
    "open-fitness-dataset/3551724293.fit",
    "python-fitparse/2013-02-06-12-11-14.fit",
    "python-fitparse/activity-large-fenxi2-multisport.fit",
    "python-fitparse/activity-small-fenix2-run.fit",
    "python-fitparse/compressed-speed-distance.fit",
    "python-fitparse/developer-types-sample.fit",
    "python-fitparse/garmin-fenix-5-run.fit",
    "runpandas/run.fit",
    "sweatpy/6471559601_ACTIVITY.fit",
    # the two damaged files: every record before the fault is kept (DESIGN §10), see test_faults_*
    "python-fitparse/activity-unexpected-eof.fit",
    "python-fitparse/activity-settings-corruptheader.fit",
]
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)


def _ctx(tz: str | None = None) -> FileContext:
    return FileContext("a/f.fit", "f" * 64, Athlete("a", tz or "UTC", tz is not None))


def oracle_records(data: bytes) -> pd.DataFrame:
    """Record values straight from fitdecode, written independently of the reader under test."""
    import fitdecode

    rows = []
    with fitdecode.FitReader(
        data, check_crc=fitdecode.CrcCheck.DISABLED, error_handling=fitdecode.ErrorHandling.IGNORE
    ) as reader:
        try:
            for m in reader:
                if isinstance(m, fitdecode.FitDataMessage) and m.name == "record":
                    rows.append({f.name: f.value for f in m.fields})
        except fitdecode.FitError:
            pass  # damaged file: compare what decodes
    df = pd.DataFrame(rows)

    def col(*names):
        out = pd.Series(np.nan, index=df.index, dtype=float)
        for n in names:
            if n in df:
                out = out.fillna(pd.to_numeric(df[n], errors="coerce"))
        return out

    ts = df["timestamp"].map(lambda v: v if isinstance(v, dt.datetime) else FIT_EPOCH + dt.timedelta(seconds=v))
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(ts, utc=True).astype("datetime64[ns, UTC]"),
            "lat": col("position_lat") * 180 / 2**31,
            "lon": col("position_long") * 180 / 2**31,
            "altitude_m": col("enhanced_altitude", "altitude"),
            "distance_m": col("distance"),
            "speed_mps": col("enhanced_speed", "speed"),
            "heart_rate": col("heart_rate"),
            "cadence": col("cadence") + col("fractional_cadence").fillna(0),
        }
    )


@pytest.mark.parametrize("rel", ACTIVITY_FITS)
def test_values_equal_fitdecode(realdata, rel):
    data = realdata(f"{rel}").read_bytes()
    res = fit.read(data, _ctx())
    ours = res.tables["samples"]
    want = oracle_records(data)
    assert len(ours) == len(want) > 0
    # time stamps exact (device-relative files are shifted as a whole: compare their steps)
    t_ours = ours["timestamp"].astype("int64").to_numpy()
    t_want = want["timestamp"].astype("int64").to_numpy()
    if "device-relative" in " ".join(res.warnings):
        np.testing.assert_array_equal(np.diff(t_ours), np.diff(t_want))
    else:
        np.testing.assert_array_equal(t_ours, t_want)
    # within field resolution: 1 semicircle, 0.2 m altitude (scale 5), 1 cm distance, 1 mm/s speed
    for column, tol in [
        ("lat", 1e-7),
        ("lon", 1e-7),
        ("altitude_m", 0.2),
        ("distance_m", 0.01),
        ("speed_mps", 0.001),
        ("heart_rate", 0),
        ("cadence", 1 / 128),
    ]:
        a, b = ours[column].to_numpy(float), want[column].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=column)
        np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)], atol=tol, rtol=0, err_msg=column)
    for name, df in res.tables.items():
        schemas.validate(name, df) if name != "strength_sets" else None


def test_detected_by_content(realdata):
    assert detect(realdata("runpandas/run.fit").read_bytes()) == "fit"


@pytest.mark.parametrize("rel", [r for r in ACTIVITY_FITS if "corrupt" not in r and "eof" not in r])
def test_framed_meta_stream_equals_full_parse(realdata, rel):
    """The fast path's cut-down stream decodes to exactly the messages of the full file."""
    import fitfast

    data = realdata(rel).read_bytes()
    fr = frame(data)
    if fr.meta_stream is None:
        pytest.skip(reason="no meta stream: the reader parses the full file")
    try:
        full = fitfast.parse(data)
    except fitfast.FitDecodeError:
        pytest.skip(reason="fitfast rejects this file as a whole (fitdecode path)")
    want = {
        k: v
        for k, v in full.items()
        if k
        in {
            "file_id",
            "session",
            "lap",
            "event",
            "activity",
            "set",
            "sport",
            "device_info",
            "file_creator",
            "field_description",
            "developer_data_id",
        }
    }
    assert fitfast.parse(fr.meta_stream) == want


def test_fenix5_matches_fitparse_expected_values(realdata):
    expected = pd.read_csv(realdata("python-fitparse/garmin-fenix-5-run-records.csv"))
    s = fit.read(realdata("python-fitparse/garmin-fenix-5-run.fit").read_bytes(), _ctx()).tables["samples"]
    assert len(s) == len(expected) == 21
    np.testing.assert_array_equal(s["heart_rate"], expected["heart_rate"])
    np.testing.assert_allclose(s["lat"], expected["position_lat"] * 180 / 2**31, atol=1e-9)
    np.testing.assert_allclose(s["altitude_m"], expected["altitude"], atol=1e-6)
    assert str(s["timestamp"].iloc[0]) == "2017-06-11 14:34:09+00:00"  # 07:34:09 PDT


def test_compressed_speed_distance_matches_fitparse_expected_values(realdata):
    res = fit.read(realdata("python-fitparse/compressed-speed-distance.fit").read_bytes(), _ctx())
    expected = pd.read_csv(realdata("python-fitparse/compressed-speed-distance-records.csv"), skipinitialspace=True)
    s = res.tables["samples"].iloc[1:].reset_index(drop=True)  # the CSV starts at the second record
    assert len(s) == len(expected)
    np.testing.assert_allclose(s["speed_mps"], expected["Speed [m/s]"], atol=1e-9)
    np.testing.assert_allclose(s["distance_m"], expected["Distance [m]"], atol=1e-9)
    assert any("compressed" in w for w in res.warnings)


def test_device_relative_times_placed_with_local_timestamp(realdata):
    data = realdata("python-fitparse/compressed-speed-distance.fit").read_bytes()
    utc = fit.read(data, _ctx()).tables["activities"]
    oslo = fit.read(data, _ctx("Europe/Oslo")).tables["activities"]
    assert utc["start_time"].iloc[0] == pd.Timestamp("2012-02-13T11:16:16Z")  # local 11:16 read as UTC
    assert oslo["start_time"].iloc[0] == pd.Timestamp("2012-02-13T10:16:16Z")  # local 11:16 in Oslo (CET)
    assert oslo["local_date"].iloc[0] == pd.Timestamp("2012-02-13")


def test_multisport_one_activity_per_session(realdata):
    res = fit.read(realdata("python-fitparse/activity-large-fenxi2-multisport.fit").read_bytes(), _ctx())
    a, s = res.tables["activities"], res.tables["samples"]
    assert a["sport"].tolist() == ["generic", "transition", "running", "transition", "running", "transition", "cycling"]
    assert a["activity_id"].is_unique and set(s["activity_id"]) == set(a["activity_id"])
    assert len(s) == 24239 and (s["elapsed_s"] >= 0).all()
    # each leg's samples lie inside its window
    for _, row in a.iterrows():
        ts = s.loc[s["activity_id"] == row["activity_id"], "timestamp"]
        assert ts.min() >= row["start_time"] and (ts.max() - row["start_time"]).total_seconds() <= row["duration_s"] + 1
    assert (a["altitude_source"] == "barometric").all() and a["device"].iloc[0] == "garmin fenix2"
    small = fit.read(realdata("sweatpy/6471559601_ACTIVITY.fit").read_bytes(), _ctx()).tables["activities"]
    assert small["sport"].tolist() == ["running", "transition", "rowing"]


def test_truncated_file_keeps_records_before_the_fault(realdata):
    res = fit.read(realdata("python-fitparse/activity-unexpected-eof.fit").read_bytes(), _ctx())
    assert len(res.tables["samples"]) == 14
    assert any("fitfast rejected" in w for w in res.warnings)
    assert any("byte 768" in w and "kept the 14 records" in w for w in res.warnings)
    res = fit.read(realdata("python-fitparse/activity-settings-corruptheader.fit").read_bytes(), _ctx())
    assert len(res.tables["samples"]) == 14 and any("byte 771" in w and "not a FIT file" in w for w in res.warnings)


def test_fitfast_checksum_rejection_falls_back_to_fitdecode(realdata):
    res = fit.read(realdata("python-fitparse/2013-02-06-12-11-14.fit").read_bytes(), _ctx())
    assert res.tables["activities"]["decoder"].iloc[0] == "fitdecode"
    assert len(res.tables["samples"]) == 590 and any("checksum mismatch" in w for w in res.warnings)


@pytest.mark.parametrize(
    "rel", ["open-fitness-dataset/118799063835_WELLNESS.fit", "open-fitness-dataset/118799068102_SLEEP_DATA.fit"]
)
def test_non_activity_fit_files_are_refused(realdata, rel):
    with pytest.raises(ReaderError, match="not an activity"):
        fit.read(realdata(rel).read_bytes(), _ctx())


def test_developer_fields_kept_by_name(realdata):
    s = fit.read(realdata("python-fitparse/developer-types-sample.fit").read_bytes(), _ctx()).tables["samples"]
    assert {"dev_form_power", "dev_leg_spring_stiffness"} <= set(s.columns)
    assert s["dev_form_power"].notna().mean() > 0.9


def test_no_gps_no_altitude_flagged_not_dropped(realdata):
    a = fit.read(realdata("open-fitness-dataset/1253222978_ACTIVITY.fit").read_bytes(), _ctx()).tables["activities"]
    assert not a["has_gps"].iloc[0] and not a["has_altitude"].iloc[0] and a["altitude_source"].iloc[0] == "none"
    fr220 = fit.read(realdata("heartandsole/testdata.fit").read_bytes(), _ctx()).tables["activities"]
    assert fr220["altitude_source"].iloc[0] == "gps" and fr220["device"].iloc[0] == "garmin fr220"


def test_real_strength_activity(realdata):
    res = fit.read(realdata("open-fitness-dataset/3551724293.fit").read_bytes(), _ctx())
    a, sets = res.tables["activities"], res.tables["strength_sets"]
    assert a["sport"].iloc[0] == "strength_training"
    assert len(sets) == 1 and sets["reps"].iloc[0] == 9 and np.isnan(sets["load_kg"].iloc[0])
    assert (
        sets["exercise_raw"].iloc[0] == "unknown (FIT 65534)" and sets["session_id"].iloc[0] == a["activity_id"].iloc[0]
    )


# ------------------------------------------------------------------------------------- synthetic files
def _track(n=60, start="2024-05-01T21:30:00Z"):
    return pd.DataFrame(
        {
            "time": pd.date_range(start, periods=n, freq="s"),
            "lat": 46 + np.arange(n) * 2e-5,
            "lon": 8.0,
            "ele": 500 - np.arange(n) * 0.5,
            "hr": 130.0,
        }
    )


def _set(k, cat, sub, weight=None, reps=8, kind="active"):
    t0 = pd.Timestamp("2024-05-01T21:31:00Z").timestamp() + 120 * k
    return {
        "timestamp": t0 + 40,
        "start_time": t0,
        "duration": 40.0,
        "repetitions": reps,
        "weight": weight,
        "set_type": kind,
        "category": [cat],
        "category_subtype": [sub],
        "message_index": k,
    }


def test_strength_sets_names_loads_and_rest_sets():
    from trailstrength.simulate.formats import fit_activity

    sets = [
        _set(0, 8, 23, weight=100.0),
        _set(1, 8, 23, kind="rest", reps=None),
        _set(2, 8, 23, weight=102.5),
        _set(3, 15, 2, weight=40.0),
        _set(4, 8, 65534, weight=60.0),
        _set(5, 65534, 65534),
        _set(6, 10, 1, weight=24.0),
    ]
    res = fit.read(fit_activity(_track(), sport="training", sets=sets), _ctx())
    df = res.tables["strength_sets"]
    assert df["exercise_raw"].tolist() == [
        "romanian_deadlift",
        "romanian_deadlift",
        "good_morning",
        "deadlift/unknown",
        "unknown (FIT 65534)",
        "barbell_hip_thrust_with_bench",
    ]
    assert df["load_kg"].tolist()[:3] == [100.0, 102.5, 40.0]  # raw 1600 / 16 = 100 kg
    assert df["set_index"].tolist()[:2] == [0, 1] and (df["set_type"] == "working").all()
    assert df["local_date"].notna().all()


def test_zone_from_file_when_athlete_has_none():
    from trailstrength.simulate.formats import fit_activity

    data = fit_activity(_track(), utc_offset_s=7200)  # starts 21:30 UTC = 23:30 at UTC+2
    a = fit.read(data, _ctx()).tables["activities"]
    assert a["local_date"].iloc[0] == pd.Timestamp("2024-05-01") and a["local_date_source"].iloc[0] == "file"
    tokyo = fit.read(data, _ctx("Asia/Tokyo")).tables["activities"]  # athlete.toml wins
    assert tokyo["local_date"].iloc[0] == pd.Timestamp("2024-05-02") and tokyo["local_date_source"].iloc[0] == "athlete"
    bare = fit.read(fit_activity(_track()), _ctx()).tables["activities"]
    assert bare["local_date_source"].iloc[0] == "default"


def test_big_endian_definitions_and_synthetic_truncation():
    from trailstrength.simulate.formats import encode_fit

    t = 1714543200.0 + np.arange(200)
    msgs = [
        ("file_id", {"type": "activity", "manufacturer": "garmin", "product": 1967, "time_created": t[0]}),
        ("record", {"timestamp": t, "heart_rate": np.full(200, 140.0), "distance": np.arange(200) * 3.0}),
    ]
    data = encode_fit(msgs, big_endian=True)
    full = fit.read(data, _ctx())
    assert len(full.tables["samples"]) == 200 and full.tables["samples"]["distance_m"].iloc[-1] == 597.0
    assert any("no session" in w for w in full.warnings)
    cut = fit.read(data[: len(data) * 2 // 3], _ctx())
    n = len(cut.tables["samples"])
    assert 100 < n < 200 and any(f"kept the {n} records" in w for w in cut.warnings)


def test_not_fit_inside_is_a_reader_error():
    with pytest.raises(ReaderError):
        fit.read(b"\x0e\x10\x00\x00\x20\x00\x00\x00.FIT\x00\x00" + b"\xff" * 40, _ctx())


def test_crc16_known_value():
    assert crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value
