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
output_dir = "../reports/notebooks/1.0"  # where figures are written
fast = False  # True: lighter cells (the test suite runs every notebook this way)

# %%
import matplotlib.pyplot as plt
import pandas as pd

from trailstrength import notebooks, terrain, viz
from trailstrength.viz import frames

viz.set_theme()
wh = notebooks.open_view(warehouse, athletes, start, end)
out = notebooks.output_folder(output_dir)
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
    first=("local_date", "min"), last=("local_date", "max"), activities=("activity_id", "size"),
    km=("distance_m", lambda s: s.sum() / 1000), descent_m=("descent_m", "sum"),
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
fig, ax = plt.subplots()
viz.training_calendar(weekly.drop(columns="athlete_id"), ax=ax)
ax.set_title(f"{who}: training week by week")
weekly.round(1)

# %% [markdown]
# ## One run in detail: altitude profile and descent segments

# %%
run = runs[runs["athlete_id"] == who].sort_values("descent_m").iloc[-1]
source = wh.activities.set_index("activity_id").loc[run["activity_id"], "altitude_source"]
rt = terrain.analyze_run(wh.samples(activity_ids=[run["activity_id"]]),
                         terrain.TerrainParams.for_altitude_source(source))
fig, ax = plt.subplots(figsize=(10, 4))
viz.descent_profile(rt.profile, rt.segments, ax=ax)
ax.set_title(f"{who}, {run['local_date']:%Y-%m-%d}: descents shaded")

# %%
rt.segments[["kind", "start_m", "length_m", "drop_m", "mean_grade", "speed_mps", "gap_speed_mps"]].round(3)

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
flags = pd.DataFrame({
    "runs": runs.groupby("athlete_id").size(),
    "altitude not 'good'": runs[runs["altitude_quality"] != "good"].groupby("athlete_id").size(),
    "no DPI": runs[runs["dpi"].isna()].groupby("athlete_id").size(),
    "DPI from rolling flat reference": runs[runs["flat_reference"] == "rolling_28d"].groupby("athlete_id").size(),
}).fillna(0).astype(int)
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
notebooks.versions()
