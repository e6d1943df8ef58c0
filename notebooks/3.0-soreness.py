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
# # 3.0 · Soreness after long descents (H2)
#
# The article's second claim: a trained posterior chain leaves you less sore after long technical descents.
# Here: soreness in the 72 hours around big descents by prior hinge volume, where it hurts, and the
# pre-registered H2 model with its ordinal sensitivity model.
#
# What else explains soreness after a descent, and is adjusted for (DESIGN §8 v2): the descent itself (metres),
# prior downhill running (the repeated-bout effect, the best-documented protection; a natural spline), lifting in
# the 3 days before the run, other descents in the 72 hours before it, and a within-athlete season trend. Lifting
# and runs *after* the run are downstream of the soreness and appear only in a sensitivity model.

# %% tags=["parameters"]
warehouse = "../reports/demo/warehouse"  # a warehouse built by `trailstrength ingest` (or `trailstrength demo`)
athletes = None  # athlete ids to keep, e.g. ["ath01", "ath02"] (None: everyone)
start = None  # first local date to keep, "YYYY-MM-DD" (None: from the first record)
end = None  # last local date to keep (None: to the last record)
min_descent_length_m = 500  # long-descent runs in the time course (m of descent segments), the H2 model keeps 500
output_dir = "../reports/notebooks/3.0"  # where figures are written
fast = False  # True: lighter cells (the test suite runs every notebook this way)

# %%
from pathlib import Path

import pandas as pd

import trailstrength as ts
from trailstrength import analysis, models, report, viz
from trailstrength.features import frames

viz.set_theme()
wh = ts.open_warehouse(warehouse, athletes=athletes, start=start, end=end)
out = Path(output_dir)

# %% [markdown]
# ## The diaries: how often, on which scale
#
# Every scale is mapped to 0–10 (10 = worst); the original value and scale are kept.

# %%
well = wh.wellness.dropna(subset=["soreness"])
well.groupby(["athlete_id", "soreness_scale", "source"]).agg(
    reports=("soreness", "size"), mean=("soreness", "mean"), max=("soreness", "max")
).round(2)

# %% [markdown]
# ## Soreness from the day before to 72 hours after a long descent
#
# Each long-descent run's reports from 24 h before to 72 h after it, grouped by the athlete's *own* thirds of
# prior hinge volume (`hinge_sets_28d`), so a heavy lifter is compared with their own light weeks. If the claim
# holds, the high-hinge line sits lower after the run.

# %%
course = frames.soreness_course_frame(wh, min_descent_length_m=min_descent_length_m)
course.groupby("hinge_tertile", observed=True).agg(
    runs=("activity_id", "nunique"), reports=("soreness", "size"), hinge_sets_per_week=("hinge_sets_28d", "mean")
).round(2)

# %%
ax = viz.soreness_time_course(course)

# %% [markdown]
# Exported for a post, with the alt text the figure set writes (`report.words`: one home for every sentence made from
# numbers):

# %%
paths = viz.save(
    ax.figure,
    out / "soreness_time_course",
    alt=report.words.soreness_course_alt(course),
    title="Soreness in the 72 hours after long descents",
    subtitle="By prior hinge volume (each athlete's own thirds)",
    source="Data: your warehouse",
)
[p.name for p in paths]

# %% [markdown]
# ## Where it hurts
#
# Regions named in reports in the 72 hours after long descents, against all other reports. Quadriceps soreness
# after descents is the textbook eccentric pattern; hamstring or glute soreness would point at the lifting.


# %%
def regions(frame):
    named = frame["soreness_regions"].dropna().astype(str).str.split(r"[;,|]\s*")
    return named.explode().str.strip().replace("", pd.NA).dropna().value_counts()


after = course[course["hours_after"] > 0]
pd.DataFrame({"after long descents": regions(after), "all reports": regions(well)}).fillna(0).astype(int)

# %% [markdown]
# ## The H2 model
#
# Outcome: peak soreness (0–10) on the three days after a run with ≥ 500 m of descent segments. Linear mixed
# model with a random intercept per athlete (DESIGN §8 v2); the primary effect is the within-athlete slope of
# `hinge_sets_28d` (soreness points per weekly hinge set). Its CI and p are what `trailstrength analyze`
# reports: cluster-robust CR2 standard errors with Bell–McCaffrey degrees of freedom (the `df` column; chosen by
# measured false-positive rate, see `trailstrength.models.fit_primary`), with the Holm-adjusted p of the primary
# family at the start of the note. Read the sign, the interval and the sensitivity rows together; this notebook
# does not decide the claim for you.

# %%
res = analysis.analyze(wh)  # the panels and the primary models, as `trailstrength analyze` fits them
h2 = res.h2_panel
cols = ["term", "estimate", "ci_low", "ci_high", "p_value", "df", "unit", "n_athletes", "n_obs", "model"]
h2_rows = res.effects[res.effects["hypothesis"] == "H2"]
h2_rows[h2_rows["primary"]][cols + ["note"]]

# %% [markdown]
# The other H2 rows: the v1 model, v2 with lifting and runs after the run added back (`post_run`), runs with a
# clean 72-hour window (`clean_window`) and the negative control (upper-body sets: a non-null within-athlete
# coefficient flags confounding the model does not remove).

# %%
h2_rows[~h2_rows["primary"] & h2_rows["term"].str.contains("sets_28d")][cols].round(4)

# %% [markdown]
# ### Sensitivity: soreness is an ordinal score
#
# A linear model treats the step from 1 to 2 like the step from 7 to 8. The ordinal GEE (cumulative logit,
# exchangeable correlation within athlete, binned soreness) asks only whether soreness moves up or down a
# category. Compare its sign and interval with the linear estimate above (the scales differ: log cumulative odds).

# %%
ordinal_effects = models.fit_h2_ordinal(h2, covariates=models.V2_H2_COVARIATES).effects
ordinal_effects[["term", "estimate", "ci_low", "ci_high", "p_value", "unit", "note"]].head(2)

# %% [markdown]
# ### Does prior hinge work change how much a descent hurts? (descent × hinge)
#
# The article's mechanism predicts a *smaller soreness cost per 100 m of descent* in hinge-heavy weeks: a negative
# interaction. A secondary term, not the primary effect; its CI and p are CR2 with Bell–McCaffrey df, as for the
# primary row.

# %%
fit_x = models.fit_h2_interaction(h2, covariates=models.V2_H2_COVARIATES)
inter = "descent_x_hinge_sets_28d_within"
x_rows = fit_x.effects
x_rows[x_rows["term"].isin(["hinge_sets_28d_within", "descent_100m", inter])][cols[:7] + ["model"]].round(4)

# %% [markdown]
# ## The blog figure
#
# Exported the way `trailstrength figures` does it: blog canvas, PNG + SVG, athletes pseudonymised, alt text
# from the numbers.

# %%
records = report.write_figure_set(wh, out, results=res, only=["h2_soreness_vs_hinge"])
print(records[0].alt)
[p.name for p in records[0].paths]

# %%
report.versions()
