"""Sport inference for activity files that name no sport (trailstrength.sport; issue 14 item 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength.io import FORMATS, Athlete, FileContext, detect, open_bytes
from trailstrength.simulate.runs import synthetic_run
from trailstrength.sport import (
    SportRules,
    infer_activity_sport,
    infer_sport,
    movement_features,
    tobler_speed_mps,
)

M_PER_DEG = 111_195.0  # metres per degree of latitude on the package's Earth radius


def track(legs, *, cadence=None, hz: float = 1.0) -> pd.DataFrame:
    """Samples over straight legs ``(horizontal m, grade, speed m/s)`` heading north, one fix per ``1/hz`` s.

    ``cadence``: None, a number for every sample, or a function of the leg's (grade, speed).
    """
    t, d, alt, cad = [0.0], [0.0], [300.0], []
    for length, grade, speed in legs:
        n = max(1, round(length / speed * hz))
        step = length / n
        for _ in range(n):
            t.append(t[-1] + 1.0 / hz)
            d.append(d[-1] + step)
            alt.append(alt[-1] + step * grade)
        c = cadence(grade, speed) if callable(cadence) else cadence
        cad += [np.nan if c is None else c] * n
    cad = [cad[0] if cad else np.nan, *cad]
    d = np.array(d)
    return pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2024-05-01T06:00Z") + pd.to_timedelta(t, unit="s"),
            "elapsed_s": t,
            "distance_m": np.nan,
            "lat": 46.0 + d / M_PER_DEG,
            "lon": 7.0,
            "altitude_m": alt,
            "heart_rate": 140.0,
            "cadence": cad,
            "speed_mps": np.nan,
        }
    )


def hike(factor: float = 1.0):
    """Legs of a hilly course walked at ``factor`` × Tobler's hiking speed."""
    course = [(800, 0.0), (1500, 0.15), (600, 0.0), (1500, -0.15), (800, 0.05), (800, -0.05)]
    return [(length, g, factor * float(tobler_speed_mps(g))) for length, g in course]


# ------------------------------------------------------------------------------------------ synthetic
def test_runner_on_a_hilly_course_is_running():
    guess = infer_sport(synthetic_run("plateau", flat_speed_mps=3.0, noise="baro").samples)
    assert guess.sport == "running" and guess.confidence > 0.9
    assert guess.evidence.startswith("running:")


def test_hiker_at_tobler_speed_is_hiking_and_flat_walker_is_walking():
    guess = infer_sport(track(hike(1.0)))
    assert guess.sport == "hiking", guess.evidence
    assert guess.features["run_pace_share"] < 0.05
    flat = infer_sport(track([(4000, 0.0, 1.35)]))
    assert flat.sport == "walking", flat.evidence


def test_mountain_run_that_hikes_the_climbs_is_running():
    """Slow uphill (hiked at 1.2 × Tobler), fast downhill and flats: a trail run, not a hike."""
    legs = [(1500, 0.0, 2.8), (2500, 0.20, 1.2 * float(tobler_speed_mps(0.20))), (2500, -0.20, 3.0), (1500, 0.0, 2.8)]
    guess = infer_sport(track(legs))
    assert guess.sport == "running", guess.evidence
    assert guess.features["run_pace_share"] >= 0.25


def test_power_hiked_vertical_race_is_running_by_its_climb_rate():
    """A steep climb only, at 900 m/h: no running pace share on the flat to lean on, the climb rate decides."""
    legs = [(300, 0.0, 1.4), (3000, 0.30, 900 / 3600 / 0.30), (100, 0.0, 1.0)]
    rules = SportRules(run_pace_ratio=3.0)  # switch the pace rule off to test the vertical one alone
    guess = infer_sport(track(legs), rules=rules)
    assert guess.sport == "running" and "mountain running effort" in guess.evidence
    assert infer_sport(track(hike(1.0)), rules=rules).sport == "hiking"


def test_ride_speeds_are_cycling():
    legs = [(6000, 0.0, 8.0), (3000, 0.04, 5.0), (3000, -0.04, 11.0)]
    assert infer_sport(track(legs)).sport == "cycling"
    # crank cadence: 85 rpm at 6 m/s is 4.2 m per turn, far beyond any stride
    pedalled = infer_sport(track([(8000, 0.0, 6.0)], cadence=85.0))
    assert pedalled.sport == "cycling" and "pedalling" in pedalled.evidence
    # the same cadence at 4 m/s is 2.8 m per stride: a fast runner, not a rider
    assert infer_sport(track([(8000, 0.0, 4.0)], cadence=85.0)).sport == "running"


def test_cadence_tells_gliding_from_running_at_the_same_speed():
    legs = [(5000, 0.0, 2.3)]
    ski = infer_sport(track(legs, cadence=44.0))
    run = infer_sport(track(legs, cadence=82.0))
    assert ski.sport == "other" and "gliding" in ski.evidence
    assert run.sport == "running"


def test_cadence_in_steps_per_minute_is_halved():
    guess = infer_sport(track([(5000, 0.0, 2.6)], cadence=168.0))
    assert guess.sport == "running"
    assert guess.features["cadence_halved"] and guess.features["cadence_p50"] == pytest.approx(84.0)


def test_walking_cadence_overrules_a_fast_walk_on_the_flat():
    """2.1 m/s is running pace on the flat by speed alone; 62 steps a minute per foot says walking."""
    walked = infer_sport(track([(5000, 0.0, 2.1)], cadence=62.0))
    assert walked.sport == "walking"
    assert walked.confidence < 0.9  # cadence and pace disagree: the margin is halved
    assert infer_sport(track([(5000, 0.0, 2.1)])).sport == "running"


def test_vehicle_stretches_make_a_walk_other():
    legs = [(2000, 0.0, 1.3), (3000, 0.0, 12.0), (1000, 0.0, 1.3)]
    guess = infer_sport(track(legs))
    assert guess.sport == "other" and "mixed" in guess.evidence


def test_what_cannot_be_inferred_says_why():
    no_times = track(hike(1.0)).assign(elapsed_s=np.nan, timestamp=pd.NaT)
    g = infer_sport(no_times)
    assert g.sport == "unknown" and g.confidence == 0 and "no usable times" in g.evidence
    short = infer_sport(track([(300, 0.0, 2.5)]))
    assert short.sport == "unknown" and "too short" in short.evidence
    nowhere = track([(600, 0.0, 1.0)]).assign(lat=np.nan, lon=np.nan)
    assert "no positions" in infer_sport(nowhere).evidence
    still = track([(60, 0.0, 0.1)])  # 10 minutes, 60 m
    g = infer_sport(still)
    assert g.sport == "other" and g.evidence.startswith("stationary")


def test_partial_times_use_the_stamped_stretch():
    s = track(hike(1.0))
    s.loc[s.index[: len(s) // 3], "elapsed_s"] = np.nan
    f = movement_features(s)
    assert f["n_timed"] < f["n_points"]
    assert infer_sport(s).sport == "hiking"


def test_infer_activity_sport_only_touches_untyped_rows():
    samples = track(hike(1.0))
    row = {"sport": "unknown", "sport_source": "file", "altitude_source": "gps"}
    out = infer_activity_sport(row, samples)
    assert out["sport"] == "hiking" and out["sport_source"] == "inferred"
    assert 0.5 <= out["sport_confidence"] <= 1 and out["sport_evidence"].startswith("hiking")
    assert infer_activity_sport({"sport": "running", "sport_source": "file"}, samples) == {}
    assert infer_activity_sport({"sport": "unknown", "sport_source": "athlete.toml"}, samples) == {}
    none = infer_activity_sport(row, samples.assign(elapsed_s=np.nan))
    assert none["sport"] == "unknown" and none["sport_source"] == "file"


# ------------------------------------------------------------------------------------------ real files
def _activity(path, rel):
    data, _ = open_bytes(path)
    tables = FORMATS[detect(data)].read(data, FileContext(rel, "0" * 64, Athlete("a1"))).tables
    act = tables["activities"].iloc[0]
    return act, tables["samples"][tables["samples"]["activity_id"] == act["activity_id"]]


@pytest.mark.realdata
@pytest.mark.parametrize(
    "rel, sport",
    [
        ("trail_analyzer/tanzawa_main_ridge.gpx", "running"),  # 24 km mountain run, climbs hiked, no sport tag
        ("runpandas/4383adb2-5170-467c-85b8-2d983c415e5b.gpx", "running"),
        ("gpxpy/korita-zbevnica.gpx", "hiking"),  # partial times, junk <type>
        ("sweatpy/4801048867_strava.gpx", "cycling"),
        ("tcxreader/cross-country-skiing_activity_1.tcx", "other"),
        ("runpandas/stopped_example.tcx", "running"),
    ],
)
def test_real_files(realdata, rel, sport):
    act, samples = _activity(realdata(rel), rel)
    guess = infer_sport(samples, altitude_source=act["altitude_source"])
    assert guess.sport == sport, guess.evidence
    assert guess.confidence > 0.8


@pytest.mark.realdata
def test_tanzawa_is_a_run_by_pace_for_the_grade(realdata):
    rel = "trail_analyzer/tanzawa_main_ridge.gpx"
    act, samples = _activity(realdata(rel), rel)
    assert act["sport"] == "unknown"  # the file names none
    f = infer_sport(samples, altitude_source=act["altitude_source"]).features
    assert f["speed_p50_mps"] < 1.5  # by raw speed alone it would look like a hike
    assert f["run_pace_share"] > 0.5 and f["descent_m_per_h"] > 1000


@pytest.mark.realdata
def test_real_file_without_times_cannot_be_inferred(realdata):
    rel = "gpxpy/cerknicko-without-times.gpx"
    act, samples = _activity(realdata(rel), rel)
    guess = infer_sport(samples, altitude_source=act["altitude_source"])
    assert guess.sport == "unknown" and guess.evidence.startswith("no usable times")
