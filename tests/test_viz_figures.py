"""Figure functions beyond the primary scatters (headless smoke tests with checks on what is drawn),
figure frames from a warehouse, and the exported figure set (privacy helpers: test_privacy.py)."""

from __future__ import annotations

import json
import re

import matplotlib as mpl

mpl.use("Agg", force=True)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figure_helpers import by_gid as _gid  # noqa: E402
from figure_helpers import isolated_matplotlib  # noqa: E402, F401  (autouse: clean rcParams, figures closed)
from figure_helpers import one as _one  # noqa: E402
from PIL import Image  # noqa: E402
from small_cohort import small_cohort, small_cohort_results  # noqa: E402

import trailstrength.viz as tv  # noqa: E402
from trailstrength.features import frames  # noqa: E402
from trailstrength.terrain import gap_factor  # noqa: E402
from trailstrength.viz.training import CALENDAR_BINS, calendar_number  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(7)


# --- grade-speed ------------------------------------------------------------------------


@pytest.fixture
def grade_points(rng):
    grade = rng.uniform(-0.25, 0.2, 600)
    speed = 1 / gap_factor(grade) * rng.normal(1, 0.05, grade.size)
    return pd.DataFrame({"athlete_id": "a", "grade": grade, "relative_speed": speed, "weight": 100.0})


def test_grade_speed_overlays_models_as_equal_effort_speed(grade_points):
    _, ax = plt.subplots()
    assert tv.grade_speed(grade_points, ax=ax) is ax
    strava = _one(ax, "model:Strava equal-effort curve")
    x, y = strava.get_data()
    np.testing.assert_allclose(y, 1 / gap_factor(np.asarray(x) / 100, model="strava"))
    minetti = _one(ax, "model:Minetti energy cost")
    x, y = minetti.get_data()
    np.testing.assert_allclose(y, 1 / gap_factor(np.asarray(x) / 100, model="minetti"))
    assert len(_one(ax, "points").get_offsets()) == len(grade_points)
    binned_x, binned_y = _one(ax, "binned").get_data()
    assert np.all(np.diff(binned_x) > 0)  # one point per grade bin, in order
    # data drawn from the Strava curve: binned medians follow it
    np.testing.assert_allclose(binned_y, 1 / gap_factor(np.asarray(binned_x) / 100), rtol=0.06)


def test_grade_speed_takes_callables_and_labels(grade_points):
    _, ax = plt.subplots()
    tv.grade_speed(grade_points, models={"flat-earth": lambda g: np.ones_like(g)}, ax=ax)
    _, y = _one(ax, "model:flat-earth").get_data()
    assert np.allclose(y, 1)
    with pytest.raises(TypeError, match="model 'bad'"):
        tv.grade_speed(grade_points, models={"bad": 3})


def test_grade_speed_without_data_says_so():
    ax = tv.grade_speed(pd.DataFrame({"grade": [], "relative_speed": []}), models=())
    assert _gid(ax, "no_data")


def test_grade_speed_names_missing_column():
    with pytest.raises(KeyError, match="relative_speed"):
        tv.grade_speed(pd.DataFrame({"grade": [0.1]}))


# --- specification curve ------------------------------------------------------------------


@pytest.fixture
def specs(rng):
    rows = []
    for window in ("14 days", "28 days", "42 days"):
        for knee in ("no", "yes"):
            est = rng.normal(0.01, 0.01)
            rows.append(
                {
                    "hypothesis": "H1",
                    "estimate": est,
                    "ci_low": est - 0.012,
                    "ci_high": est + 0.012,
                    "window": window,
                    "knee_adjusted": knee,
                    "model": "mixedlm",
                    "primary": window == "28 days" and knee == "no",
                }
            )
    return pd.DataFrame(rows)


def test_specification_curve_ranks_estimates_and_marks_choices(specs):
    ax = tv.specification_curve(specs)
    offsets = _one(ax, "estimates").get_offsets()
    assert np.all(np.diff(offsets[:, 1]) >= 0)  # ranked
    np.testing.assert_allclose(np.sort(specs["estimate"]), offsets[:, 1])
    dash = ax.dashboard
    marks = _one(dash, "choices").get_offsets()
    assert len(marks) == len(specs) * 2  # one mark per spec per choice (window, knee_adjusted)
    labels = [t.get_text() for t in dash.get_yticklabels()]
    assert labels == [
        "window: 14 days",
        "window: 28 days",
        "window: 42 days",
        "knee adjusted: no",
        "knee adjusted: yes",
    ]
    assert len(_gid(ax, "primary_label")) == 1


def test_specification_curve_preregistered_label_never_overlaps_the_estimates(specs):
    """The "pre-registered" label sits above the axes: its box meets no error bar and no point (display px)."""
    crowded = pd.concat([specs.assign(window=f"{d} days") for d in (7, 14, 21, 28, 35)], ignore_index=True)
    crowded["primary"] = crowded["primary"] & (crowded["window"] == "28 days")
    with tv.theme("blog"):
        ax = tv.specification_curve(crowded)
        fig = ax.figure
        fig.set_size_inches(8, 4.5)
        fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    (legend,) = _gid(ax, "primary_label")
    box = legend.get_window_extent(renderer)
    assert "pre-registered" in legend.get_texts()[0].get_text()
    segments = _one(ax, "ci").get_segments()
    for (x0, y0), (x1, y1) in segments:
        (px0, py0), (px1, py1) = ax.transData.transform([(x0, y0), (x1, y1)])
        overlaps = px0 <= box.x1 and px1 >= box.x0 and min(py0, py1) <= box.y1 and max(py0, py1) >= box.y0
        assert not overlaps
    for px, py in ax.transData.transform(_one(ax, "estimates").get_offsets()):
        assert not (box.x0 <= px <= box.x1 and box.y0 <= py <= box.y1)
    assert box.y0 >= ax.bbox.y1 - 1  # in the margin above the plotting area


def test_specification_curve_keeps_a_degenerate_fit_off_scale(specs):
    wild = pd.concat(
        [
            specs,
            pd.DataFrame(
                [
                    {
                        "estimate": 1e14,
                        "ci_low": -1e15,
                        "ci_high": 1e15,
                        "window": "28 days",
                        "knee_adjusted": "yes",
                        "primary": False,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    ax = tv.specification_curve(wild)
    low, high = ax.get_ylim()
    assert low <= 0 <= high and high < 1  # the other specs are still readable
    assert low < specs["ci_low"].min() or high > specs["estimate"].max()


def test_specification_curve_on_given_axes_without_dashboard(specs):
    _, ax = plt.subplots()
    assert tv.specification_curve(specs, ax=ax) is ax
    assert ax.dashboard is None
    assert ax.get_xlabel() == "Specifications, ranked by estimate"


# --- soreness time course, calendar --------------------------------------------------------


@pytest.fixture
def course(rng):
    rows = []
    for run in range(30):
        tertile = ("low", "middle", "high")[run % 3]
        for hours in (-10, 14, 38, 62):
            rows.append(
                {
                    "activity_id": f"r{run}",
                    "hinge_tertile": tertile,
                    "hours_after": hours + rng.normal(0, 2),
                    "soreness": float(np.clip(3 + (hours > 0) * (2 - run % 3) + rng.normal(0, 1), 0, 10)),
                }
            )
    frame = pd.DataFrame(rows)
    frame["hinge_tertile"] = pd.Categorical(frame["hinge_tertile"], ["low", "middle", "high"], ordered=True)
    return frame


def test_soreness_time_course_draws_one_line_per_tertile_in_order(course):
    _, ax = plt.subplots()
    assert tv.soreness_time_course(course, ax=ax) is ax
    for tertile in ("low", "middle", "high"):
        x, y = _one(ax, f"course:{tertile}").get_data()
        assert len(x) == 4  # one point per day bin
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["low (10 runs)", "middle (10 runs)", "high (10 runs)"]
    _, low = _one(ax, "course:low").get_data()
    _, high = _one(ax, "course:high").get_data()
    assert low[-1] > high[-1]  # planted: more soreness after the run with low hinge volume


def test_soreness_time_course_empty_and_missing():
    with pytest.raises(KeyError, match="hinge_tertile"):
        tv.soreness_time_course(pd.DataFrame({"hours_after": [1.0], "soreness": [2.0]}))
    ax = tv.soreness_time_course(pd.DataFrame({"hours_after": [], "soreness": [], "hinge_tertile": []}))
    assert _gid(ax, "no_data")


@pytest.fixture
def weekly():
    weeks = pd.date_range("2025-03-03", periods=10, freq="7D")
    return pd.DataFrame(
        {
            "athlete_id": "a",
            "week": weeks,
            "run_km": np.linspace(20, 60, 10),
            "descent_m": np.linspace(500, 3000, 10),
            "hinge_sets": [0, 2, 4, 6, 6, 6, 3, 3, 0, 8],
        }
    )


def test_training_calendar_one_row_per_measure_each_scaled_to_its_max(weekly):
    _, ax = plt.subplots()
    assert tv.training_calendar(weekly, ax=ax) is ax
    for column in ("run_km", "descent_m", "hinge_sets"):
        mesh = _one(ax, f"cells:{column}")
        classes = np.asarray(mesh.get_array()).ravel()
        assert classes.max() == CALENDAR_BINS  # the row's biggest week has the full colour
        assert classes[np.argmax(weekly[column].to_numpy())] == CALENDAR_BINS
        assert np.all(np.diff(classes[np.argsort(weekly[column].to_numpy(), kind="stable")]) >= 0)  # monotone
    assert len(_gid(ax, "cell_text")) == 30
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Running (km)", "Descent (m)", "Hinge sets"]


def test_calendar_numbers_abbreviate_thousands():
    assert [calendar_number(v) for v in (0.4, 999.4, 999.6, 1234, 4154.4, 12345, np.nan)] == [
        "0",
        "999",
        "1.0k",
        "1.2k",
        "4.2k",
        "12k",
        "",
    ]


def test_training_calendar_equal_numbers_get_equal_colours(weekly):
    """The issue's case: 4.6 and 5.4 both print "5" and used to get different shades."""
    weekly = weekly.assign(hinge_sets=[4.6, 5.4, 5.0, 10, 0, 0.4, 2, 2, 7, 3], descent_m=np.linspace(950, 4150, 10))
    ax = tv.training_calendar(weekly)
    for column in ("hinge_sets", "descent_m"):
        mesh = _one(ax, f"cells:{column}")
        colours = mesh.to_rgba(np.asarray(mesh.get_array()).ravel())
        texts = [calendar_number(v) for v in weekly[column]]
        for text in set(texts):
            same = [i for i, t in enumerate(texts) if t == text]
            assert all(np.allclose(colours[i], colours[same[0]]) for i in same), (column, text)
    cells = [t.get_text() for t in _gid(ax, "cell_text")]
    assert "4.2k" in cells and not any(len(c) > 4 for c in cells)
    hinge = _one(ax, "cells:hinge_sets")
    zero = hinge.to_rgba(np.asarray(hinge.get_array()).ravel())[4]
    assert np.allclose(zero[:3], 1.0)  # a week of 0 is white


def test_training_calendar_dates_have_years_and_span_defaults_to_recent_weeks():
    weeks = pd.date_range("2024-06-03", periods=60, freq="7D")  # crosses into 2025
    weekly = pd.DataFrame({"week": weeks, "run_km": 30.0, "descent_m": 1500.0, "hinge_sets": 4.0})
    ax = tv.training_calendar(weekly)
    assert len(_one(ax, "cells:run_km").get_array().ravel()) == 26
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0].endswith(str(weeks[-26].year))
    assert any(label.endswith("2025") for label in labels)
    full = tv.training_calendar(weekly, last_weeks=None)
    mesh = _one(full, "cells:run_km")
    assert len(mesh.get_array().ravel()) == 60
    assert mesh.get_linewidth()[0] == 0  # no white edges that would blank out thin cells
    assert _gid(full, "cell_text") == []


def test_training_calendar_refuses_several_athletes(weekly):
    with pytest.raises(ValueError, match="one athlete"):
        tv.training_calendar(pd.concat([weekly, weekly.assign(athlete_id="b")]))


# --- dose-response, power ---------------------------------------------------------------------


def test_training_calendar_date_labels_fit_a_phone(weekly):
    ax = tv.training_calendar(weekly, last_weeks=8, date_labels=4)
    assert len(ax.get_xticks()) == 4 and ax.get_xlim() == (-0.5, 7.5)


@pytest.fixture
def athlete_weeks():
    weeks = pd.date_range("2025-03-03", periods=6, freq="7D")
    return pd.DataFrame(
        {
            "athlete": ["A1"] * 6 + ["A2"] * 6 + ["A3"] * 6,
            "week": list(weeks) * 3,
            "hinge_sets": [4, 5, np.nan, np.nan, 6, 7] + [0.0] * 6 + [np.nan] * 6,
        }
    )


def test_athlete_panels_one_panel_per_athlete_on_one_scale(athlete_weeks):
    ax = tv.athlete_panels(athlete_weeks, ncols=2)
    panels = ax.figure.axes
    assert [p.get_title(loc="left") for p in panels] == ["A1", "A2", "A3"]
    assert {p.get_ylim() for p in panels} == {(0, 7 * 1.08)}  # one shared scale
    bars = [a for a in panels[0].patches if a.get_gid() == "weeks:A1"]
    assert sorted(b.get_height() for b in bars) == [4, 5, 6, 7]  # the not-logged weeks are not bars of 0
    assert len(_gid(panels[0], "not_logged:A1")) == 2 and len(_gid(panels[2], "not_logged:A3")) == 6
    assert _one(panels[1], "none:A2").get_text() == "none in the logged weeks"  # logged zeros, said in words
    assert [t.get_text() for t in ax.figure.legends[0].get_texts()] == ["not logged"]
    assert ax.figure.get_supylabel() == "Hinge sets per week"
    assert panels[1].get_subplotspec().get_geometry()[:2] == (2, 2)  # two columns, as asked


def test_athlete_panels_without_weeks_says_so():
    ax = tv.athlete_panels(pd.DataFrame({"athlete": [], "week": [], "hinge_sets": []}))
    assert _one(ax, "no_data").get_text() == "No analysed weeks to show"


def test_dose_response_numeric_is_a_line_with_band():
    curve = pd.DataFrame(
        {
            "dose": [0.0, 2, 4, 6],
            "estimate": [0, 0.01, 0.015, 0.016],
            "ci_low": [-0.01, 0, 0.004, 0.0],
            "ci_high": [0.01, 0.02, 0.026, 0.03],
        }
    )
    ax = tv.dose_response(curve, observed=pd.DataFrame({"dose": [1.0, 3.0], "outcome": [0.0, 0.02]}), reference=2)
    x, y = _one(ax, "curve").get_data()
    np.testing.assert_allclose(y, curve["estimate"])
    assert _gid(ax, "curve_ci") and _gid(ax, "observed") and _gid(ax, "reference")


def test_dose_response_categories_are_points_with_counts():
    curve = pd.DataFrame(
        {
            "dose": ["0–1", "1–2", "2+"],
            "estimate": [0.0, 0.1, 0.2],
            "ci_low": [-0.1, 0.0, 0.1],
            "ci_high": [0.1, 0.2, 0.3],
            "n": [5, 7, 9],
        }
    )
    ax = tv.dose_response(curve, observed=pd.DataFrame({"dose": ["0–1", "2+"], "outcome": [0.0, 0.3]}))
    assert len(_one(ax, "curve_points").get_offsets()) == 3
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0–1\n(n = 5)", "1–2\n(n = 7)", "2+\n(n = 9)"]


def test_power_curve_lines_per_group_in_percent():
    power = pd.DataFrame(
        {
            "n_athletes": [4, 8, 12] * 2,
            "power": [0.1, 0.4, 0.7, 0.2, 0.6, 0.9],
            "ci_low": [0.05, 0.3, 0.6, 0.1, 0.5, 0.85],
            "ci_high": [0.15, 0.5, 0.8, 0.3, 0.7, 0.95],
            "effect": ["small"] * 3 + ["large"] * 3,
        }
    )
    _, ax = plt.subplots()
    assert tv.power_curve(power, ax=ax, group="effect") is ax
    _, y = _one(ax, "power:small").get_data()
    np.testing.assert_allclose(y, [10, 40, 70])
    assert _gid(ax, "power_ci:large") and _gid(ax, "target")
    assert ax.get_ylim() == (0, 100) and ax.get_xlabel() == "Athletes"


# --- profile, route --------------------------------------------------------------------------


def test_descent_profile_shades_descents():
    profile = pd.DataFrame({"distance_m": np.arange(0, 3000, 10.0)})
    profile["altitude_m"] = np.interp(profile["distance_m"], [0, 1000, 2000, 3000], [500, 800, 500, 500])
    segments = pd.DataFrame(
        {"kind": ["climb", "descent"], "start_m": [0, 1000], "end_m": [1000, 2000], "drop_m": [0, 300]}
    )
    ax = tv.descent_profile(profile, segments)
    assert len(_gid(ax, "descents")) == 1
    assert any(t.get_text() == "\u2212300 m" for t in ax.texts)


def _track(n=200):
    # a straight line north from (46.0, 7.0), ~11 m per point
    return pd.DataFrame({"lat": 46.0 + np.arange(n) * 1e-4, "lon": np.full(n, 7.0)})


def test_route_map_has_no_coordinates_and_respects_zones():
    ax = tv.route_map(_track(), privacy_zones=[(46.0, 7.0, 150.0)])
    line = _one(ax, "route")
    _, north = line.get_data()
    assert np.isnan(north).sum() > 0  # the zone is a gap, not drawn
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert not any("46" in t.get_text() for t in ax.texts)


# --- figures of a fitted model's residuals, DPI over time, grade-speed per athlete -----------------


def test_residual_diagnostics_draws_three_panels(rng):
    fitted = rng.normal(1.0, 0.1, 90)
    resid = rng.standard_t(3, 90) * 0.02
    groups = np.repeat(["a", "b", "c"], 30)
    axes = tv.residual_diagnostics(fitted, resid, groups)
    assert len(axes) == 3
    np.testing.assert_allclose(_one(axes[0], "residuals").get_offsets()[:, 1], resid)
    qq = _one(axes[1], "qq").get_offsets()
    np.testing.assert_allclose(qq[:, 1], np.sort(resid))  # ordered residuals against normal quantiles
    x, y = _one(axes[1], "qq_line").get_data()
    # the reference line passes through the quartiles of both (R's qqline): at the normal's quartiles it is there
    from scipy import stats

    q1, q3 = np.quantile(resid, [0.25, 0.75])
    z1, z3 = stats.norm.ppf([0.25, 0.75])
    np.testing.assert_allclose(np.interp([z1, z3], x, y), [q1, q3], rtol=1e-6, atol=1e-9)
    assert len(_gid(axes[2], "by_athlete")) == 3
    assert [t.get_text() for t in axes[2].get_xticklabels()] == ["a", "b", "c"]
    axes = tv.residual_diagnostics(fitted, resid, groups[:10])  # groups that do not line up are not guessed
    assert _gid(axes[2], "no_data")


def test_dpi_over_time_one_row_per_athlete_with_hinge_on_a_twin_axis(rng):
    dates = pd.date_range("2025-03-01", periods=20, freq="3D")
    panel = pd.DataFrame(
        {
            "athlete_id": np.repeat(["b", "a"], 10),
            "local_date": list(dates[:10]) * 2,
            "dpi": rng.normal(1, 0.05, 20),
            "hinge_sets_28d": rng.uniform(0, 4, 20),
        }
    )
    axes = tv.dpi_over_time(panel)
    assert len(axes) == 2 and axes[0].get_ylabel() == "a\nDPI"  # sorted athletes, top to bottom
    a = panel[panel["athlete_id"] == "a"].sort_values("local_date")
    np.testing.assert_allclose(_one(axes[0], "dpi").get_offsets()[:, 1], a["dpi"])
    _, hinge = _one(axes[0].hinge_axis, "hinge_sets").get_data()
    np.testing.assert_allclose(hinge, a["hinge_sets_28d"])
    axes = tv.dpi_over_time(panel, ["b"], axes=[plt.subplots()[1]])
    assert axes[0].get_ylabel() == "b\nDPI"
    with pytest.raises(KeyError, match="hinge_sets_28d"):
        tv.dpi_over_time(panel.drop(columns="hinge_sets_28d"))


def test_grade_speed_by_athlete_adds_each_own_curve(grade_points):
    points = pd.concat(
        [
            grade_points.assign(activity_id=np.arange(len(grade_points)) % 3),
            grade_points.assign(athlete_id="b", activity_id=7),
        ],
        ignore_index=True,
    )
    own = {"a": lambda g: np.full_like(g, 2.0)}
    axes = tv.grade_speed_by_athlete(points, own_curves=own)
    assert [ax.get_title() for ax in axes] == ["a (3 runs)", "b (1 runs)"]
    _, y = _one(axes[0], "model:Own curve").get_data()
    assert np.allclose(y, 0.5)
    assert not _gid(axes[1], "model:Own curve") and _one(axes[1], "model:Strava equal-effort curve")
    assert axes[1].get_ylabel() == ""  # the shared y axis is labelled once


# --- frames and the figure set on a small simulated warehouse (slow: ~10 s to build it once) -------


@pytest.fixture(scope="module")
def cohort():
    from trailstrength.warehouse import open_warehouse

    raw, wh = small_cohort()
    return raw, open_warehouse(wh)


def test_frames_want_an_open_warehouse(tmp_path):
    with pytest.raises(TypeError, match="open_warehouse"):
        frames.weekly_training_frame(tmp_path)


@pytest.mark.slow
def test_frames_from_warehouse(cohort):
    _, wh = cohort
    points = frames.grade_speed_frame(wh, max_runs=5)
    assert points["activity_id"].nunique() == 5
    assert points["grade"].between(-0.5, 0.5).all() and (points["relative_speed"] > 0).all()

    course = frames.soreness_course_frame(wh)
    assert course["hours_after"].between(-24, 72).all()
    assert list(course["hinge_tertile"].cat.categories) == ["low", "middle", "high"]
    per_run = course.groupby("activity_id")["hinge_tertile"].nunique()
    assert (per_run == 1).all()  # a run has one tertile

    weekly = frames.weekly_training_frame(wh)
    assert (weekly["week"].dt.day_of_week == 0).all()
    assert not weekly.duplicated(["athlete_id", "week"]).any()

    res = small_cohort_results()
    curve, observed = frames.binned_dose_response(res.h1_panel, "dpi")
    assert curve["n"].sum() == len(observed) == res.h1_panel["dpi"].notna().sum()


@pytest.fixture(scope="module")
def results(cohort):
    """The primary analysis with a small specification curve from the models' own engine (the full grid of
    ``analyze(all_claims=True)`` takes minutes on this cohort)."""
    import dataclasses

    from trailstrength.analysis import panels
    from trailstrength.models.speccurve import default_specs, run_specs

    _, wh = cohort
    res = small_cohort_results()
    by_window = {w: panels(wh, window_days=w, variants=True) for w in (28, 42)}
    specs = default_specs(windows=(28, 42), h1_thresholds=(500, 1000), h2_thresholds=(0, 5))
    curve = run_specs(specs, lambda hyp, w: by_window[w][0 if hyp == "H1" else 1])
    return dataclasses.replace(res, spec_curve=curve)


@pytest.mark.slow
def test_write_figure_set_exports_pseudonymised_figures_with_alt_text(cohort, results, tmp_path):
    from trailstrength.report import specification_table, write_figure_set

    raw, wh = cohort
    records = write_figure_set(wh, tmp_path, results=results, fast=True, formats=("png",), scale=1, maps=True, raw=raw)
    drawn = [r for r in records if r.paths]
    names = {r.name for r in drawn}
    assert {
        "h1_dpi_vs_hinge",
        "h2_soreness_vs_hinge",
        "effects_forest",
        "grade_speed",
        "soreness_time_course",
        "training_calendar_A1",
        "dose_response_h1",
        "route_A1",
        "specification_curve_h1",
        "athlete_weeks",
    } <= names
    for r in drawn:
        png = tmp_path / f"{r.name}.png"
        assert png.is_file() and (tmp_path / f"{r.name}.alt.txt").read_text().strip() == r.alt
        with Image.open(png) as im:
            assert im.text["Description"] == r.alt
        for athlete in ("ath01", "ath02", "ath03"):  # no real ids anywhere a reader sees
            assert athlete not in r.alt and athlete not in r.title
        texts = " ".join((r.alt, r.title, r.subtitle))  # no raw column name or "nan" in alt text or caption
        assert not re.search(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\bnan\b", texts, re.IGNORECASE), texts
        if not r.name.startswith("route_"):  # every figure the report embeds has its phone canvas
            assert [p.name for p in r.phone_paths] == [f"{r.name}.phone.png", f"{r.name}.phone.alt.txt"]
            with Image.open(r.phone_paths[0]) as im:
                assert im.size == (1080, 1350)
    # the published curve is the analysis' spec curve: its fitted linear rows per weekly hinge set, no other fits
    spec = next(r for r in drawn if r.name == "specification_curve_h1")
    h1 = specification_table(results.spec_curve).query("hypothesis == 'H1'")
    fitted = results.spec_curve.query("hypothesis == 'H1' and estimate == estimate")
    assert len(h1) == len(fitted) > 2  # H1's models are all linear, on hinge sets
    assert spec.alt.startswith(f"Specification curve of {len(h1)} estimates of the H1")
    assert spec.alt.endswith("choices: window, runs kept, model type.")  # choices, not result columns
    index = json.loads((tmp_path / "figures.json").read_text())
    assert index["pseudonymised"] is True and len(index["figures"]) == len(records)


@pytest.mark.slow
def test_figure_set_skips_the_spec_curve_without_one_and_maps_unless_asked(cohort, results, tmp_path):
    import dataclasses

    from trailstrength.report import write_figure_set

    _, wh = cohort
    records = write_figure_set(
        wh, tmp_path, results=results, fast=True, formats=("png",), scale=1, only=["route", "h1_"]
    )
    assert [r.name for r in records] == ["h1_dpi_vs_hinge"]
    primary_only = dataclasses.replace(results, spec_curve=None)
    records = write_figure_set(wh, tmp_path, results=primary_only, formats=("png",), only=["specification_curve"])
    assert [(r.name, bool(r.paths)) for r in records] == [
        ("specification_curve_h1", False),
        ("specification_curve_h2", False),
    ]
    assert "trailstrength analyze --all" in records[0].skipped


def test_specification_table_reads_the_analysis_spec_curve():
    from trailstrength.report import specification_table

    rows = []
    for hyp, models_ in (("H1", ("lmm", "lmm_rs")), ("H2", ("lmm", "ordinal_gee"))):
        for window in (14, 28):
            for flt in ("descent_length_m >= 500", "descent_length_m >= 1000"):
                for model in models_:
                    rows.append(
                        {
                            "hypothesis": hyp,
                            "window_days": window,
                            "exposure": "hinge_sets_28d",
                            "filter": flt,
                            "model_choice": model,
                            "estimate": 0.01,
                            "ci_low": 0.0,
                            "ci_high": 0.02,
                            "bh_q": 0.1,
                            "rank": 1,
                            "spec_id": len(rows),
                        }
                    )
    rows.append(rows[-1] | {"estimate": np.nan})  # a spec that could not be fitted is left out
    rows.append(rows[0] | {"exposure": "hinge_volume_kg_28d"})  # per kg: another unit, left out
    table = specification_table(pd.DataFrame(rows))
    # 16 fitted specs, 4 of them ordinal GEE (log odds: another scale), plus the unfitted and the per-kg rows
    assert len(table) == 12
    primary = table[table["primary"]]
    assert primary[["hypothesis", "window", "filter", "model_choice"]].values.tolist() == [
        ["H1", "28 days", "descent_length_m >= 500", "lmm_rs"],
        ["H2", "28 days", "descent_length_m >= 500", "lmm"],
    ]
    ax = tv.specification_curve(table[table["hypothesis"] == "H1"])
    labels = [t.get_text() for t in ax.dashboard.get_yticklabels()]
    assert labels[:2] == ["window: 14 days", "window: 28 days"]
    empty = specification_table(None)  # results without a curve: nothing to draw, same columns
    assert empty.empty and list(empty.columns) == list(table.columns)
