"""Programme adherence (H6): hand-computed weeks against the article's prescription."""

from __future__ import annotations

import pandas as pd
import pytest

from trailstrength.features.adherence import programme_adherence, weekly_adherence


def _sets(rows):
    df = pd.DataFrame(
        rows, columns=["athlete_id", "local_date", "session_id", "exercise", "pattern", "set_type", "reps", "load_kg"]
    )
    df["local_date"] = pd.to_datetime(df["local_date"])
    return df


@pytest.fixture()
def log():
    rdl = ("romanian_deadlift", "hinge")
    rows = []
    # week of Mon 2024-03-04: one session, 3 working sets of 8 (+ a warm-up that must not count) -> adherent
    rows += [("a", "2024-03-05", "s1", *rdl, "warmup", 8, 40)] + [("a", "2024-03-05", "s1", *rdl, "working", 8, 60)] * 3
    # week of 2024-03-11: nothing
    rows += [("a", "2024-03-13", "s2", "back_squat", "squat", "working", 5, 80)]
    # week of 2024-03-18: three sessions of 2 sets of 12, load +20 % -> not adherent, aggressive progression
    for s, day in (("s3", "2024-03-18"), ("s4", "2024-03-20"), ("s5", "2024-03-22")):
        rows += [("a", day, s, *rdl, "working", 12, 72)] * 2
    # week of 2024-03-25: two sessions of 4 x 6, load 74 (+2.8 %) -> adherent
    for s, day in (("s6", "2024-03-25"), ("s7", "2024-03-28")):
        rows += [("a", day, s, *rdl, "working", 6, 74)] * 4
    return _sets(rows)


def test_weekly_rules_by_hand(log):
    w = weekly_adherence(log).set_index("week")
    assert w["hinge_sessions"].tolist() == [1, 0, 3, 2]  # the empty week is kept
    assert w["adherent"].tolist() == [True, False, False, True]
    assert w.loc["2024-03-18", "sets_per_session"] == 2 and w.loc["2024-03-18", "reps_median"] == 12
    assert w.loc["2024-03-25", "top_load_kg"] == 74


def test_athlete_shares_by_hand(log):
    a = programme_adherence(log).set_index("athlete_id").loc["a"]
    assert a["weeks"] == 4 and a["hinge_weeks"] == 3
    assert a["sessions_share"] == pytest.approx(2 / 4)
    assert a["sets_share"] == pytest.approx(3 / 6)  # s1, s6, s7 of six hinge sessions
    assert a["reps_share"] == pytest.approx((3 + 8) / (3 + 6 + 8))  # warm-up excluded
    assert a["progression_share"] == pytest.approx(1 / 2)  # 60 -> 72 (+20 %) no, 72 -> 74 yes
    assert a["adherent_weeks_share"] == pytest.approx(2 / 4)
    assert a["hinge_sessions_per_week"] == pytest.approx(6 / 4)
