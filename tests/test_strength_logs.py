"""Strength-log readers: Strong (every dialect and language), Hevy (kg and lbs), FitNotes (both headers), the
template; checked against hand-read values of small fixtures and, set by set, against the real exports.

Fixtures in tests/data/strength/ copy the published layouts byte for byte in their headers:
* Strong semicolon/unit columns, ``Workout #`` (semicolon, all quoted): the layouts of real exports catalogued from
  public repositories (joshuayoes/strong-backup, matias-ceau/biovector; rows and names are ours);
* Strong French: the header of a real French export (Martsk23/fitness-recomp), with its ``Minuteur de repos`` rows;
* Strong German / Spanish: headers in the app's terms as :data:`trailstrength.io.strong.HEADER_NAMES` maps them
  (no captured export was available; the Spanish file also carries 12-hour times);
* Hevy kg / lbs: the 14-column published header, ``9 Apr 2026, 17:18`` and zero-padded ``02 Jul 2025`` dates;
* FitNotes old (``Weight (kgs)`` / ``Weight (lbs)``) and FitNotes 2 iOS (both weight columns).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trailstrength import clean, schemas
from trailstrength.exercises import MATCH_METHODS, unmatched_report
from trailstrength.io import FORMATS, Athlete, FileContext, ReaderError, detect, fitnotes, hevy, strength_logs, strong
from trailstrength.io.strength_logs import parse_local_times
from trailstrength.units import LB_KG, MILE_M, parse_duration_s, tempo_eccentric_s

DATA = Path(__file__).parent / "data" / "strength"


def read(name: str, ctx) -> tuple[pd.DataFrame, list[str], str]:
    data = (DATA / name).read_bytes()
    fmt = detect(data)
    res = FORMATS[fmt].read(data, ctx)
    sets = res.tables["strength_sets"]
    schemas.validate("strength_sets", clean.classify_strength(sets))
    return sets, res.warnings, fmt


# ------------------------------------------------------------------------------------------------ helpers


def test_durations_in_every_spelling():
    got = parse_duration_s(
        pd.Series(["1h 5m", "2h 18m", "38min", "53m", "1h", "264h 1m", "45s", "3600", "0:01:00", "1:05", "", "soon"])
    )
    assert got.tolist()[:10] == [3900, 8280, 2280, 3180, 3600, 950460, 45, 3600, 60, 65]
    assert got.iloc[10:].isna().all()


def test_twelve_hour_times_and_spanish_markers():
    got = parse_local_times(
        pd.Series(
            [
                "2024-03-05 18:01:12",
                "2024-03-05 6:01:12 PM",
                "2024-03-05 12:05:00 AM",
                "2024-03-05 6:01 p. m.",
                "nonsense",
            ]
        ),
        strong.TIME_FORMATS,
    )
    assert got.iloc[:4].tolist() == [
        pd.Timestamp("2024-03-05 18:01:12"),
        pd.Timestamp("2024-03-05 18:01:12"),
        pd.Timestamp("2024-03-05 00:05"),
        pd.Timestamp("2024-03-05 18:01"),
    ]
    assert pd.isna(got.iloc[4])


def test_tempo_lowering_seconds():
    got = tempo_eccentric_s(pd.Series(["3-1-1", "31X1", "4/0/1/0", "2.5-0-1", "3", None, "fast"]))
    assert got.iloc[:5].tolist() == [3, 3, 4, 2.5, 3] and got.iloc[5:].isna().all()


# ------------------------------------------------------------------------------------------------ Strong


def test_strong_classic_real_export_set_by_set(realdata, ctx):
    path = realdata("strong-charts/strong.csv")
    data = path.read_bytes()
    assert detect(data) == "strong_csv"
    df = strong.read_strong(data, ctx).tables["strength_sets"]
    raw = pd.read_csv(path)  # an independent reading of the same file
    assert len(df) == len(raw) == 2078
    assert df["session_id"].nunique() == raw["Date"].nunique() == 129
    assert (df["exercise_raw"] == "Deadlift (Barbell)").sum() == 107
    # every set's load, reps and name equal the file's (classic Strong has no unit: kg by default)
    np.testing.assert_allclose(df["load_kg"], raw["Weight"].fillna(0))
    np.testing.assert_array_equal(df["reps"], raw["Reps"])
    assert df["exercise_raw"].tolist() == raw["Exercise Name"].str.strip().tolist()
    assert df["performed_at"].notna().all() and (df["set_type"] == "working").all()
    assert df["session_duration_s"].iloc[0] == 2 * 3600 + 18 * 60  # "2h 18m"
    lb = FileContext("a1/f", "0" * 64, Athlete("a1", "Europe/Oslo", True, strength_unit="lb"))
    df_lb = strong.read_strong(data, lb).tables["strength_sets"]
    np.testing.assert_allclose(df_lb["load_kg"], raw["Weight"].fillna(0) * LB_KG)


def test_strong_classic_warmups_pounds_and_rpe():
    data = b"""Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2024-01-02 07:05:00,AM,1h 5m,Romanian Deadlift (Barbell),W,95,8,0,0,,,
2024-01-02 07:05:00,AM,1h 5m,Romanian Deadlift (Barbell),1,135,8,0,0,,,8
2024-01-02 07:05:00,AM,1h 5m,Romanian Deadlift (Barbell),Rest Timer,0,0,0,120,,,
"""
    ctx = FileContext("p", "2" * 64, Athlete("b", "America/Denver", True, strength_unit="lb"))
    res = strong.read_strong(data, ctx)
    df = res.tables["strength_sets"]
    assert df["set_type"].tolist() == ["warmup", "working"]
    assert df["load_kg"].iloc[1] == pytest.approx(135 * 0.45359237)
    assert df["rpe"].iloc[1] == 8
    assert df["performed_at"].iloc[0] == pd.Timestamp("2024-01-02T14:05Z")
    assert df["session_duration_s"].iloc[0] == 3900
    assert res.warnings == ["dropped rows that are not sets: 1 'Rest Timer'"]


def test_strong_semicolon_with_unit_columns(ctx):
    df, warnings, fmt = read("strong_semicolon_units.csv", ctx)
    assert fmt == "strong_csv" and warnings == []
    assert len(df) == 8 and df["session_id"].nunique() == 2
    rdl = df[df["exercise_raw"] == "Romanian Deadlift (Barbell)"]
    assert rdl["set_type"].tolist() == ["warmup", "working", "working", "drop"]
    assert rdl["set_index"].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(rdl["load_kg"], np.array([95, 185, 185, 135]) * LB_KG)
    assert rdl["rpe"].tolist()[1:3] == [7.5, 8.0]
    assert df["session_duration_s"].iloc[0] == 3600 + 18 * 60
    pull_up = df[df["exercise_raw"] == "Pull Up"].iloc[0]
    assert pull_up["load_kg"] == 0 and pull_up["bodyweight"]  # blank unit on a body-weight set: no warning
    plank = df[df["exercise_raw"] == "Plank"].iloc[0]
    assert plank["duration_s"] == 60 and plank["bodyweight"]
    run = df[df["exercise_raw"] == "Running"].iloc[0]
    assert run["distance_m"] == pytest.approx(3.1 * MILE_M) and run["duration_s"] == 1500


def test_strong_workout_number_dialect_drops_pseudo_rows(ctx):
    df, warnings, _ = read("strong_workout_number.csv", ctx)
    assert warnings == ["dropped rows that are not sets: 1 'Rest Timer', 1 'Note'"]
    assert len(df) == 7 and df["session_id"].nunique() == 2
    rdl = df[df["exercise_raw"] == "Romanian Deadlift (Barbell)"]
    assert rdl["set_type"].tolist() == ["warmup", "working", "working", "failure"]
    assert rdl["load_kg"].tolist() == [40.0, 80.0, 82.5, 82.5]
    assert rdl["rpe"].tolist()[1:] == [8.0, 8.5, 10.0]
    assert df["session_duration_s"].unique().tolist() == [3725.0, 1742.0]  # "Duration (sec)"
    rowing = df[df["exercise_raw"] == "Rowing (Machine)"].iloc[0]
    assert rowing["distance_m"] == 2000 and rowing["duration_s"] == 480  # "Distance (meters)"
    assert df["performed_at"].iloc[0] == pd.Timestamp("2023-07-14T17:31:01Z")  # Oslo summer time


def test_strong_workout_number_in_pounds_and_miles(ctx):
    df, _, _ = read("strong_workout_number_lbs.csv", ctx)
    np.testing.assert_allclose(df["load_kg"].iloc[:2], 225 * LB_KG)
    assert df["distance_m"].iloc[2] == pytest.approx(1.5 * MILE_M)


@pytest.mark.parametrize(
    ("name", "sets", "first_rdl_kg", "duration_s", "rdl"),
    [
        ("strong_french.csv", 5, 40.0, 3600 + 39 * 60, "Romanian Deadlift (Barbell)"),
        ("strong_german.csv", 4, 40.0, 3900, "Rumänisches Kreuzheben (Langhantel)"),
        ("strong_spanish.csv", 3, 60.0, 52 * 60, "Peso muerto rumano con barra"),
    ],
)
def test_strong_translated_headers(ctx, name, sets, first_rdl_kg, duration_s, rdl):
    df, _, fmt = read(name, ctx)
    assert fmt == "strong_csv" and len(df) == sets
    assert df["load_kg"].iloc[0] == first_rdl_kg
    assert df["session_duration_s"].iloc[0] == duration_s
    # translated lift names land on the same taxonomy row
    assert clean.classify_strength(df[df["exercise_raw"] == rdl])["exercise"].eq("romanian_deadlift").all()


def test_strong_french_rest_timer_and_warmup(ctx):
    df, warnings, _ = read("strong_french.csv", ctx)
    assert warnings == ["dropped rows that are not sets: 2 'Minuteur de repos'"]
    assert df["set_type"].tolist()[:3] == ["warmup", "working", "working"]
    assert df["reps"].tolist()[:3] == [10.0, 8.0, 8.0]  # "10.0" in the file
    assert df["session_duration_s"].iloc[-1] == 11 * 60  # "11min"


def test_strong_spanish_twelve_hour_clock(ctx):
    df, _, _ = read("strong_spanish.csv", ctx)
    assert df["performed_at"].iloc[0] == pd.Timestamp("2024-11-05T18:30Z")  # 7:30 PM Oslo winter time


def test_strong_unknown_weight_unit_is_refused(ctx):
    data = (DATA / "strong_semicolon_units.csv").read_bytes().replace(b";185;lbs;", b";185;stone;", 1)
    with pytest.raises(ReaderError, match=r"unknown weight unit\(s\) \['stone'\]"):
        strong.read_strong(data, ctx)


def test_strong_missing_column_names_what_is_known(ctx):
    with pytest.raises(ReaderError, match="no column for"):
        strong.read_strong(b"Date,Exercise Name,Set Order,Reps\n2024-01-01 10:00:00,Squat,1,5\n", ctx)


# ------------------------------------------------------------------------------------------------ Hevy


def test_hevy_kg_account(ctx):
    df, warnings, fmt = read("hevy_kg.csv", ctx)
    assert fmt == "hevy_csv" and warnings == []
    assert len(df) == 8 and df["session_id"].nunique() == 2
    rdl = df[df["exercise_raw"] == "Romanian Deadlift (Barbell)"]
    assert rdl["set_type"].tolist() == ["warmup", "working", "failure"]
    assert rdl["set_index"].tolist() == [0, 1, 2]  # Hevy counts from 0 as we do
    assert rdl["load_kg"].tolist() == [40, 80, 80] and rdl["rpe"].tolist()[1:] == [7.5, 10]
    assert rdl["tempo"].iloc[1] == "3-1-1"  # from the exercise note "3-1-1 tempo"
    curl = df[df["exercise_raw"] == "Lying Leg Curl (Machine)"]
    assert curl["set_type"].tolist() == ["working", "drop"]
    # a superset is kept as an id shared by its exercises, unique to the workout
    ss = df.loc[df["superset_id"].notna(), "exercise_raw"].unique().tolist()
    assert ss == ["Bulgarian Split Squat", "Lying Leg Curl (Machine)"] and df["superset_id"].nunique() == 1
    assert df["performed_at"].iloc[0] == pd.Timestamp("2026-04-09T15:18Z")  # "9 Apr 2026, 17:18" Oslo
    assert df["session_duration_s"].iloc[0] == 72 * 60
    run = df[df["exercise_raw"] == "Running"].iloc[0]
    assert run["distance_m"] == 5200 and run["duration_s"] == 1800 and run["local_date"] == pd.Timestamp("2025-07-02")


def test_hevy_lbs_account(ctx):
    df, _, _ = read("hevy_lbs.csv", ctx)
    assert len(df) == 7
    rdl = df[df["exercise_raw"] == "Romanian Deadlift (Dumbbell)"]
    np.testing.assert_allclose(rdl["load_kg"], np.array([20, 88.18]) * LB_KG)
    assert rdl["load_kg"].iloc[1] == pytest.approx(40.0, abs=0.01)  # Hevy's kg -> lb float dust
    runs = df[df["exercise_raw"] == "Running"]
    assert runs["set_index"].tolist() == [0, 1]  # the same exercise twice in one workout
    assert runs["distance_m"].iloc[1] == pytest.approx(0.5 * MILE_M)


@pytest.mark.parametrize(
    "when", ["9. Apr. 2026, 17:18", "9 avr. 2026, 17:18", "9 abr 2026, 17:18", "2026-04-09T17:18:00"]
)
def test_hevy_locale_dates(ctx, when):
    data = (DATA / "hevy_kg.csv").read_bytes().replace(b"9 Apr 2026, 17:18", when.encode())
    df = hevy.read_hevy(data, ctx).tables["strength_sets"]
    assert df["performed_at"].iloc[0] == pd.Timestamp("2026-04-09T15:18Z")


# ------------------------------------------------------------------------------------------------ FitNotes


def test_fitnotes_real_export_set_by_set(realdata, ctx):
    path = realdata("kaiserlift/FitNotes_Export_2025_05_21_08_39_11.csv")
    data = path.read_bytes()
    assert detect(data) == "fitnotes_csv"
    df = fitnotes.read_fitnotes(data, ctx).tables["strength_sets"]
    raw = pd.read_csv(path)
    assert len(df) == len(raw) == 750
    assert (raw["Weight Unit"] == "lbs").all()
    np.testing.assert_allclose(df["load_kg"], raw["Weight"] * LB_KG)
    np.testing.assert_array_equal(df["reps"], raw["Reps"])
    assert df["exercise_raw"].tolist() == raw["Exercise"].tolist()
    assert df["session_id"].nunique() == raw["Date"].nunique()
    assert df["performed_at"].isna().all() and (df["local_date"] == pd.to_datetime(raw["Date"])).all()


def test_fitnotes_old_header_kgs(ctx):
    df, _, fmt = read("fitnotes_old_kgs.csv", ctx)
    assert fmt == "fitnotes_csv" and len(df) == 6 and df["session_id"].nunique() == 2
    assert df["load_kg"].tolist()[:3] == [40.0, 60.0, 50.0]
    plank = df[df["exercise_raw"] == "Plank"].iloc[0]
    assert plank["duration_s"] == 60 and plank["bodyweight"]
    run = df[df["exercise_raw"] == "Running (Outdoor)"].iloc[0]
    assert run["distance_m"] == 5000 and run["duration_s"] == 27 * 60 + 30


def test_fitnotes_old_header_lbs_and_comment(ctx):
    df, _, _ = read("fitnotes_old_lbs.csv", ctx)
    np.testing.assert_allclose(df["load_kg"], np.array([135, 155, 45]) * LB_KG)
    assert df["notes"].iloc[1] == "felt strong, slow eccentric"


def test_fitnotes2_prefers_the_kg_column(ctx):
    df, _, _ = read("fitnotes2_ios.csv", ctx)
    assert df["load_kg"].tolist() == pytest.approx([100.0, 225 * LB_KG, 60.0])


# ------------------------------------------------------------------------------------------------ template


TEMPLATE = b"""date,time,exercise,set,reps,load,unit,set_type,rpe,tempo
2024-03-05,18:30,Romanian deadlift,1,8,40,kg,warmup,,
2024-03-05,18:30,Romanian deadlift,1,6,100,lb,working,8,3-1-1
2024-03-05,18:30,Push-up,1,15,0,kg,,,
2024-03-07,,Back squat,1,5,80,kg,working,,
"""


def test_strength_template(ctx):
    df = strength_logs.read_template(TEMPLATE, ctx).tables["strength_sets"]
    assert df["load_kg"].iloc[1] == pytest.approx(45.359237)
    assert df["set_type"].tolist() == ["warmup", "working", "working", "working"]
    assert df["set_index"].tolist() == [0, 1, 0, 0]
    assert df["bodyweight"].tolist() == [False, False, True, False]
    assert df["tempo"].iloc[1] == "3-1-1"
    assert df["performed_at"].iloc[0] == pd.Timestamp("2024-03-05T17:30Z")  # Oslo, winter time
    assert pd.isna(df["performed_at"].iloc[3]) and df["local_date"].iloc[3] == pd.Timestamp("2024-03-07")
    assert df["session_id"].nunique() == 2


def test_strength_template_bad_unit_names_rows(ctx):
    """A set in an unknown unit is left out and recorded with its line; the file's other sets stay (issue 14,
    item 2: before, the whole file was rejected)."""
    good = strength_logs.read_template(TEMPLATE, ctx).tables["strength_sets"]
    res = strength_logs.read_template(TEMPLATE.replace(b"100,lb", b"100,stone"), ctx)
    assert len(res.tables["strength_sets"]) == len(good) - 1
    w = res.tables["warnings"]
    assert w[["line", "column", "value", "reason"]].values.tolist() == [
        [3, "unit", "stone", "row left out: not kg or lb"]
    ]
    assert any(m.startswith("unit: 1 row left out: not kg or lb (line 3: 'stone')") for m in res.warnings)


# ------------------------------------------------------------------------------------------------ all readers


def test_strength_sniffers_never_claim_each_others_files():
    strength = [f for f in FORMATS.values() if f.kind == "strength"]
    for path in DATA.glob("*.csv"):
        data = path.read_bytes()
        claims = [f.name for f in strength if f.sniff(data)]
        assert claims == [detect(data)], (path.name, claims)
    assert detect(TEMPLATE) == "strength_template"


def test_every_row_keeps_raw_name_source_and_session(ctx):
    for path in DATA.glob("*.csv"):
        df, _, _ = read(path.name, ctx)
        assert list(df.columns) == strength_logs.SET_COLUMNS
        assert df["exercise_raw"].ne("").all() and df["source"].notna().all() and df["session_id"].notna().all()
        assert (df["load_kg"] >= 0).all() and df["bodyweight"].eq(df["load_kg"].eq(0)).all()


# ------------------------------------------------------------------------------------------------ match rate

REAL_LOGS = [
    ("strong-charts/strong.csv", strong.read_strong),
    ("kaiserlift/FitNotes_Export_2025_05_21_08_39_11.csv", fitnotes.read_fitnotes),
]


@pytest.mark.parametrize(("rel", "reader"), REAL_LOGS)
def test_real_logs_match_at_least_95_percent_of_sets(realdata, ctx, rel, reader):
    sets = reader(realdata(rel).read_bytes(), ctx).tables["strength_sets"]
    out = clean.classify_strength(sets)
    rate = out["match_method"].ne("unmatched").mean()
    report = unmatched_report(out, suggest=True)
    print(f"\n{rel}: {rate:.1%} of {len(out)} sets matched; unmatched names:\n{report.to_string()}")
    assert rate >= 0.95, report.to_string()
    assert out["match_method"].isin(MATCH_METHODS).all()


# ------------------------------------------------------------------------------------------------ warehouse, CLI


def test_repeated_workouts_across_exports_are_marked_once(ctx):
    a = strong.read_strong((DATA / "strong_workout_number.csv").read_bytes(), ctx).tables["strength_sets"]
    older = a[a["local_date"] == a["local_date"].min()].iloc[:3].assign(source_file="a1/strong_2023.csv")
    newer = a.assign(source_file="a1/strong_2024.csv")
    tmpl = strength_logs.read_template(TEMPLATE, ctx).tables["strength_sets"]
    both = pd.concat([older, newer, tmpl, tmpl.assign(source_file="a1/other.csv")], ignore_index=True)
    marked, notes = strength_logs.mark_repeated_sessions(both)
    assert marked["duplicate_of"].notna().sum() == 3  # the older file's 3 sets of the first workout
    assert (marked.loc[marked["duplicate_of"].notna(), "source_file"] == "a1/strong_2023.csv").all()
    assert notes == {"a1/strong_2023.csv": "1 workout(s) (3 sets) also in a1/strong_2024.csv count once, from there"}
    # the marks are recomputed, not accumulated
    again, _ = strength_logs.mark_repeated_sessions(marked)
    assert again["duplicate_of"].equals(marked["duplicate_of"])


def test_ingest_overrides_and_unmatched_cli(tmp_path):
    from typer.testing import CliRunner

    from trailstrength.cli import app
    from trailstrength.warehouse import ingest, open_warehouse

    raw, wh = tmp_path / "raw", tmp_path / "wh"
    (raw / "ana").mkdir(parents=True)
    (raw / "ana" / "hevy.csv").write_bytes(
        (DATA / "hevy_kg.csv").read_bytes().replace(b"Bulgarian Split Squat", b"Zercher Walkout")
    )
    (raw / "ana" / "hevy_again.csv").write_bytes(
        (DATA / "hevy_kg.csv")
        .read_bytes()
        .replace(b"Bulgarian Split Squat", b"Zercher Walkout")
        .replace(b'"Easy run"', b'"Easy run 2"')
    )
    report = ingest(raw, warehouse=wh, progress=False)
    sets = open_warehouse(wh).strength_sets
    assert len(sets) == 16 and sets["duplicate_of"].notna().sum() == 8  # identical workouts, one copy counts
    assert report.warnings  # and the ingest says so
    assert set(sets.loc[sets["match_method"] == "unmatched", "exercise_raw"]) == {"Zercher Walkout"}

    out = CliRunner().invoke(app, ["exercises", "--unmatched", "--warehouse", str(wh)])
    assert out.exit_code == 0, out.output
    assert "Zercher Walkout" in out.output and "exercise_overrides.csv" in out.output and "1 of 8 sets" in out.output

    # an overrides file in the athlete folder classifies the name at the next ingest, without re-reading
    (raw / "ana" / "exercise_overrides.csv").write_text("exercise,aliases\nfarmers_walk,Zercher Walkout\n")
    (raw / "exercise_overrides.csv").write_text("exercise,aliases\nback_squat,Zercher Walkout\n")  # athlete wins
    report = ingest(raw, warehouse=wh, progress=False)
    assert report.read == []
    sets = open_warehouse(wh).strength_sets
    walkout = sets[sets["exercise_raw"] == "Zercher Walkout"]
    assert (walkout["match_method"] == "override").all() and (walkout["exercise"] == "farmers_walk").all()
    out = CliRunner().invoke(app, ["exercises", "--unmatched", "--warehouse", str(wh)])
    assert "0 of 8 sets" in out.output


def test_bad_overrides_file_names_file_row_and_column(tmp_path):
    from trailstrength.exercises import overrides_for

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "exercise_overrides.csv").write_text("exercise,pattern\nmy_lift,hinge\n")
    with pytest.raises(ValueError, match=r"exercise_overrides.csv, row 2 \(my_lift\), column 'hinge_subtype'"):
        overrides_for(tmp_path, "a")
    assert overrides_for(tmp_path, "b") is None
