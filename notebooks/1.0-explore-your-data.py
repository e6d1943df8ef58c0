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
# # 1.0 · Explore your data
#
# What is in the warehouse: athletes, date ranges, formats, quarantined files; one athlete's training week by
# week; one run's terrain in detail; and the data-quality flags to check before trusting any model. Rerun on your
# own data by changing the parameters cell, or from a shell:
# `trailstrength notebook run 1.0 --param warehouse=data/processed/warehouse`.

# %% tags=["parameters"]
warehouse = "../reports/demo/warehouse"  # a warehouse built by `trailstrength ingest` (or `trailstrength demo`)
athletes = None  # athlete ids to keep, e.g. ["ath01", "ath02"] (None: everyone)
start = None  # first local date to keep, "YYYY-MM-DD" (None: from the first record)
end = None  # last local date to keep (None: to the last record)
athlete = None  # athlete to look at in detail (None: the one with most runs)
output_dir = "../reports/notebooks/1.0"  # where `trailstrength notebook run` writes the executed notebook
fast = False  # True: lighter cells (the test suite runs every notebook this way)

# %%
import pandas as pd
from IPython.display import display

import trailstrength as ts
from trailstrength import report, viz
from trailstrength.features import frames

viz.set_theme()
wh = ts.open_warehouse(warehouse, athletes=athletes, start=start, end=end)
wh

# %% [markdown]
# ## Inventory: every input file and what became of it
#
# Each file ends *ingested*, *duplicate* (the same activity from another source) or *quarantined* with a reason.

# %%
manifest = wh.manifest
manifest.groupby(["format", "state"]).size().unstack("state", fill_value=0)

# %%
manifest.loc[manifest["state"] != "ingested", ["path", "state", "reason"]]

# %%
acts = wh.activities
acts.groupby("athlete_id").agg(
    first=("local_date", "min"),
    last=("local_date", "max"),
    activities=("activity_id", "size"),
    km=("distance_m", lambda s: s.sum() / 1000),
    descent_m=("descent_m", "sum"),
).round(1)

# %% [markdown]
# ## One athlete, week by week
#
# Running volume, vertical descent and posterior-chain-weighted hinge sets per week. Exposure and outcome move
# together in real training blocks; this is what the models have to pull apart.

# %%
runs = wh.runs
who = athlete or runs["athlete_id"].value_counts().idxmax()
weekly = frames.weekly_training_frame(wh, athletes=[who])
weekly.round(1)

# %%
ax = viz.training_calendar(weekly.drop(columns="athlete_id"))
_ = ax.set_title(f"{who}: training week by week")

# %% [markdown]
# ## One run in detail: altitude profile and descent segments

# %%
# the athlete's run with most measured descent (runs without altitude have none and are never picked)
terrains = frames.run_terrains(wh, [who], max_runs=1)
if terrains:
    ((run_id, rt),) = terrains.items()
    run = runs.set_index("activity_id").loc[run_id]
    ax = viz.descent_profile(rt.profile, rt.segments)
    _ = ax.set_title(f"{who}, {run['local_date']:%Y-%m-%d}: descents shaded")
else:
    print(f"not shown: {who} has no run with a track and measured altitude")

# %%
if terrains:
    display(rt.segments[["kind", "start_m", "length_m", "drop_m", "mean_grade", "speed_mps", "gap_speed_mps"]].round(3))

# %% [markdown]
# ## Strength: what was lifted, by movement pattern

# %%
sets = wh.strength_sets
sets.groupby(["pattern", "set_type"]).size().unstack(fill_value=0)

# %%
sets[sets["pattern"] == "hinge"].groupby(["hinge_subtype", "exercise"]).size().rename("sets").to_frame()

# %% [markdown]
# ## Data-quality flags
#
# Check these before reading any model: altitude that is only GPS (noisier grades), runs without a flat
# reference (no DPI), soreness diaries with gaps, exercise names the taxonomy did not recognise.

# %%
flags = (
    pd.DataFrame(
        {
            "runs": runs.groupby("athlete_id").size(),
            "altitude not 'good'": runs[runs["altitude_quality"] != "good"].groupby("athlete_id").size(),
            "no DPI": runs[runs["dpi"].isna()].groupby("athlete_id").size(),
            "DPI from rolling flat reference": runs[runs["flat_reference"] == "rolling_28d"]
            .groupby("athlete_id")
            .size(),
        }
    )
    .fillna(0)
    .astype(int)
)
well = wh.wellness
days = acts.groupby("athlete_id")["local_date"].agg(lambda d: (d.max() - d.min()).days + 1)
reported = well.dropna(subset=["soreness"]).groupby("athlete_id")["local_date"].nunique()
flags["soreness days reported (%)"] = (100 * reported / days).round(0)
unmatched = sets[sets["match_method"] == "unmatched"]  # `trailstrength exercises --unmatched` lists them
flags["unmatched exercise sets"] = unmatched.groupby("athlete_id").size().reindex(flags.index).fillna(0).astype(int)
flags

# %% [markdown]
# Next: `2.0-descent-performance` (H1) and `3.0-soreness` (H2) look at the two primary claims;
# `4.0-what-the-article-claims` puts every claim side by side.

# %%
report.versions()
