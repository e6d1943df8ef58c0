"""Units: property tests (hypothesis) for durations, tempos, kg/lb loads, decimal commas and distances on the Earth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from trailstrength.io import Athlete, FileContext
from trailstrength.io.races import race_distance_m
from trailstrength.io.strength_logs import read_template, to_number
from trailstrength.units import (
    DISTANCE_M,
    EARTH_RADIUS_M,
    HALF_MARATHON_M,
    LB_KG,
    MARATHON_M,
    MILE_M,
    WEIGHT_KG,
    great_circle_m,
    parse_duration_s,
    tempo_eccentric_s,
    track_distance,
)

# pandas work per example is ~ms, under a loaded CI a deadline would flake; 40 examples keep the file at ~10 s
few = settings(deadline=None, max_examples=40)

hours = st.integers(0, 300)
minutes = st.integers(0, 59)
seconds = st.integers(0, 59)


def parse_one(text: str) -> float:
    return float(parse_duration_s(pd.Series([text])).iloc[0])


# ------------------------------------------------------------------------------------------------ durations
@few
@given(
    hours,
    minutes,
    seconds,
    st.sampled_from([("h", "m", "s"), ("h", "min", "sec"), ("h ", "m ", "s")]),
    st.sampled_from(["", " "]),
)
def test_spelled_durations(h, m, s, words, gap):
    """``1h 5m``, ``2h 3min 4sec``: every spelling of h/m/s gives h·3600 + m·60 + s, zero parts optional."""
    parts = [f"{v}{w}" for v, w in zip((h, m, s), words) if v]
    text = gap.join(parts) or "0s"
    assert parse_one(text) == h * 3600 + m * 60 + s
    assert parse_one(text.upper()) == h * 3600 + m * 60 + s  # Strong writes "1H 5M" in some locales


@few
@given(hours, minutes, seconds)
def test_clock_durations(h, m, s):
    """``h:mm:ss`` is hours, ``m:ss`` minutes (unbounded minutes: a 125:30 marathon split)."""
    assert parse_one(f"{h}:{m:02d}:{s:02d}") == h * 3600 + m * 60 + s
    assert parse_one(f"{h * 60 + m}:{s:02d}") == (h * 60 + m) * 60 + s


@few
@given(hours, minutes, seconds, st.integers(0, 9))
def test_every_writing_of_one_duration_agrees(h, m, s, tenth):
    """The same duration as a clock, spelled, and in bare seconds parses to one number (chip times keep tenths)."""
    total = h * 3600 + m * 60 + s
    writings = [f"{h}:{m:02d}:{s:02d}", f"{h}h {m}m {s}s", str(total), f" {total} "]
    assert {parse_one(w) for w in writings} == {float(total)}
    assert parse_one(f"{h}:{m:02d}:{s:02d}.{tenth}") == pytest.approx(total + tenth / 10)


@few
@given(st.text(alphabet=st.sampled_from("abcdefgijklnopqrtuvwxyz/-_ "), max_size=12))
@example("inf")
@example("-Infinity")
@example("nan")
def test_text_without_digits_is_not_a_duration(text):
    assert math.isnan(parse_one(text))


@few
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_durations_keep_the_index(values):
    index = pd.Index([f"row{i}" for i in range(len(values))])
    out = parse_duration_s(pd.Series([str(v) for v in values], index=index))
    assert out.index.equals(index) and out.dtype == "float64" and out.tolist() == [float(v) for v in values]


# ------------------------------------------------------------------------------------------------ tempo
@few
@given(st.integers(1, 9), st.integers(0, 9), st.sampled_from(["0", "1", "X", "x"]), st.sampled_from("-/:,"))
def test_tempo_lowering_time(ecc, pause, up, sep):
    """``3-1-1`` / ``3/1/X`` / ``31X1`` / ``3 s``: the lowering time is the first phase."""
    written = [f"{ecc}{sep}{pause}{sep}{up}", f"{ecc}{pause}{up}{pause}", f"{ecc}{pause}{up}", f"{ecc} s", f"{ecc}"]
    assert tempo_eccentric_s(pd.Series(written)).tolist() == [float(ecc)] * len(written)


# ------------------------------------------------------------------------------------------------ loads
def _ctx() -> FileContext:
    return FileContext("log.csv", "0" * 64, Athlete("ath01"))


loads = st.decimals(min_value=0, max_value=400, places=2, allow_nan=False).map(float)


@few
@given(st.lists(st.tuples(loads, st.sampled_from(["kg", "lb", "lbs", "KG", "kgs"])), min_size=1, max_size=8))
def test_template_loads_in_kg(sets):
    """Each row's ``load`` × its unit's factor (1 lb = 0.45359237 kg exactly); the unit word in any case."""
    rows = "".join(
        f"2024-03-0{i % 9 + 1},Romanian Deadlift,{i + 1},8,{load},{unit}\n" for i, (load, unit) in enumerate(sets)
    )
    df = read_template(("date,exercise,set,reps,load,unit\n" + rows).encode(), _ctx()).tables["strength_sets"]
    want = [load * (0.45359237 if unit.lower().startswith("lb") else 1.0) for load, unit in sets]
    assert sorted(df["load_kg"]) == pytest.approx(sorted(want), rel=1e-12)
    assert (df["bodyweight"] == (df["load_kg"] == 0)).all()


def test_unit_words_share_one_pound_and_one_mile():
    assert WEIGHT_KG["lb"] == WEIGHT_KG["lbs"] == WEIGHT_KG["pounds"] == LB_KG == 0.45359237
    assert DISTANCE_M["mi"] == DISTANCE_M["miles"] == MILE_M == 1609.344


@few
@given(st.integers(0, 10**5), st.integers(0, 99))
def test_decimal_comma_equals_decimal_point(whole, frac):
    comma, point = to_number(pd.Series([f"{whole},{frac:02d}", f"{whole}.{frac:02d}"]))
    assert comma == point == pytest.approx(whole + frac / 100)


# ------------------------------------------------------------------------------------------------ distances
@few
@given(st.decimals(min_value=0, max_value=200, places=1).map(float))
def test_race_distances(x):
    """``{x}k`` is x km and ``{x}mi`` x miles, except the names of the marathon and the half (42k, 21.1k, ...)."""
    named = {"42": MARATHON_M, "42.2": MARATHON_M, "21": HALF_MARATHON_M, "21.1": HALF_MARATHON_M}
    assert race_distance_m(f"{x:g}k") == pytest.approx(named.get(f"{x:g}", x * 1000))
    assert race_distance_m(f"{x:g}mi") == pytest.approx(x * MILE_M)


coordinate = st.tuples(st.floats(-80, 80), st.floats(-179, 179))


@few
@given(coordinate, coordinate, coordinate)
def test_great_circle_is_a_distance(a, b, c):
    """Zero on the diagonal, symmetric, within half the Earth's circumference, and the triangle inequality."""
    d = lambda p, q: float(great_circle_m(p[0], p[1], q[0], q[1]))  # noqa: E731
    assert d(a, a) == 0.0
    assert d(a, b) == pytest.approx(d(b, a), abs=1e-3)
    assert 0.0 <= d(a, b) <= math.pi * EARTH_RADIUS_M + 1e-3
    # haversine loses ~sqrt(eps) near antipodes (~0.1 m on the Earth): the tolerance allows that, no more
    assert d(a, c) <= d(a, b) + d(b, c) + 0.5


@few
@given(st.lists(coordinate, min_size=2, max_size=30), st.data())
def test_track_distance_sums_its_steps_and_bridges_gaps(points, data):
    lat, lon = np.array(points, dtype=float).T
    d = track_distance(lat, lon)
    assert d[0] == 0.0 and np.all(np.diff(d) >= 0)
    assert d[-1] == pytest.approx(great_circle_m(lat[:-1], lon[:-1], lat[1:], lon[1:]).sum(), rel=1e-9, abs=1e-6)
    gap = data.draw(st.integers(1, len(points) - 1))  # a point without a fix adds nothing before the next fix
    lat_gap = lat.copy()
    lat_gap[gap] = np.nan
    bridged = track_distance(lat_gap, lon)
    kept = np.delete(np.arange(len(points)), gap)
    assert bridged[-1] == pytest.approx(track_distance(lat[kept], lon[kept])[-1], rel=1e-9, abs=1e-6)
