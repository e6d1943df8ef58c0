"""Tests for the pattern grammar (stage 6 of the matcher), the movement-respecting hints and the re-classification
summary (issue 20)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trailstrength.exercises import (
    LOWER_BODY_PATTERNS,
    MATCH_METHODS,
    MOVEMENT_WORDS,
    PATTERNS,
    RULES,
    annotate_sets,
    closest_row,
    compare_with_labels,
    describe_reclassification,
    grammar_table,
    is_placeholder,
    load_taxonomy,
    match_exercises,
    normalise_name,
    pattern_coverage,
    reclassification_summary,
    unmatched_report,
)

LABELS = pd.read_csv(Path(__file__).parent / "data" / "exercises" / "custom_names.csv")
ISSUE_NAMES = LABELS.loc[LABELS["source"].str.startswith("issue"), "name"].tolist() + ["Seated Machine Curl"]
PLACEHOLDER = "strength session (exercises not recorded)"  # what the PMData srpe reader logs for a strength session


def one(name: str, **kwargs) -> pd.Series:
    return match_exercises([name], **kwargs).iloc[0]


# ------------------------------------------------------------------------------------------------ the grammar


def test_every_rule_names_a_package_row_with_its_pattern():
    tax = load_taxonomy().set_index("exercise")
    for rule in RULES:
        assert rule.pattern in PATTERNS, rule.label
        if rule.row is not None:
            assert rule.row in tax.index, rule.label
            assert tax.loc[rule.row, "pattern"] == rule.pattern, rule.label
    table = grammar_table()
    assert len(table) == len(RULES) and table["label"].str.len().gt(2).all()


@pytest.mark.parametrize("label", LABELS.to_dict("records"), ids=LABELS["name"].tolist())
def test_labelled_names_get_their_pattern_flags_and_weight(label):
    got = compare_with_labels(pd.DataFrame([label])).iloc[0]
    assert got["pattern_ok"], (got["got_pattern"], got["match_method"])
    assert got["flags_ok"], (got["got_knee_dominant"], got["got_unilateral"])
    assert got["weight_ok"], got["got_weight"]


def test_issue_names_are_classified_by_the_grammar_not_guessed_as_an_exercise():
    result = match_exercises(ISSUE_NAMES).set_index("exercise_raw")
    assert result["match_method"].eq("pattern").all(), result["match_method"]
    assert result["exercise"].isna().all() and result["pattern"].notna().all()
    assert result["match_note"].str.startswith("pattern from the name").all()
    assert set(MATCH_METHODS) >= set(result["match_method"])


def test_lower_body_issue_names_take_the_weight_of_their_family():
    kick = one("Glute Machine (Kick Backwards)")
    hinge = one("Hip Hinge")
    rdl = one("Romanian Deadlift")
    kickback = one("Glute Kickback (Machine)")  # the package row the grammar weighs it as
    assert (kick["pattern"], kick["hinge_subtype"], kick["posterior_chain_weight"]) == (
        kickback["pattern"],
        kickback["hinge_subtype"],
        kickback["posterior_chain_weight"],
    )
    assert kick["unilateral"] and not kick["knee_dominant"]
    assert (hinge["pattern"], hinge["hinge_subtype"], hinge["posterior_chain_weight"]) == ("hinge", "rdl_sld", 1.0)
    assert hinge["posterior_chain_weight"] == rdl["posterior_chain_weight"]


def test_curl_is_a_leg_curl_only_with_leg_or_hamstring():
    assert one("Seated Machine Curl")["pattern"] == "pull"
    assert one("Seated Machine Curl")["posterior_chain_weight"] == 0.0
    for name in ("Seated Machine Leg Curl Heavy", "Hamstring Curl Slider Single", "Machine Ham Curl Seated"):
        row = one(name)
        assert row["pattern"] == "knee_flexion" and row["posterior_chain_weight"] == 0.5, name
    assert one("Bicep Curl Single Leg Balance")["pattern"] == "pull"


def test_words_that_turn_a_pull_into_a_push_and_back():
    assert one("Tricep Cable Pull Down")["pattern"] == "push"
    assert one("Straight-Arm Cable Pushdown")["pattern"] == "pull"
    assert one("Rear Delt Cable Fly")["pattern"] == "pull"
    assert one("Seated Machine Fly")["pattern"] == "push"
    assert one("Jump Squat Weighted Vest")["pattern"] == "plyometric"
    assert one("Hamstring Stretch Band")["pattern"] == "mobility"
    assert one("Calf Press on the Leg Press Sled")["pattern"] == "other"


def test_unknown_word_keeps_pattern_and_flags_but_no_weight():
    row = one("Zorbatron Deadlift")
    assert row["pattern"] == "hinge" and pd.isna(row["hinge_subtype"])
    assert row["posterior_chain_weight"] == 0.0 and "zorbatron" in row["match_note"]
    squat = one("Zorbatron Squat")
    assert squat["knee_dominant"] and squat["posterior_chain_weight"] == 0.0
    # equipment and set-up words a gym adds are known: the weight stays
    assert one("Safety Bar Good Mornings")["posterior_chain_weight"] == 1.0


def test_override_that_reweights_a_row_reaches_the_names_the_grammar_weighs_as_it():
    overrides = pd.DataFrame({"exercise": ["glute_kickback"], "posterior_chain_weight": ["0.3"]})
    row = one("Glute Machine (Kick Backwards)", overrides=overrides)
    assert row["match_method"] == "pattern" and row["posterior_chain_weight"] == 0.3
    # and an alias in the overrides wins over the grammar
    overrides = pd.DataFrame({"exercise": ["upright_row"], "aliases": ["Cable Upright Bar Row"]})
    row = one("Cable Upright Bar Row", overrides=overrides)
    assert (row["match_method"], row["exercise"]) == ("override", "upright_row")


@pytest.mark.parametrize(
    "name",
    [
        PLACEHOLDER,
        "Strength Training",
        "Workout",
        "Full Body Session",
        "Zorbing",
        "Glute Machine",
        "Smith Machine",
        "deadlift/65534",
    ],
)
def test_names_without_a_movement_word_and_placeholders_stay_unmatched(name):
    row = one(name)
    assert row["match_method"] == "unmatched" and pd.isna(row["pattern"])


def test_placeholder_detection():
    assert is_placeholder(PLACEHOLDER) and is_placeholder("Upper Body Workout 2")
    assert not is_placeholder("Upper Body Row") and not is_placeholder("Squat")


_FILLER = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9), max_size=4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    word=st.sampled_from(MOVEMENT_WORDS),
    before=_FILLER,
    after=_FILLER,
    case=st.sampled_from([str.lower, str.title, str.upper]),
    bracket=st.booleans(),
)
def test_any_name_with_a_movement_word_gets_a_pattern(word, before, after, case, bracket):
    tail = " ".join(after)
    name = " ".join([*before, case(word)]) + (f" ({tail})" if bracket and tail else f" {tail}")
    row = one(name)
    assert pd.notna(row["pattern"]) and row["pattern"] in PATTERNS, (name, row["match_method"])


def test_movement_words_cover_every_pattern_the_grammar_gives():
    assert len(MOVEMENT_WORDS) > 100
    assert {r.pattern for r in RULES} <= set(PATTERNS)
    assert {
        "curl",
        "row",
        "press",
        "squat",
        "lunge",
        "deadlift",
        "hinge",
        "crunch",
        "carry",
        "jump",
        "stretch",
        "treadmill",
    } <= set(MOVEMENT_WORDS)


# ------------------------------------------------------------------------------------------------ hints


def test_the_wrong_hints_of_issue_20_are_gone():
    assert closest_row("Seated Machine Curl")[0] == "biceps_curl"
    assert closest_row("Cable Upright Bar Row")[0] == "upright_row"
    assert closest_row(PLACEHOLDER) == (None, pytest.approx(np.nan, nan_ok=True))
    for name in ("Seated Machine Curl", "Machine Curl", "Cable Curl Rope"):
        hint, _ = closest_row(name)
        assert hint is None or "leg" not in hint, name
    for name in ("Cable Row Bar", "Single Arm Cable Row", "Cable Upright Bar Row", "Row Machine Chest Supported"):
        hint, _ = closest_row(name)
        assert hint != "seated_cable_row", name


def test_hints_keep_pattern_and_add_no_movement_word():
    tax = load_taxonomy().set_index("exercise")
    for label in LABELS.itertuples():
        hint, score = closest_row(label.name, label.pattern)
        if hint is None:
            assert np.isnan(score)
            continue
        assert tax.loc[hint, "pattern"] == label.pattern, (label.name, hint)
        for word in ("seated", "leg", "lying", "upright", "romanian", "single"):
            if word not in normalise_name(label.name):
                assert word not in hint, (label.name, hint)


def test_report_lists_names_without_a_row_and_never_hints_for_placeholders():
    sets = pd.DataFrame(
        {
            "exercise_raw": ["Cable Upright Bar Row"] * 3
            + ["Seated Machine Curl"] * 2
            + [PLACEHOLDER] * 4
            + ["Strength"]
            + ["Deadlift (Barbell)"] * 5,
            "session_level": [False] * 5 + [True] * 5 + [False] * 5,
        }
    )
    report = unmatched_report(sets, suggest=True).set_index("exercise_raw")
    assert report["n_sets"].to_dict() == {
        PLACEHOLDER: 4,
        "Cable Upright Bar Row": 3,
        "Seated Machine Curl": 2,
        "Strength": 1,
    }
    assert report.loc["Cable Upright Bar Row", "pattern"] == "pull"
    assert report.loc["Cable Upright Bar Row", "closest"] == "upright_row"
    assert report.loc["Cable Upright Bar Row", "closest_score"] >= 90
    for name in (PLACEHOLDER, "Strength"):
        assert pd.isna(report.loc[name, "closest"]) and np.isnan(report.loc[name, "closest_score"])
        assert pd.isna(report.loc[name, "pattern"])


def test_footer_example_never_recommends_a_wrong_mapping():
    """The CLI footer shows the top name with its hint when the hint scores >= 90: such hints must be right."""
    tax = load_taxonomy().set_index("exercise")
    sets = pd.DataFrame({"exercise_raw": LABELS["name"].repeat(LABELS["sets"].fillna(1).astype(int))})
    report = unmatched_report(sets, suggest=True)
    truth = LABELS.set_index("name")["pattern"]
    confident = report[report["closest_score"] >= 90]
    assert len(confident) > 0
    for r in confident.itertuples():
        assert tax.loc[r.closest, "pattern"] == truth[r.exercise_raw], (r.exercise_raw, r.closest)
    top = report.iloc[0]
    assert top["exercise_raw"] == "Cable Upright Bar Row" and top["closest"] == "upright_row"


# ------------------------------------------------------------------------------------------------ re-classification


def test_reclassification_summary_counts_the_sets_an_override_changed():
    sets = pd.DataFrame(
        {
            "exercise_raw": ["Cable Upright Bar Row"] * 150
            + ["Glute Machine (Kick Backwards)"] * 20
            + ["Deadlift (Barbell)"] * 30
            + ["Zorbing"] * 2
        },
        index=pd.RangeIndex(10, 212),
    )
    before = annotate_sets(sets)
    overrides = pd.DataFrame(
        {
            "exercise": ["upright_row", "glute_kickback"],
            "aliases": ["Cable Upright Bar Row", ""],
            "posterior_chain_weight": ["", "0.5"],
        }
    )
    after = annotate_sets(before, overrides=overrides)
    summary = reclassification_summary(before, after)
    assert summary["n_sets"].tolist() == [150, 20] and summary["n_sets"].dtype == "int64"
    first = summary.iloc[0]
    assert first["exercise_raw"] == "Cable Upright Bar Row" and pd.isna(first["exercise_before"])
    assert (
        first["pattern_before"],
        first["match_method_before"],
        first["exercise_after"],
        first["match_method_after"],
    ) == ("pull", "pattern", "upright_row", "override")
    assert first["by_override"]
    # a re-weighted row changes the sets the grammar weighs as it: counted, but not an override match
    second = summary.iloc[1]
    assert second["exercise_raw"] == "Glute Machine (Kick Backwards)" and not second["by_override"]
    text = describe_reclassification(summary)
    assert "exercise_overrides.csv re-classified 150 sets (1 name): Cable Upright Bar Row -> upright_row (150)" in text
    assert (
        "re-weighted or re-filed taxonomy rows re-classified 20 sets (1 name): Glute Machine (Kick Backwards) -> "
        "pattern hinge (20)" in text
    )
    # nothing changes on a second run with the same file, and a first annotation has nothing to compare
    assert reclassification_summary(after, annotate_sets(after, overrides=overrides)).empty
    assert describe_reclassification(reclassification_summary(after, after)) == ""
    assert reclassification_summary(sets, before).empty


def test_reclassification_summary_ignores_sets_only_in_one_table():
    before = annotate_sets(pd.DataFrame({"exercise_raw": ["Squat (Barbell)", "Hip Hinge"]}))
    after = annotate_sets(
        pd.DataFrame({"exercise_raw": ["Squat (Barbell)", "Hip Hinge", "RDL"]}),
        overrides=pd.DataFrame({"exercise": ["good_morning"], "aliases": ["Hip Hinge"]}),
    )
    summary = reclassification_summary(before, after)
    assert summary[["exercise_raw", "n_sets", "exercise_after"]].values.tolist() == [["Hip Hinge", 1, "good_morning"]]
    assert describe_reclassification(summary) == (
        "exercise_overrides.csv re-classified 1 set (1 name): Hip Hinge -> good_morning (1)"
    )


# ------------------------------------------------------------------------------------------------ coverage


def test_pattern_coverage_counts_sets_by_method():
    out = annotate_sets(pd.DataFrame({"exercise_raw": ["Squat (Barbell)"] * 3 + ["Hip Hinge"] + ["Zorbing"]}))
    cov = pattern_coverage(out)
    assert (cov["n_sets"], cov["with_pattern"], cov["n_exact"], cov["n_pattern"], cov["n_unmatched"]) == (5, 4, 3, 1, 1)
    assert cov["share_with_pattern"] == pytest.approx(0.8)


@pytest.mark.realdata
@pytest.mark.parametrize("rel", ["strong-charts/strong.csv", "kaiserlift/FitNotes_Export_2025_05_21_08_39_11.csv"])
def test_real_logs_reach_issue_20_targets(realdata, ctx, rel):
    from trailstrength.io import fitnotes, strong

    reader = strong.read_strong if rel.startswith("strong") else fitnotes.read_fitnotes
    sets = annotate_sets(reader(realdata(rel).read_bytes(), ctx).tables["strength_sets"])
    working = sets[sets["set_type"].isin(["working", "failure", "drop"])]
    assert pattern_coverage(working)["share_with_pattern"] >= 0.97
    lower = sets.loc[sets["pattern"].isin(LOWER_BODY_PATTERNS) | sets["knee_dominant"], "exercise_raw"].unique()
    labelled = LABELS[LABELS["name"].isin(lower)]
    assert set(lower) == set(labelled["name"]), "every lower-body name of the real logs is labelled"
    checked = compare_with_labels(labelled)
    assert checked["flags_ok"].all() and checked["pattern_ok"].all(), checked[~checked["flags_ok"]]
