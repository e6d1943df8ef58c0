"""Tests for trailstrength.exercises: the taxonomy file, the name matcher, overrides and annotation."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trailstrength.exercises import (
    ANNOTATION_COLUMNS,
    HINGE_SUBTYPES,
    MATCH_COLUMNS,
    MATCH_METHODS,
    PATTERNS,
    TAXONOMY_COLUMNS,
    annotate_sets,
    load_taxonomy,
    match_exercises,
    normalise_name,
    unmatched_report,
)
from trailstrength.exercises import match as matcher_module


@pytest.fixture(scope="module")
def raw_rows() -> list[dict[str, str]]:
    """The package CSV read with the csv module, independently of the loader under test."""
    source = resources.files("trailstrength.exercises").joinpath("taxonomy.csv")
    with source.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == TAXONOMY_COLUMNS
        return list(reader)


def one(name: str, **kwargs) -> pd.Series:
    result = match_exercises([name], **kwargs)
    assert len(result) == 1
    return result.iloc[0]


# ------------------------------------------------------------------------------------------------ taxonomy schema


def test_taxonomy_has_at_least_150_uniquely_named_rows(raw_rows):
    names = [r["exercise"] for r in raw_rows]
    assert len(names) >= 150
    assert len(set(names)) == len(names), "canonical names must be unique"
    assert all(n and n == n.lower() and " " not in n for n in names), "canonical names are snake_case"


def test_no_alias_normalises_to_two_exercises(raw_rows):
    owners: dict[str, set[str]] = defaultdict(set)
    for row in raw_rows:
        names = [row["exercise"], row["display_name"]] + [a for a in row["aliases"].split("|") if a.strip()]
        for name in names:
            owners[normalise_name(name)].add(row["exercise"])
    clashes = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not clashes


def test_every_row_has_aliases_display_name_and_source_note(raw_rows):
    for row in raw_rows:
        assert row["display_name"].strip(), row["exercise"]
        assert row["aliases"].strip(), row["exercise"]
        assert len(row["source_note"].strip()) >= 15, row["exercise"]


def test_patterns_flags_and_weights_follow_the_contract(raw_rows):
    for row in raw_rows:
        ex = row["exercise"]
        assert row["pattern"] in PATTERNS, ex
        for flag in ("unilateral", "knee_dominant", "eccentric_emphasis"):
            assert row[flag] in ("true", "false"), (ex, flag)
        weight = float(row["posterior_chain_weight"])
        assert 0.0 <= weight <= 1.0, ex
        # only hinges and knee-flexion work carry posterior-chain weight (DESIGN §7)
        assert (weight > 0) == (row["pattern"] in ("hinge", "knee_flexion")), ex


def test_hinge_rows_have_subtypes_and_only_hinges_do(raw_rows):
    for row in raw_rows:
        if row["pattern"] == "hinge":
            assert row["hinge_subtype"] in HINGE_SUBTYPES, row["exercise"]
        else:
            assert row["hinge_subtype"] == "", row["exercise"]


def test_design_weights_per_subtype(raw_rows):
    expected = {
        "rdl_sld": (1.0, 1.0),
        "good_morning": (1.0, 1.0),
        "back_extension": (1.0, 1.0),
        "hip_thrust_bridge": (0.7, 0.7),
        "deadlift": (0.5, 0.6),
        "swing": (0.5, 0.7),
    }
    for row in raw_rows:
        weight = float(row["posterior_chain_weight"])
        if row["pattern"] == "hinge":
            low, high = expected[row["hinge_subtype"]]
            assert low <= weight <= high, row["exercise"]
        if row["pattern"] == "knee_flexion":
            assert weight == 0.5, row["exercise"]


def test_fit_names_exist_in_the_fit_profile(raw_rows):
    profile = pytest.importorskip("fitdecode.profile")
    categories = profile.FIELD_TYPES["exercise_category"].enum
    assert categories[8] == "deadlift"
    assert profile.FIELD_TYPES["deadlift_exercise_name"].enum[23] == "romanian_deadlift"
    for row in raw_rows:
        if row["fit_subtype"]:
            assert row["fit_category"], row["exercise"]
        if row["fit_category"]:
            assert row["fit_category"] in categories.values(), row["exercise"]
        if row["fit_subtype"]:
            subtypes = profile.FIELD_TYPES[f"{row['fit_category']}_exercise_name"].enum.values()
            assert row["fit_subtype"] in subtypes, row["exercise"]
    by_name = {r["exercise"]: r for r in raw_rows}
    assert (by_name["romanian_deadlift"]["fit_category"], by_name["romanian_deadlift"]["fit_subtype"]) == (
        "deadlift",
        "romanian_deadlift",
    )
    assert by_name["good_morning"]["fit_category"] == "leg_curl"
    assert by_name["kettlebell_swing"]["fit_category"] == "hip_raise"
    assert by_name["hip_thrust"]["fit_category"] == "hip_raise"


def test_load_taxonomy_dtypes():
    tax = load_taxonomy()
    assert list(tax.columns) == TAXONOMY_COLUMNS
    assert tax["posterior_chain_weight"].dtype == "float64"
    for col in ("unilateral", "knee_dominant", "eccentric_emphasis"):
        assert tax[col].dtype == bool
    for col in ("exercise", "pattern", "hinge_subtype", "aliases", "source_note"):
        assert tax[col].dtype == "str"
    assert tax.loc[tax["pattern"] != "hinge", "hinge_subtype"].isna().all()
    # the loader hands out copies: callers cannot corrupt the cached package table
    tax.loc[0, "posterior_chain_weight"] = 0.123
    assert load_taxonomy().loc[0, "posterior_chain_weight"] != 0.123


# ------------------------------------------------------------------------------------------------ required names

REQUIRED = [
    # Strong
    ("Romanian Deadlift (Barbell)", "romanian_deadlift", "hinge"),
    ("Romanian Deadlift (Dumbbell)", "dumbbell_romanian_deadlift", "hinge"),
    ("Deadlift (Barbell)", "deadlift", "hinge"),
    ("Squat (Barbell)", "back_squat", "squat"),
    ("Lunge (Dumbbell)", "lunge", "lunge_single_leg"),
    ("Lying Leg Curl (Machine)", "lying_leg_curl", "knee_flexion"),
    ("Seated Leg Curl (Machine)", "seated_leg_curl", "knee_flexion"),
    ("Hip Thrust (Barbell)", "hip_thrust", "hinge"),
    ("Good Morning (Barbell)", "good_morning", "hinge"),
    ("Kettlebell Swing", "kettlebell_swing", "hinge"),
    ("Back Extension", "back_extension", "hinge"),
    ("Bench Press (Barbell)", "bench_press", "push"),
    ("Lat Pulldown (Cable)", "lat_pulldown", "pull"),
    # Hevy
    ("Single Leg Romanian Deadlift (Dumbbell)", "single_leg_romanian_deadlift", "hinge"),
    ("Bulgarian Split Squat", "bulgarian_split_squat", "lunge_single_leg"),
    ("Nordic Hamstrings Curls", "nordic_hamstring_curl", "knee_flexion"),
    ("Back Extension (Hyperextension)", "back_extension", "hinge"),
    ("Deadlift (Trap bar)", "trap_bar_deadlift", "hinge"),
    ("Glute Ham Raise", "glute_ham_raise", "knee_flexion"),
    ("Reverse Hyperextension", "reverse_hyperextension", "hinge"),
    ("Single Leg Glute Bridge", "single_leg_glute_bridge", "hinge"),
    ("Walking Lunge (Dumbbell)", "walking_lunge", "lunge_single_leg"),
    ("Reverse Lunge (Barbell)", "reverse_lunge", "lunge_single_leg"),
    ("Hack Squat (Machine)", "hack_squat", "squat"),
    ("Goblet Squat", "goblet_squat", "squat"),
    ("Box Squat (Barbell)", "box_squat", "squat"),
    ("Leg Extension (Machine)", "leg_extension", "other"),
    ("Standing Calf Raise (Machine)", "standing_calf_raise", "other"),
    ("Farmers Walk", "farmers_walk", "carry"),
    ("Box Jump", "box_jump", "plyometric"),
    ("Plank", "plank", "core"),
    ("Pull Up", "pull_up", "pull"),
    # FitNotes
    ("Romanian Deadlift", "romanian_deadlift", "hinge"),
    ("Stiff-Legged Deadlift", "stiff_leg_deadlift", "hinge"),
    ("Barbell Squat", "back_squat", "squat"),
    ("Flat Barbell Bench Press", "bench_press", "push"),
    ("Deadlift", "deadlift", "hinge"),
    ("Leg Press", "leg_press", "squat"),
    ("Front Squat", "front_squat", "squat"),
    ("Sumo Deadlift", "sumo_deadlift", "hinge"),
    # FIT profile names
    ("romanian_deadlift", "romanian_deadlift", "hinge"),
    ("single_leg_romanian_deadlift", "single_leg_romanian_deadlift", "hinge"),
    ("barbell_deadlift", "deadlift", "hinge"),
    ("sumo_deadlift", "sumo_deadlift", "hinge"),
    ("trap_bar_deadlift", "trap_bar_deadlift", "hinge"),
    ("good_morning", "good_morning", "hinge"),
    ("kettlebell_swing", "kettlebell_swing", "hinge"),
    ("barbell_hip_thrust", "hip_thrust", "hinge"),
    ("barbell_hip_thrust_with_bench", "hip_thrust", "hinge"),
    ("hip_raise", "glute_bridge", "hinge"),
    ("single_leg_hip_raise", "single_leg_glute_bridge", "hinge"),
    ("barbell_back_squat", "back_squat", "squat"),
    ("dumbbell_bulgarian_split_squat", "bulgarian_split_squat", "lunge_single_leg"),
    ("walking_lunge", "walking_lunge", "lunge_single_leg"),
    ("step_up", "step_up", "lunge_single_leg"),
    ("leg_press", "leg_press", "squat"),
    ("leg_curl", "leg_curl", "knee_flexion"),
    # other required movements
    ("Step Down", "step_down", "lunge_single_leg"),
    ("Kettlebell Romanian Deadlift", "kettlebell_romanian_deadlift", "hinge"),
    ("Glute Bridge", "glute_bridge", "hinge"),
    ("Trap Bar Deadlift", "trap_bar_deadlift", "hinge"),
    ("Split Squat", "split_squat", "lunge_single_leg"),
    ("Forward Lunge", "lunge", "lunge_single_leg"),
    ("Reverse Lunge", "reverse_lunge", "lunge_single_leg"),
    ("Walking Lunge", "walking_lunge", "lunge_single_leg"),
    ("Step Up", "step_up", "lunge_single_leg"),
    ("Seated Calf Raise", "seated_calf_raise", "other"),
    ("Overhead Press (Barbell)", "overhead_press", "push"),
    ("Bent Over Row (Barbell)", "bent_over_row", "pull"),
    ("Hanging Leg Raise", "hanging_leg_raise", "core"),
    ("Jump Squat", "jump_squat", "plyometric"),
]


@pytest.mark.parametrize(("name", "exercise", "pattern"), REQUIRED)
def test_required_names(name, exercise, pattern):
    row = one(name)
    assert (row["exercise"], row["pattern"]) == (exercise, pattern)
    assert row["match_method"] in ("exact", "normalised")
    assert row["match_score"] == 100.0


TRANSLATED = [
    ("Rumänisches Kreuzheben", "romanian_deadlift"),
    ("Soulevé de terre roumain", "romanian_deadlift"),
    ("Peso muerto rumano", "romanian_deadlift"),
    ("Kreuzheben", "deadlift"),
    ("Soulevé de terre", "deadlift"),
    ("Peso muerto", "deadlift"),
    ("Sumo-Kreuzheben", "sumo_deadlift"),
    ("Kreuzheben mit gestreckten Beinen", "stiff_leg_deadlift"),
    ("Peso muerto con piernas rígidas", "stiff_leg_deadlift"),
    ("Einbeiniges rumänisches Kreuzheben", "single_leg_romanian_deadlift"),
    ("Kniebeuge", "back_squat"),
    ("Sentadilla", "back_squat"),
    ("Frontkniebeuge", "front_squat"),
    ("Squat avant", "front_squat"),
    ("Ausfallschritt", "lunge"),
    ("Fente", "lunge"),
    ("Zancadas", "lunge"),
    ("Gehende Ausfallschritte", "walking_lunge"),
    ("Bulgarische Split Squats", "bulgarian_split_squat"),
    ("Squat bulgare", "bulgarian_split_squat"),
    ("Sentadilla búlgara", "bulgarian_split_squat"),
    ("Beinpresse", "leg_press"),
    ("Presse à cuisses", "leg_press"),
    ("Prensa de piernas", "leg_press"),
    ("Liegender Beinbeuger", "lying_leg_curl"),
    ("Curl femoral tumbado", "lying_leg_curl"),
    ("Beinstrecker", "leg_extension"),
    ("Pont fessier", "glute_bridge"),
    ("Puente de glúteos", "glute_bridge"),
    ("Empuje de cadera", "hip_thrust"),
    ("Rückenstrecker", "back_extension"),
    ("Hiperextensiones", "back_extension"),
    ("Buenos días", "good_morning"),
    ("Curl nórdico", "nordic_hamstring_curl"),
    ("Wadenheben", "standing_calf_raise"),
    ("Bankdrücken", "bench_press"),
    ("Klimmzüge", "pull_up"),
]


@pytest.mark.parametrize(("name", "exercise"), TRANSLATED)
def test_translated_names(name, exercise):
    assert one(name)["exercise"] == exercise


@pytest.mark.parametrize(
    ("name", "exercise"),
    [
        ("romanian deadlift (barbell)", "romanian_deadlift"),  # case
        ("  Romanian   Deadlift  ", "romanian_deadlift"),  # whitespace
        ("RUMANISCHES KREUZHEBEN", "romanian_deadlift"),  # accents
        ("Deadlift, Romanian", "romanian_deadlift"),  # word order + punctuation
        ("Romanian Deadlift (Kettlebell, Paused)", "kettlebell_romanian_deadlift"),
        ("Barbell RDLs", "romanian_deadlift"),  # abbreviation + plural
        ("SL RDL (DB)", "single_leg_romanian_deadlift"),
        ("Stiffleg deadlifts", "stiff_leg_deadlift"),  # compound spelling
        ("Good mornings", "good_morning"),
        ("KB swings", "kettlebell_swing"),
        ("Swing (Kettlebell)", "kettlebell_swing"),
        ("Hip Thrusts (Smith)", "hip_thrust"),
        ("Hex bar deadlift", "trap_bar_deadlift"),
        ("Front Squats (Kettlebell)", "front_squat"),  # unknown equipment variant falls back
        ("Pull-ups", "pull_up"),
        ("Step-downs", "step_down"),
        ("Leg Press Technogym (Gelb)", "leg_press"),  # brand and colour dropped
    ],
)
def test_normalised_names(name, exercise):
    row = one(name)
    assert row["exercise"] == exercise
    assert row["match_method"] == "normalised"
    assert row["match_score"] == 100.0


@pytest.mark.parametrize(
    ("name", "exercise"),
    [
        ("deadlift/romanian_deadlift", "romanian_deadlift"),
        ("hip_raise/kettlebell_swing", "kettlebell_swing"),  # swings sit under HIP_RAISE in the FIT profile
        ("hip_raise/barbell_hip_thrust_with_bench", "hip_thrust"),
        ("leg_curl/good_morning", "good_morning"),  # good mornings sit under LEG_CURL
        ("leg_curl/seated_barbell_good_morning", "seated_good_morning"),
        ("hyperextension/bent_knee_reverse_hyperextension", "reverse_hyperextension"),
        ("hyperextension/static_back_extension", "back_extension"),
        ("hip_swing/single_arm_kettlebell_swing", "single_arm_kettlebell_swing"),
        ("squat/step_up", "step_up"),
        ("squat/leg_press", "leg_press"),
        ("lunge/dumbbell_bulgarian_split_squat", "bulgarian_split_squat"),
    ],
)
def test_fit_category_subtype_names_match_by_subtype(name, exercise):
    row = one(name)
    assert row["exercise"] == exercise, row.to_dict()
    assert row["match_method"] in ("exact", "normalised")


@pytest.mark.parametrize("name", ["deadlift/65534", "hip_raise/unknown", "65534", "unknown"])
def test_fit_unknown_or_unlisted_subtypes_stay_unmatched(name):
    # the category alone never decides: an unknown deadlift is not a conventional deadlift
    assert one(name)["match_method"] == "unmatched"


def test_fit_unlisted_subtype_gets_a_pattern_from_its_own_words_not_its_category():
    # an inner-thigh drill filed under HIP_RAISE is adductor work, not a glute bridge
    row = one("hip_raise/inner_thigh_circles")
    assert row["match_method"] == "pattern" and pd.isna(row["exercise"])
    assert row["pattern"] == "other" and row["posterior_chain_weight"] == 0.0


def test_every_fit_hinge_subtype_matches_a_hinge_or_knee_flexion_row():
    profile = pytest.importorskip("fitdecode.profile")
    names = profile.FIELD_TYPES["deadlift_exercise_name"].enum.values()
    out = match_exercises([f"deadlift/{n}" for n in names])
    assert (out["match_method"] != "unmatched").all(), out.loc[out["match_method"] == "unmatched", "exercise_raw"]
    # the only deadlift-category name that is not a hinge is the sumo deadlift high pull (an Olympic pull)
    assert set(out.loc[out["pattern"] != "hinge", "exercise_raw"]) == {"deadlift/sumo_deadlift_high_pull"}


def test_exact_is_case_sensitive_after_strip():
    assert one("  Romanian Deadlift (Barbell) ")["match_method"] == "exact"
    assert one("ROMANIAN DEADLIFT (BARBELL)")["match_method"] == "normalised"


# ------------------------------------------------------------------------------------------------ traps


@pytest.mark.parametrize(
    ("name", "exercise"),
    [
        ("Deadlift (Barbell)", "deadlift"),
        ("Deadlift", "deadlift"),
        ("Romanian Deadlift", "romanian_deadlift"),
        ("Leg Curl", "leg_curl"),
        ("Leg Press", "leg_press"),
        ("Seated Leg Curl", "seated_leg_curl"),
        ("Seated Leg Press", "leg_press"),
        ("Hip Thrust", "hip_thrust"),
        ("Hip Abduction", "hip_abduction"),
        ("Hip Adduction", "hip_adduction"),
        ("Front Squat", "front_squat"),
        ("Squat", "back_squat"),
        ("Nordic Curl", "nordic_hamstring_curl"),
        ("Reverse Nordic Curl", "reverse_nordic"),
        ("Kettlebell Swing", "kettlebell_swing"),
        ("Kettlebell Snatch", "kettlebell_snatch"),
        ("Glute Ham Raise", "glute_ham_raise"),
        ("Single Leg Romanian Deadlift", "single_leg_romanian_deadlift"),
        ("Pull Up", "pull_up"),
        ("Push Up", "push_up"),
    ],
)
def test_trap_pairs_resolve_to_their_own_row(name, exercise):
    assert one(name)["exercise"] == exercise


@pytest.mark.parametrize(
    ("name", "expected", "forbidden"),
    [
        ("Deadlifts Barbel", "deadlift", "romanian_deadlift"),
        ("Dedlift (Barbell)", "deadlift", "romanian_deadlift"),
        ("Romanain Deadlift", "romanian_deadlift", "deadlift"),
        ("Deadlift (Romanain)", "romanian_deadlift", "deadlift"),  # repaired before bracket words may be dropped
        ("Leg Curll", "leg_curl", "leg_press"),
        ("Leg Presss", "leg_press", "leg_curl"),
        ("Hip Thrustt", "hip_thrust", "hip_abduction"),
        ("Hip Abducton", "hip_abduction", "hip_thrust"),
        ("Frnt Squat", "front_squat", "back_squat"),
        ("Squat (Frontt)", "front_squat", "back_squat"),
        ("Bulgarain Split Squat", "bulgarian_split_squat", "split_squat"),
    ],
)
def test_fuzzy_repairs_typos_without_crossing_traps(name, expected, forbidden):
    row = one(name)
    assert row["exercise"] == expected != forbidden
    assert row["match_method"] == "fuzzy"
    assert 88.0 <= row["match_score"] < 100.0


@pytest.mark.parametrize(
    ("name", "forbidden"),
    [
        ("Deadlift Barbel Heavy Triple", "romanian_deadlift"),
        ("Leg Pres", "leg_curl"),
        ("Hip Aduction", "hip_abduction"),  # equally close to abduction and adduction: ambiguous, not guessed
        ("Hip Thrusters", "hip_abduction"),
        ("Squat Fronts Paused Heavy", "back_squat"),
        ("Romanian", "deadlift"),
    ],
)
def test_fuzzy_never_lands_on_the_wrong_side(name, forbidden):
    assert one(name)["exercise"] != forbidden
    # even a permissive threshold cannot cross, because words may not be added, dropped or swapped
    assert one(name, threshold=50.0)["exercise"] != forbidden


def test_single_typos_of_deadlift_never_become_rdl():
    word = "Deadlift (Barbell)"
    variants = {word[:i] + word[i + 1 :] for i in range(8)} | {word[:i] + "x" + word[i + 1 :] for i in range(8)}
    result = match_exercises(sorted(variants))
    assert set(result["exercise"].dropna()) <= {"deadlift"}
    assert (result["exercise"] == "deadlift").mean() > 0.8


def test_threshold_controls_fuzzy():
    strict = one("Romanain Deadlift", threshold=100.0)
    assert one("Romanain Deadlift", threshold=88.0)["match_method"] == "fuzzy"
    # without the typo repair the grammar still sees a hinge, but a word it does not know ("romanain") means it
    # cannot say which deadlift: no subtype, no weight, and the note says why
    assert strict["match_method"] == "pattern" and strict["pattern"] == "hinge"
    assert pd.isna(strict["exercise"]) and pd.isna(strict["hinge_subtype"])
    assert strict["posterior_chain_weight"] == 0.0 and "romanain" in strict["match_note"]


def test_single_leg_flags():
    result = match_exercises(
        [
            "Romanian Deadlift",
            "Single-Leg RDL",
            "Nordic Hamstring Curl",
            "Step Down",
            "Tempo RDL",
            "Bulgarian Split Squat",
            "Back Squat",
        ]
    ).set_index("exercise_raw")
    assert not result.loc["Romanian Deadlift", "unilateral"]
    assert result.loc["Single-Leg RDL", "unilateral"]
    assert result.loc["Nordic Hamstring Curl", "eccentric_emphasis"]
    assert result.loc["Step Down", "eccentric_emphasis"] and result.loc["Step Down", "knee_dominant"]
    assert result.loc["Tempo RDL", "eccentric_emphasis"]
    assert result.loc["Bulgarian Split Squat", "knee_dominant"]
    assert result.loc["Back Squat", "knee_dominant"]
    assert result.loc["Romanian Deadlift", "posterior_chain_weight"] == 1.0
    assert result.loc["Back Squat", "posterior_chain_weight"] == 0.0


# ------------------------------------------------------------------------------------------------ overrides


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def test_overrides_win_row_by_row_and_add_exercises(tmp_path):
    header = ",".join(TAXONOMY_COLUMNS)
    path = write_csv(
        tmp_path / "exercise_overrides.csv",
        header
        + """
romanian_deadlift,,,,,0.9,,,,,,coach says 0.9
sandbag_good_morning,Sandbag Good Morning,Sandbag GM|Good Morning (Sandbag),hinge,good_morning,1.0,false,false,false,,,
hip_thrust,,Bridge,,,,,,,,,this gym calls hip thrusts bridges
kettlebell_swing,,,plyometric,,0,,,,,,treat swings as power work
""",
    )
    tax = load_taxonomy(path).set_index("exercise")
    assert tax.loc["romanian_deadlift", "posterior_chain_weight"] == 0.9
    assert tax.loc["romanian_deadlift", "pattern"] == "hinge"  # untouched fields kept
    assert "Romanian Deadlift (Barbell)" in tax.loc["romanian_deadlift", "aliases"]
    assert tax.loc["sandbag_good_morning", "hinge_subtype"] == "good_morning"
    assert pd.isna(tax.loc["kettlebell_swing", "hinge_subtype"])  # pattern change clears subtype
    assert len(tax) == len(load_taxonomy()) + 1

    result = match_exercises(
        [
            "Romanian Deadlift (Barbell)",
            "Sandbag GM",
            "sandbag good mornings",
            "Bridge",
            "Glute Bridge",
            "Kettlebell Swing",
        ],
        overrides=tmp_path,
    ).set_index("exercise_raw")
    assert result.loc["Romanian Deadlift (Barbell)", "posterior_chain_weight"] == 0.9
    assert result.loc["Romanian Deadlift (Barbell)", "match_method"] == "exact"  # matched by a package alias
    assert result.loc["Sandbag GM", ["exercise", "match_method"]].tolist() == ["sandbag_good_morning", "override"]
    assert result.loc["sandbag good mornings", "exercise"] == "sandbag_good_morning"
    assert result.loc["Bridge", ["exercise", "match_method"]].tolist() == ["hip_thrust", "override"]
    assert result.loc["Glute Bridge", "exercise"] == "glute_bridge"
    assert result.loc["Kettlebell Swing", "pattern"] == "plyometric"
    assert result.loc["Kettlebell Swing", "posterior_chain_weight"] == 0.0
    # without overrides the package answers
    assert one("Bridge")["exercise"] == "glute_bridge"


def test_minimal_overrides_file_and_dataframe(tmp_path):
    path = write_csv(
        tmp_path / "mine.csv",
        """
exercise,aliases,pattern,posterior_chain_weight
hill_sprint,Hill Sprints|Bergsprints,plyometric,0
""",
    )
    row = one("Bergsprints", overrides=path)
    assert (row["exercise"], row["pattern"], row["match_method"]) == ("hill_sprint", "plyometric", "override")
    excel = tmp_path / "excel.csv"
    excel.write_bytes("\ufeffexercise;aliases;pattern\nhill_sprint;Hill Sprints;plyometric\n".encode("utf-8"))
    assert one("Hill Sprints", overrides=excel)["exercise"] == "hill_sprint"
    frame = pd.DataFrame({"exercise": ["hill_sprint"], "aliases": ["Hill Sprints"], "pattern": ["plyometric"]})
    assert one("Hill Sprints", overrides=frame)["exercise"] == "hill_sprint"
    assert load_taxonomy(path).set_index("exercise").loc["hill_sprint", "display_name"] == "Hill Sprint"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("exercise,pattern\nnew_lift,stretching\n", "pattern"),
        ("exercise,pattern\nnew_hinge,hinge\n", "hinge_subtype"),
        ("exercise,posterior_chain_weight\nromanian_deadlift,1.5\n", "posterior_chain_weight"),
        ("exercise,unilateral\nromanian_deadlift,maybe\n", "unilateral"),
        ("exercise,weight\nromanian_deadlift,1\n", "unknown column"),
        ("exercise,aliases,pattern\nNew Lift,x,other\n", "snake_case"),
    ],
)
def test_bad_overrides_name_file_row_and_column(tmp_path, text, needle):
    path = write_csv(tmp_path / "exercise_overrides.csv", text)
    with pytest.raises(ValueError, match=needle) as info:
        load_taxonomy(path)
    assert "exercise_overrides.csv" in str(info.value)


def test_missing_overrides_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_taxonomy(tmp_path / "nope.csv")


# ------------------------------------------------------------------------------------------------ unmatched, annotate


def test_unmatched_rows_and_report():
    sets = pd.DataFrame(
        {
            "exercise_raw": ["Romanian Deadlift (Barbell)"] * 3
            + ["Zorbing"] * 2
            + ["Tricep Push Ul"] * 4
            + [None, "Squat (Barbell)", ""],
            "reps": range(12),
        },
        index=pd.RangeIndex(100, 112),
    )
    out = annotate_sets(sets)
    assert out.index.equals(sets.index)
    assert list(out.columns) == ["exercise_raw", "reps"] + ANNOTATION_COLUMNS
    miss = out[out["exercise_raw"] == "Zorbing"].iloc[0]
    assert pd.isna(miss["exercise"]) and pd.isna(miss["pattern"]) and pd.isna(miss["hinge_subtype"])
    assert miss["posterior_chain_weight"] == 0.0 and np.isnan(miss["match_score"])
    assert not miss[["unilateral", "knee_dominant", "eccentric_emphasis"]].any()
    assert miss["match_method"] == "unmatched"
    assert out.loc[[109, 111], "match_method"].eq("unmatched").all()  # missing and blank names
    assert out.loc[110, "exercise"] == "back_squat"
    push = out[out["exercise_raw"] == "Tricep Push Ul"].iloc[0]
    assert push["match_method"] == "pattern" and push["pattern"] == "push" and pd.isna(push["exercise"])
    report = unmatched_report(out)
    assert report.to_dict("list") == {
        "exercise_raw": ["Tricep Push Ul", "Zorbing"],
        "n_sets": [4, 2],
        "pattern": ["push", np.nan],
    }
    assert report["n_sets"].dtype == "int64"
    # the report annotates un-annotated frames itself
    assert unmatched_report(sets).equals(report)


def test_match_output_schema_and_order():
    result = match_exercises(pd.Series(["Squat (Barbell)", "Deadlift", "Squat (Barbell)", np.nan, "Zorbing"]))
    assert list(result.columns) == MATCH_COLUMNS
    assert result["exercise_raw"].tolist() == ["Squat (Barbell)", "Deadlift", "Zorbing"]
    assert set(result["match_method"]) <= set(MATCH_METHODS)
    expected = {
        "exercise_raw": "str",
        "exercise": "str",
        "pattern": "str",
        "hinge_subtype": "str",
        "posterior_chain_weight": "float64",
        "unilateral": "bool",
        "knee_dominant": "bool",
        "eccentric_emphasis": "bool",
        "match_method": "str",
        "match_score": "float64",
        "match_note": "str",
    }
    assert {c: str(t) for c, t in result.dtypes.items()} == expected
    assert match_exercises([]).columns.tolist() == MATCH_COLUMNS


def test_annotate_replaces_existing_taxonomy_columns_and_custom_name_column():
    sets = pd.DataFrame(
        {"Exercise Name": ["Deadlift (Barbell)", "Hip Thrust (Barbell)"], "pattern": ["stale", "stale"]}
    )
    out = annotate_sets(sets, name_column="Exercise Name")
    assert out["pattern"].tolist() == ["hinge", "hinge"]
    assert out["hinge_subtype"].tolist() == ["deadlift", "hip_thrust_bridge"]
    assert "exercise_raw" not in out.columns
    with pytest.raises(KeyError, match="Exercise"):
        annotate_sets(sets)


def test_matching_is_done_once_per_unique_name(monkeypatch):
    tax = load_taxonomy()
    aliases = [a for cell in tax["aliases"].dropna() for a in cell.split("|")]
    rng = np.random.default_rng(7)
    names = list(rng.choice(aliases, 250, replace=False)) + [f"Mystery lift {i}" for i in range(50)]
    sets = pd.DataFrame({"exercise_raw": rng.choice(names, 100_000)})
    calls = []
    original = matcher_module._Matcher.resolve

    def counting(self, name):
        calls.append(name)
        return original(self, name)

    monkeypatch.setattr(matcher_module._Matcher, "resolve", counting)
    matcher_module._package_match.cache_clear()  # names other tests matched are remembered
    out = annotate_sets(sets)
    assert len(calls) == sets["exercise_raw"].nunique() == 300
    annotate_sets(sets)  # a second ingest of the same names resolves none of them again
    assert len(calls) == 300
    assert len(out) == 100_000
    assert (out["match_method"] == "unmatched").sum() == sets["exercise_raw"].str.startswith("Mystery").sum()
    first = out.drop_duplicates("exercise_raw").set_index("exercise_raw")["exercise"]
    again = match_exercises(names).set_index("exercise_raw")["exercise"]
    assert first.reindex(again.index).equals(again)


def test_normalise_name():
    assert normalise_name("Pull-Ups (Band)") == "band pullup"
    assert normalise_name("Rumänisches Kreuzheben") == normalise_name("rumanisches  KREUZHEBEN")
    assert normalise_name("Squat (Barbell)") == normalise_name("Barbell Squats")
    assert normalise_name("Deadlift (Barbell)") != normalise_name("Romanian Deadlift (Barbell)")


# ------------------------------------------------------------------------------------------------ FIT reader names


@pytest.mark.parametrize(
    ("category", "subtype", "exercise"),
    [
        (8, 23, "romanian_deadlift"),  # DESIGN §5: deadlift = 8, romanian_deadlift = 23
        ("deadlift", "trap_bar_deadlift", "trap_bar_deadlift"),
        ("hip_raise", "kettlebell_swing", "kettlebell_swing"),
        ("leg_curl", "good_morning", "good_morning"),
        ("hip_raise", "barbell_hip_thrust_with_bench", "hip_thrust"),
        (65534, None, None),  # unknown exercise: matched by nothing, reported
    ],
)
def test_names_the_fit_reader_writes_classify(category, subtype, exercise):
    fit = pytest.importorskip("trailstrength.io.fit")
    profile = pytest.importorskip("fitdecode.profile").FIELD_TYPES
    if isinstance(category, str):
        category = next(k for k, v in profile["exercise_category"].enum.items() if v == category)
        subtype = next(
            k
            for k, v in profile[f"{profile['exercise_category'].enum[category]}_exercise_name"].enum.items()
            if v == subtype
        )
    row = one(fit.exercise_name(category, subtype))
    assert (row["exercise"] if exercise else row["match_method"]) == (exercise or "unmatched")


def test_fit_set_without_subtype_is_not_classified_by_its_category():
    """A set with a category but no subtype must not pass for the conventional lift of that name (DESIGN §7)."""
    fit = pytest.importorskip("trailstrength.io.fit")
    assert one(fit.exercise_name(8, None))["match_method"] == "unmatched"


def test_annotate_by_folder_shares_the_root_overrides_and_keeps_a_folders_own(tmp_path):
    """Folders without their own overrides file are annotated in one pass with the root's; a folder with its own
    file gets its own rows: the result equals annotating each folder alone, row for row (issue 18)."""
    raw = tmp_path / "raw"
    for name in ("a", "b", "c"):
        (raw / name).mkdir(parents=True)
    (raw / "exercise_overrides.csv").write_text("exercise,aliases\nupright_row,Cable Upright Bar Row\n")
    (raw / "c" / "exercise_overrides.csv").write_text("exercise,aliases\nromanian_deadlift,Stiff Pulls\n")
    names = ["Cable Upright Bar Row", "Stiff Pulls", "Romanian Deadlift", "Back Squat"]
    sets = pd.DataFrame(
        {
            "exercise_raw": [n for _ in range(3) for n in names],
            "source_file": [f"{f}/log.csv" for f in ("a", "b", "c") for _ in names],
        }
    ).sample(frac=1.0, random_state=1)
    got = matcher_module.annotate_by_folder(sets, raw)
    want = pd.concat(
        matcher_module.annotate_sets(grp, overrides=matcher_module.overrides_for(raw, folder))
        for folder, grp in sets.groupby(sets["source_file"].str[0])
    ).reindex(sets.index)
    pd.testing.assert_frame_equal(got, want)
    by_folder = got.assign(folder=got["source_file"].str[0]).set_index(["folder", "exercise_raw"])["match_method"]
    assert by_folder[("c", "Stiff Pulls")] == "override" and by_folder[("a", "Stiff Pulls")] != "override"
    assert by_folder[("a", "Cable Upright Bar Row")] == "override" == by_folder[("c", "Cable Upright Bar Row")]
