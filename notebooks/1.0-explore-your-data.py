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
# What is in the warehouse: athletes, date ranges, formats, quarantined files; one run's terrain in detail;
# and the primary H1 / H2 estimates. Rerun on your own data by changing the parameters cell (or with
# papermill: `papermill 1.0-explore-your-data.ipynb out.ipynb -p warehouse data/processed/warehouse`).

# %% tags=["parameters"]
warehouse = "../reports/demo/warehouse"  # path to a warehouse built by `trailstrength ingest`
athlete = None  # athlete id to look at in detail (None = the one with most runs)
output_dir = "../reports/notebooks"  # where figures are written
fast = False  # True: skip the slower cells (used by the test suite)

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

import trailstrength as ts
from trailstrength import terrain, viz

viz.set_theme()
wh = ts.open_warehouse(warehouse)
Path(output_dir).mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## Inventory: every input file and what became of it

# %%
manifest = wh.manifest
manifest.groupby(["athlete_id", "format", "state"]).size().unstack("state", fill_value=0)

# %%
manifest.loc[manifest["state"] != "ingested", ["path", "state", "reason"]]

# %%
acts = wh.activities
acts.groupby("athlete_id").agg(first=("local_date", "min"), last=("local_date", "max"), activities=("activity_id", "size"),
                               km=("distance_m", lambda s: s.sum() / 1000), descent_m=("descent_m", "sum")).round(1)

# %% [markdown]
# ## One run in detail: altitude profile and descent segments

# %%
runs = wh.runs
who = athlete or runs["athlete_id"].value_counts().idxmax()
run = runs[runs["athlete_id"] == who].sort_values("descent_m").iloc[-1]
samples = wh.samples(activity_ids=[run["activity_id"]])
rt = terrain.analyze_run(samples)
fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(rt.profile["distance_m"] / 1000, rt.profile["altitude_raw_m"], color="0.7", lw=0.8, label="recorded")
ax.plot(rt.profile["distance_m"] / 1000, rt.profile["altitude_m"], color=viz.PALETTE[0], label="smoothed")
for seg in rt.segments[rt.segments["kind"] == "descent"].itertuples():
    ax.axvspan(seg.start_m / 1000, seg.end_m / 1000, color=viz.PALETTE[1], alpha=0.15)
ax.set(xlabel="Distance (km)", ylabel="Altitude (m)", title=f"{who}, {run['local_date']:%Y-%m-%d}: descents shaded")
ax.legend()

# %%
rt.segments[["kind", "start_m", "length_m", "drop_m", "mean_grade", "speed_mps", "gap_speed_mps"]].round(3)

# %% [markdown]
# ## Strength: what was lifted, by movement pattern

# %%
sets = wh.strength_sets
sets.groupby(["pattern", "set_type"]).size().unstack(fill_value=0)

# %% [markdown]
# ## The primary analysis (H1 descent performance, H2 soreness)

# %%
res = ts.analyze(wh, out=False)
res.effects[["hypothesis", "term", "estimate", "ci_low", "ci_high", "p_value", "unit", "n_athletes", "n_obs", "model"]].round(4)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
viz.dpi_vs_hinge(res.h1_panel, res.effects, ax=axes[0])
viz.soreness_vs_hinge(res.h2_panel, res.effects, ax=axes[1])
fig.savefig(Path(output_dir) / "primary_effects.png", dpi=100)

# %% [markdown]
# These are observational associations: athletes choose when they lift and where they run. Read the `note`
# column of the effects table before quoting a number.

# %%
import importlib.metadata as md
import sys

print(f"python {sys.version.split()[0]}")
for pkg in ("trailstrength", "pandas", "numpy", "statsmodels", "seaborn", "matplotlib", "pandera", "pyarrow"):
    print(f"{pkg} {md.version(pkg)}")
