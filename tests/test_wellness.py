"""Soreness and wellness readers: the template, intervals.icu, and PMData's PMSys files (fixtures + the real p01)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from offline import no_network  # noqa: F401  (autouse: no test here touches the network)

from trailstrength import clean, schemas
from trailstrength.io import FORMATS, Athlete, FileContext, ReaderError, detect, pmdata, wellness


@pytest.fixture()
def oslo():
    return FileContext("p09/file.csv", "b" * 64, Athlete("p09", timezone="Europe/Oslo", timezone_known=True))


def read(data: bytes, ctx):
    fmt = detect(data)
    return fmt, FORMATS[fmt].read(data, ctx)


# ------------------------------------------------------------------------------------------------ scales
def test_scale_mapping_and_direction():
    raw = pd.Series([1, 3, 5, 1, 4, 0, 100, 2])
    scale = pd.Series(["1-5", "1-5", "1-5r", "1-5r", "1-4", "0-4", "0-100", "1-7"])
    got = wellness.to_0_10(raw, scale)
    np.testing.assert_allclose(got, [0.0, 5.0, 0.0, 10.0, 10.0, 0.0, 10.0, 10 / 6])


def test_regions_normalised_with_raw_kept():
    tokens = wellness.split_regions(pd.Series(["Left calf; hamstring;neck", "[48979004, 12921003]", "", "Quads"]))
    norm, raw, unknown = wellness.normalise_regions(tokens)
    assert norm.fillna("-").tolist() == ["hamstrings;calves;other", "calves;other", "-", "quads"]
    assert raw.fillna("-").tolist() == ["Left calf;hamstring;neck", "48979004;12921003", "-", "Quads"]
    assert unknown == {"neck", "12921003"}


# ------------------------------------------------------------------------------------------------ template
def test_template_keeps_several_reports_a_day_with_time(oslo):
    data = (
        b"date,time,soreness,regions,scale,fatigue\n"
        b"2025-03-01,07:00,2,quads,0-10,3\n2025-03-01,19:30,6,quads;lower back,0-10,\n2025-03-02,,4,,1-5r,\n"
    )
    fmt, res = read(data, oslo)
    df = res.tables["wellness"]
    assert fmt == "soreness_template" and len(df) == 3
    assert df["reported_at"].iloc[1] == pd.Timestamp("2025-03-01 18:30", tz="UTC")  # 19:30 Oslo (CET)
    assert pd.isna(df["reported_at"].iloc[2]) and df["local_date"].nunique() == 2
    assert df["soreness"].tolist() == [2.0, 6.0, 2.5] and df["soreness_scale"].tolist() == ["0-10", "0-10", "1-5r"]
    assert df["soreness_regions"].iloc[1] == "quads;lower_back"
    schemas.validate("wellness", df)


def test_template_direction_check_warns(oslo):
    # a diary whose sore-region days have the *lowest* scores: a scale read the wrong way round
    rows = [f"2025-01-{d:02d},{1 if d % 2 else 8},{'quads' if d % 2 else ''}" for d in range(1, 13)]
    res = wellness.read_template(("date,soreness,regions\n" + "\n".join(rows) + "\n").encode(), oslo)
    assert any("direction looks reversed" in w for w in res.warnings)


# ------------------------------------------------------------------------------------------------ intervals.icu
ICU = (
    b"date,restingHR,hrv,sleepSecs,sleepScore,soreness,fatigue,stress,mood,motivation,injury,weight\n"
    b"2024-05-01,48,62.5,27000,81,1,2,1,1,2,1,70.2\n"
    b"2024-05-02,50,55.0,25200,75,4,3,2,4,4,2,\n"
    b"2024-05-03,,,,,,,,,,,\n"
    b"2024-05-04,47,,,,2,,,,,4,70.0\n"
)


def test_intervals_fixture(oslo):
    fmt, res = read(ICU, oslo)
    df = res.tables["wellness"]
    assert fmt == "intervals_wellness"
    assert len(df) == 3 and "1 days without any wellness value skipped" in res.warnings
    np.testing.assert_allclose(df["soreness"], [0.0, 10.0, 10 / 3])
    assert df["soreness_raw"].tolist() == [1, 4, 2] and set(df["soreness_scale"]) == {"1-4"}
    np.testing.assert_allclose(df["fatigue"].iloc[:2], [10 / 3, 20 / 3])  # higher = more tired
    np.testing.assert_allclose(df["mood"].iloc[:2], [10.0, 0.0])  # 1 great -> 10, 4 grumpy -> 0
    np.testing.assert_allclose(df["sleep_h"].iloc[:2], [7.5, 7.0])
    assert df["injury_severity"].tolist() == ["none", "minor", "major"]
    assert df["resting_hr_bpm"].tolist()[:2] == [48, 50] and df["hrv_ms"].iloc[0] == 62.5
    assert pd.isna(df["reported_at"]).all() and df["local_date"].iloc[0] == pd.Timestamp("2024-05-01")
    schemas.validate("wellness", df)


def test_intervals_id_column_and_zero_based(oslo):
    data = b"id,ctl,atl,restingHR,soreness,fatigue\n2024-05-01,50,60,48,0,0\n2024-05-02,51,58,49,4,2\n"
    fmt, res = read(data, oslo)
    df = res.tables["wellness"]
    assert fmt == "intervals_wellness" and set(df["soreness_scale"]) == {"0-4"}
    assert df["soreness"].tolist() == [0.0, 10.0] and any("0–4" in w for w in res.warnings)


def test_intervals_sniffer_leaves_strength_logs_alone():
    strong = (
        b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    )
    fitnotes = b"Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time,Comment\n"
    assert not wellness.sniff_intervals(strong) and not wellness.sniff_intervals(fitnotes)
    assert wellness.sniff_intervals(ICU) and not wellness.sniff_intervals(b"date,soreness,regions\n2024-01-01,3,\n")


# intervals.icu's wellness.csv as the site writes it: the date, then the field codes (camel case), empty cells for
# fields not entered that day
ICU_EXPORT_HEADER = (
    "date,weight,restingHR,hrv,hrvSDNN,kcalConsumed,sleepSecs,sleepScore,sleepQuality,avgSleepingHR,"
    "soreness,fatigue,stress,mood,motivation,injury,spO2,ctl,atl,rampRate"
)


def icu_export(days: int, bad: dict[int, dict[str, str]]) -> bytes:
    """``days`` days of an intervals.icu wellness.csv (soreness 2, fatigue 2, ...); ``bad[file line]`` overrides
    cells of that line by field code."""
    header = ICU_EXPORT_HEADER.split(",")
    lines = [ICU_EXPORT_HEADER]
    for k in range(days):
        row = dict.fromkeys(header, "")
        row.update(
            date=(pd.Timestamp("2024-03-01") + pd.Timedelta(days=k)).strftime("%Y-%m-%d"),
            weight="71.4",
            restingHR=str(46 + k % 3),
            hrv="58.0",
            sleepSecs="27000",
            soreness=str(1 + k % 3),
            fatigue="2",
            stress="1",
            mood="2",
            ctl="41.2",
            atl="44.0",
        )
        row.update(bad.get(k + 2, {}))
        lines.append(",".join(row[h] for h in header))
    return ("\n".join(lines) + "\n").encode()


def _log(res) -> list[list]:
    return res.tables["warnings"].sort_values(["line", "column"])[["line", "column", "value", "reason"]].values.tolist()


def test_intervals_out_of_range_values_cost_their_value(oslo):
    """Issue 14, item 2: a soreness of 12, a stress of 7, a weight of 0, resting HR 0 and 30 h of sleep are left
    empty on their line, every other value of the day and every other day kept, each recorded; before, any one of
    them rejected the whole file (a score through the reader's range check, the rest through the schema)."""
    bad = {
        5: {"soreness": "12"},
        9: {"stress": "7", "weight": "0"},
        12: {"restingHR": "0", "sleepSecs": "108000"},
        20: {"fatigue": "tired"},
    }
    fmt, res = read(icu_export(30, bad), oslo)
    df = res.tables["wellness"]
    assert fmt == "intervals_wellness" and len(df) == 30
    assert _log(res) == [
        [5, "soreness", "12", "outside 1–4"],
        [9, "stress", "7", "outside 1–4"],
        [9, "weight", "0", "outside 20–300 kg"],
        [12, "restinghr", "0", "outside 25–250 bpm"],
        [12, "sleepsecs", "108000", "outside 0–86400 s"],
        [20, "fatigue", "tired", "not a number"],
    ]
    assert df["soreness"].isna().tolist() == [k == 3 for k in range(30)]  # file line 5 = data row 3
    assert df["stress"].isna().sum() == 1 and df["body_mass_kg"].isna().sum() == 1
    assert (
        df["resting_hr_bpm"].isna().sum() == 1 and df["sleep_h"].isna().sum() == 1 and df["fatigue"].isna().sum() == 1
    )
    assert df.loc[7, "soreness"] == wellness.rescale(pd.Series([1 + 7 % 3]), 1, 4).iloc[0]  # line 9 keeps soreness
    assert set(df["soreness_scale"].dropna()) == {"1-4"}  # no 0 in the file: the 1–4 scale
    assert any(w.startswith("soreness: 1 value outside 1–4 (line 5: '12')") for w in res.warnings)
    schemas.validate("wellness", df)


def test_intervals_bad_dates_cost_their_line_and_a_file_of_nothing_is_refused(oslo):
    """A line without a date is left out alone; a file is rejected only when no day keeps a value, and the
    message says which values were left out."""
    res = wellness.read_intervals(icu_export(4, {3: {"date": "yesterday"}}), oslo)
    assert len(res.tables["wellness"]) == 3
    assert _log(res) == [[3, "date", "yesterday", "row left out: not a YYYY-MM-DD date"]]
    with pytest.raises(ReaderError, match=r"no day has any wellness value \(soreness: 1 value outside 1–4 \(line 2"):
        wellness.read_intervals(b"date,restingHR,soreness\n2024-05-01,,7\n", oslo)
    with pytest.raises(ReaderError, match="no usable row"):
        wellness.read_intervals(b"date,restingHR,soreness\nsoon,48,2\n", oslo)


def test_intervals_bad_value_is_kept_out_of_the_warehouse_and_counted(tmp_path):
    """The same through ingest: the file is ingested, the values are in wh.warnings with the file and athlete,
    and the ingest summary counts them."""
    from trailstrength.warehouse import ingest, open_warehouse

    folder = tmp_path / "raw" / "p09"
    folder.mkdir(parents=True)
    (folder / "wellness.csv").write_bytes(icu_export(30, {5: {"soreness": "12"}, 9: {"weight": "0"}}))
    report = ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False, workers=1)
    wh = open_warehouse(tmp_path / "wh")
    assert wh.manifest["state"].tolist() == ["ingested"] and wh.manifest["format"].tolist() == ["intervals_wellness"]
    assert wh.wellness["soreness"].notna().sum() == 29 and len(wh.wellness) == 30
    got = wh.warnings.sort_values("line")[["source_file", "athlete_id", "line", "column", "value"]]
    assert got.values.tolist() == [
        ["p09/wellness.csv", "p09", 5, "soreness", "12"],
        ["p09/wellness.csv", "p09", 9, "weight", "0"],
    ]
    assert report.values_left_out == {"p09/wellness.csv": 2}
    assert any("2 values left empty or rows left out in 1 file" in line for line in report.notes())


def test_template_fatigue_and_sleep_outside_their_range_cost_their_value(oslo):
    """The soreness diary template: fatigue 0–10 and sleep 0–24 h are checked like soreness (before, a fatigue of
    15 went through unchecked and a sleep of 30 h rejected the file at the schema)."""
    data = b"date,soreness,fatigue,sleep_h\n2025-03-01,2,15,7.5\n2025-03-02,3,4,30\n2025-03-03,1,3,8\n"
    res = wellness.read_template(data, oslo)
    df = res.tables["wellness"]
    assert df["soreness"].tolist() == [2.0, 3.0, 1.0]
    assert df["fatigue"].isna().tolist() == [True, False, False] and df["sleep_h"].isna().tolist() == [
        False,
        True,
        False,
    ]
    assert _log(res) == [[2, "fatigue", "15", "outside 0–10"], [3, "sleep_h", "30", "outside 0–24 h"]]
    schemas.validate("wellness", df)


# ------------------------------------------------------------------------------------------------ PMData fixtures
PM_WELLNESS = (
    b"effective_time_frame,fatigue,mood,readiness,sleep_duration_h,sleep_quality,soreness,soreness_area,stress\n"
    b'2020-01-02T06:10:00.000Z,2,3,6,7,3,2,"[48979004, 32696007]",3\n'
    b"2020-01-02T18:00:00.000Z,3,4,7,7,3,1,[12921003],4\n"
    b"2020-01-03T06:30:00.000Z,5,5,9,8,5,5,[],5\n"
)
PM_SRPE = (
    b"end_date_time,activity_names,perceived_exertion,duration_min\n"
    b"2020-01-01T18:00:00.000Z,\"['strength']\",7,45\n"
    b"2020-01-02T17:00:00.000Z,\"['individual', 'running']\",5,40\n"
    b"2020-01-04T20:00:00.000Z,\"['team', 'soccer']\",6,90\n"
)
PM_INJURY = (
    b"effective_time_frame,injuries\n2020-01-02T06:11:00.000Z,{}\n"
    b"2020-01-09T06:11:00.000Z,\"{'left_knee': 'minor', 'lower_back': 'major'}\"\n"
)


def test_pmdata_wellness_fixture(oslo):
    fmt, res = read(PM_WELLNESS, oslo)
    df = res.tables["wellness"]
    assert fmt == "pmdata_wellness" and len(df) == 3
    assert df["soreness"].tolist() == [7.5, 10.0, 0.0]  # 1–5 with 1 = very sore
    assert df["soreness_scale"].tolist() == ["1-5r"] * 3 and df["soreness_raw"].tolist() == [2, 1, 5]
    assert df["fatigue"].tolist() == [7.5, 5.0, 0.0] and df["mood"].tolist() == [5.0, 7.5, 10.0]
    assert df["soreness_regions"].fillna("-").tolist() == ["calves", "other", "-"]
    assert df["local_date"].nunique() == 2  # two reports on 2 January, both kept with their times
    schemas.validate("wellness", df)


def test_pmdata_srpe_sessions_become_session_rows(oslo):
    fmt, res = read(PM_SRPE, oslo)
    acts, sets = res.tables["activities"], res.tables["strength_sets"]
    assert fmt == "pmdata_srpe"
    assert acts["sport"].tolist() == ["strength_training", "running", "soccer"]
    assert acts["start_time"].iloc[0] == pd.Timestamp("2020-01-01 17:15", tz="UTC")
    assert acts["session_load_au"].tolist() == [315.0, 200.0, 540.0] and acts["activity_id"].is_unique
    assert len(sets) == 1 and sets["exercise_raw"].iloc[0] == pmdata.STRENGTH_SESSION_EXERCISE
    assert sets["duration_s"].iloc[0] == 2700 and sets["rpe"].iloc[0] == 7
    schemas.validate("activities", acts)
    classified = clean.classify_strength(sets)
    assert classified["posterior_chain_weight"].iloc[0] == 0.0  # unknown exercises never count as hinge work
    schemas.validate("strength_sets", classified)


def test_pmdata_injury_fixture(oslo):
    fmt, res = read(PM_INJURY, oslo)
    df = res.tables["wellness"]
    assert fmt == "pmdata_injury"
    assert df["injury_severity"].tolist() == ["none", "major"]
    assert df["injury_regions"].fillna("-").tolist() == ["-", "left_knee;lower_back"]
    assert set(df["report_kind"]) == {"injury"} and df["soreness"].isna().all()
    schemas.validate("wellness", df)


# ------------------------------------------------------------------------------------------------ PMData real p01
@pytest.mark.realdata
def test_pmdata_p01_real_sample(realdata, oslo):
    folder = realdata("pmdata/p01/pmsys")
    w = read((folder / "wellness.csv").read_bytes(), oslo)[1]
    df = w.tables["wellness"]
    raw = pd.read_csv(folder / "wellness.csv")
    assert len(df) == len(raw) == 138
    np.testing.assert_allclose(df["soreness"], (5 - raw["soreness"]) / 4 * 10)
    named = df["soreness_regions"].notna()
    assert named.sum() == 60 and (~named).sum() == 78
    # direction: reports naming sore areas are the more sore ones after mapping
    assert df.loc[named, "soreness"].mean() > df.loc[~named, "soreness"].mean()
    assert not any("reversed" in x for x in w.warnings)
    assert df["soreness_regions"].str.contains("calves").sum() == 36  # left / right lower leg
    schemas.validate("wellness", df)

    s = read((folder / "srpe.csv").read_bytes(), oslo)[1]
    assert set(s.tables) == {"activities"}  # p01 logged no strength sessions
    assert s.tables["activities"]["sport"].value_counts().to_dict() == {"running": 22, "soccer": 11, "endurance": 1}

    inj = read((folder / "injury.csv").read_bytes(), oslo)[1].tables["wellness"]
    assert len(inj) == 24 and inj["injury_severity"].value_counts().to_dict() == {"none": 23, "minor": 1}


@pytest.mark.realdata
def test_pmdata_p01_ingests_into_the_warehouse(realdata, tmp_path):
    import shutil

    from trailstrength.warehouse import ingest, open_warehouse

    athlete = tmp_path / "raw" / "p01"
    athlete.mkdir(parents=True)
    for f in ("wellness.csv", "srpe.csv", "injury.csv"):
        shutil.copy(realdata(f"pmdata/p01/pmsys/{f}"), athlete / f)
    (athlete / "athlete.toml").write_text('timezone = "Europe/Oslo"\n')
    (athlete / "icu.csv").write_bytes(ICU)
    report = ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False)
    m = report.manifest.set_index("path")
    assert (m["state"] == "ingested").all(), m["reason"].to_dict()
    assert m.loc["p01/srpe.csv", "format"] == "pmdata_srpe" and m.loc["p01/icu.csv", "format"] == "intervals_wellness"
    wh = open_warehouse(tmp_path / "wh")
    assert len(wh.wellness) == 138 + 24 + 3 and len(wh.activities) == 34
