# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2.0 · Descent performance (H1)
#
# The article's first claim: posterior-chain (hip-hinge) training makes you descend faster. Here: how each
# athlete's speed depends on grade, what a descent segment is on a real profile, the descent performance index
# (DPI) over time beside hinge volume, and the pre-registered H1 model with its diagnostics.
#
# DPI = grade-adjusted speed on descent segments ÷ the athlete's flat speed in the same run (DESIGN §6).

# %% tags=["parameters"]
warehouse = "../reports/demo/warehouse"  # a warehouse built by `trailstrength ingest` (or `trailstrength demo`)
athletes = None  # athlete ids to keep, e.g. ["ath01", "ath02"] (None: everyone)
start = None  # first local date to keep, "YYYY-MM-DD" (None: from the first record)
end = None  # last local date to keep (None: to the last record)
output_dir = "../reports/notebooks/2.0"  # where figures are written
fast = False  # True: fewer runs per athlete (the test suite runs every notebook this way)

# %%
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import display

import trailstrength as ts
from trailstrength import analysis, models, report, terrain, viz
from trailstrength.features import frames

viz.set_theme()
wh = ts.open_warehouse(warehouse, athletes=athletes, start=start, end=end)
out = Path(output_dir)
max_runs = 12 if fast else None

# %% [markdown]
# ## Speed on each grade, per athlete
#
# Each point is 100 m of running: speed relative to the run's flat speed against grade. The lines are
# grade-adjustment models at equal effort: Strava's equal-effort curve (what runners do), Minetti's energy cost
# (what it costs: it over-rewards descents) and, when the athlete has enough runs, their own empirical curve
# (`terrain.fit_empirical_gap`: a per-run intercept absorbs form, the spline is the athlete's shape).

# %%
ids = sorted(wh.runs["athlete_id"].unique())
terrains = {athlete: frames.run_terrains(wh, [athlete], max_runs=max_runs) for athlete in ids}
points = frames.grade_speed_frame(wh, terrains={run: rt for runs in terrains.values() for run, rt in runs.items()})

# %%
curves = {}
for athlete, runs_terrain in terrains.items():
    try:
        curves[athlete] = terrain.fit_empirical_gap(runs_terrain.values())
    except terrain.NotEnoughTerrainData as why:
        print(f"{athlete}: no empirical curve ({why})")

# %%
if points.empty:
    print("not shown: no run has a track with altitude and a flat reference speed")
else:
    axes = viz.grade_speed_by_athlete(points, {"Strava": "strava", "Minetti": "minetti"}, own_curves=curves)

# %% [markdown]
# The athlete's own curve at a few grades (factor > 1: slower than on the flat at equal effort), beside Strava's:

# %%
grades = np.array([-0.25, -0.15, -0.10, -0.05, 0.0, 0.05, 0.10, 0.15])
table = pd.DataFrame({"grade_%": grades * 100, "strava": terrain.gap_factor(grades, "strava")})
for athlete, curve in curves.items():
    table[athlete] = curve(grades)
table.round(3)

# %% [markdown]
# ## What a descent segment is, on one run's profile
#
# Smoothed grade ≤ −5 % for ≥ 200 m with ≥ 20 m of drop (gaps < 50 m merged); classes moderate (−5 to −12 %),
# steep (−12 to −25 %), very steep (< −25 %). No map: the profile says what matters.

# %%
terrains_1 = frames.run_terrains(wh, max_runs=1)  # the run with most measured descent (never one without altitude)
if terrains_1:
    ((run_id, rt),) = terrains_1.items()
    biggest = wh.runs.set_index("activity_id").loc[run_id]
    ax = viz.descent_profile(rt.profile, rt.segments)
    _ = ax.set_title(
        f"{biggest['athlete_id']}, {biggest['local_date']:%Y-%m-%d}: {biggest['descent_m']:.0f} m of descent"
    )
else:
    print("not shown: no run has a track with measured altitude")

# %%
if terrains_1:
    display(
        rt.segments.query("kind == 'descent'")[
            ["start_m", "length_m", "drop_m", "mean_grade", "steepness", "speed_mps", "gap_speed_mps"]
        ].round(3)
    )

# %%
descents = wh.descents
descents.groupby(["athlete_id", "steepness"]).agg(
    segments=("length_m", "size"), km=("length_m", lambda s: s.sum() / 1000), mean_speed_mps=("speed_mps", "mean")
).round(2)

# %% [markdown]
# ## DPI over time, beside hinge volume
#
# Dots: DPI of each run with ≥ 500 m of descent segments; line: weighted hinge sets per week over the previous
# 28 days. If hinge work helped, DPI would rise after hinge-heavy blocks, within each athlete.

# %%
res = analysis.analyze(wh)  # the panels and the pre-registered models, as `trailstrength analyze` fits them
h1 = res.h1_panel
if h1.empty:  # say why, from the check table (`trailstrength check`)
    print("no run can enter H1 with these data; per athlete, the runs left out and why:")
    for r in res.check[(res.check["claim"] == "H1") & (res.check["status"] == "excluded")].itertuples():
        print(f"  {r.athlete_id}: {r.count} {r.reason}" + (f" (next: {r.next_step})" if r.next_step else ""))

# %%
if h1.empty:
    print("not shown: DPI over time needs runs in the H1 panel")
else:
    axes = viz.dpi_over_time(h1, ids)

# %% [markdown]
# ## The H1 model
#
# Linear mixed model, random intercept per athlete (random slope when the data support it), DPI on the
# within- and between-athlete parts of `hinge_sets_28d`, adjusted for 28-day downhill running, running volume,
# the run's mean descent grade and duration. The pre-registered effect is the within-athlete slope.

# %%
fit = models.fit_h1(h1)
print(fit.header)
print(fit.note)
estimated = fit.effects.dropna(subset=["estimate"])
if estimated.empty:
    print("H1 is not answerable with these data (the check above says why)")
else:
    display(
        estimated[["term", "estimate", "ci_low", "ci_high", "p_value", "unit", "n_athletes", "n_obs", "model"]].round(4)
    )

# %% [markdown]
# ### Diagnostics
#
# Residuals against fitted values (no funnel, no curve), a normal Q–Q plot (heavy tails make Wald intervals too
# narrow), and residuals by athlete (one athlete dominating the fit shows here).

# %%
if fit.result is not None:
    used = h1.dropna(subset=["dpi", "hinge_sets_28d", *models.DEFAULT_H1_COVARIATES])  # the rows the model used
    axes = viz.residual_diagnostics(
        fit.result.fittedvalues, fit.result.resid, groups=used["athlete_id"], fitted_label="Fitted DPI"
    )
else:
    print("nothing could be fitted:", fit.note)

# %% [markdown]
# ### The competing explanation: knee-dominant work
#
# Descending loads the quadriceps eccentrically. If squats and lunges rose with the deadlifts, the hinge slope
# could be theirs. Adding knee-dominant sets (within/between) shows how much of it survives.

# %%
with_knee = models.fit_h1(h1, covariates=(*models.DEFAULT_H1_COVARIATES, "knee_sets_28d"))
side = pd.concat({"primary": fit.effects, "+ knee-dominant sets": with_knee.effects}, names=["model"])
shown = side["term"].str.contains("hinge|knee|descent_100m")
side = side[shown].dropna(subset=["estimate"])
if side.empty:
    print("not shown: neither model could be fitted with these data")
else:
    display(side[["term", "estimate", "ci_low", "ci_high", "p_value"]].round(4))

# %% [markdown]
# ## The blog figure
#
# Within-athlete DPI against within-athlete hinge volume, with the model slope and its 95 % CI, exported the way
# `trailstrength figures` does it: blog canvas, PNG + SVG, athletes pseudonymised, alt text from the numbers.

# %%
records = report.write_figure_set(wh, out, results=res, only=["h1_dpi_vs_hinge"])
print(records[0].alt or f"not drawn: {records[0].skipped}")
[p.name for p in records[0].paths]

# %% [markdown]
# Read the estimate with the caveats of `4.0-what-the-article-claims`: an observational, within-athlete
# association, adjusted for downhill running and volume, not an effect of prescribing RDLs.

# %%
report.versions()
