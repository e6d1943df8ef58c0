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
# # 5.0 · Public datasets: what PMData and the Lövdal data can and cannot say
#
# No public dataset has what the article's claims need all at once (exercise-level strength logs, GPS
# altitude, soreness diaries). Two come closest:
#
# * **PMData** (Thambawita et al. 2020, CC BY 4.0): 16 people, 5 months, daily soreness and session types.
#   It can ask a *partial* H2 question: is next-morning soreness higher after a strength session than after a
#   run, within a person?
# * **Lövdal, den Hartigh & Azzopardi 2021** (competitive runners, daily training and recovery): strength-training
#   days vs next-day perceived recovery, and injury odds.
#
# Neither knows what was lifted or how steep the runs were. This notebook loads each (from a local copy: no
# download happens here), runs the partial analyses, and prints each dataset's card.

# %% tags=["parameters"]
warehouse = "../reports/demo/warehouse"  # your warehouse, to compare with (optional, skipped when missing)
athletes = None  # athlete ids to keep from your warehouse (None: everyone)
start = None  # first local date to keep, "YYYY-MM-DD" (None: from the first record)
end = None  # last local date to keep (None: to the last record)
pmdata_path = None  # folder holding p01/ … p16/ (None: a local copy if found, else a tiny format sample)
lovdal_path = None  # day_approach_maskedID_timeseries.csv or its folder (None: a local copy if found, else skip)
output_dir = "../reports/notebooks/5.0"  # where `trailstrength notebook run` writes the executed notebook
fast = False  # True: lighter cells (the test suite runs every notebook this way)

# %%
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown, display

import trailstrength as ts
from trailstrength import datasets, report, viz

viz.set_theme()
datasets.list_datasets()[["name", "licence", "download", "local_copy"]]

# %% [markdown]
# ## PMData
#
# A local copy is used when there is one (`pmdata_path`, `data/external/pmdata`, or the download cache). Without
# one, a **tiny format sample** is written to a temporary folder so the rest of the notebook runs: two invented
# participants in the exact PMSys layout. Its numbers are random and mean nothing; get the real data for results
# (see the card at the end of this section).


# %%
def write_pmsys_format_sample(root: Path, participants: int = 2, days: int = 35, seed: int = 0) -> Path:
    """Invented PMSys files in the published layout (pXX/pmsys/{wellness,srpe,injury}.csv); random values."""
    rng = np.random.default_rng(seed)
    first = pd.Timestamp("2020-01-06", tz="UTC")
    for p in range(1, participants + 1):
        folder = root / f"p{p:02d}" / "pmsys"
        folder.mkdir(parents=True, exist_ok=True)
        wellness = [
            "effective_time_frame,fatigue,mood,readiness,sleep_duration_h,sleep_quality,soreness,soreness_area,stress"
        ]
        srpe = ["end_date_time,activity_names,perceived_exertion,duration_min"]
        for d in range(days):
            morning = first + pd.Timedelta(days=d, hours=6, minutes=int(rng.integers(0, 90)))
            sore = int(rng.integers(2, 6))  # 1 = very sore … 5 = feeling good
            area = '"[48979004]"' if sore <= 2 else "[]"
            wellness.append(
                f"{morning:%Y-%m-%dT%H:%M:%S}.000Z,{rng.integers(2, 5)},3,{rng.integers(4, 9)},"
                f"{rng.uniform(6, 9):.1f},3,{sore},{area},3"
            )
            kind = rng.choice(["strength", "running", "none"], p=[0.3, 0.4, 0.3])
            if kind != "none":
                names = "\"['strength']\"" if kind == "strength" else "\"['individual', 'running']\""
                evening = first + pd.Timedelta(days=d, hours=18)
                srpe.append(f"{evening:%Y-%m-%dT%H:%M:%S}.000Z,{names},{rng.integers(4, 8)},{rng.integers(30, 70)}")
        (folder / "wellness.csv").write_text("\n".join(wellness) + "\n")
        (folder / "srpe.csv").write_text("\n".join(srpe) + "\n")
        (folder / "injury.csv").write_text("effective_time_frame,injuries\n2020-01-20T06:00:00.000Z,{}\n")
    return root


pm_root = datasets.locate("pmdata", pmdata_path)
pm_is_sample = pm_root is None
if pm_is_sample:
    sample_dir = tempfile.TemporaryDirectory(prefix="pmsys-format-sample-")  # removed when the kernel stops
    pm_root = write_pmsys_format_sample(Path(sample_dir.name))
    print(f"No PMData copy found: using an invented format sample in {pm_root} (its numbers mean nothing).")
pm = datasets.pmdata(pm_root)
pm

# %%
pm.wellness.groupby("athlete_id").agg(
    reports=("soreness", "count"),
    mean_soreness=("soreness", "mean"),
    first=("local_date", "min"),
    last=("local_date", "max"),
).round(2)

# %%
pm.activities.groupby(["athlete_id", "sport"]).size().unstack(fill_value=0)

# %% [markdown]
# ### Next-morning soreness after strength vs running sessions (partial H2)
#
# Within each person: soreness the morning after a strength session, against the morning after a run, adjusted
# for that day's soreness. A positive strength − running difference says lifting leaves people sorer the next day
# than running does; it says nothing about hinges or descents.

# %%
pm_effects = datasets.pmdata_analysis(pm)
pm_effects[
    ["hypothesis", "term", "estimate", "ci_low", "ci_high", "p_value", "unit", "n_athletes", "n_obs", "note"]
].round(3)

# %%
if len(pm_effects):
    ax = viz.effects_forest(pm_effects.reset_index(drop=True))
    ax.set_title("PMData" + (" (format sample: meaningless numbers)" if pm_is_sample else ""))

# %%
display(Markdown(datasets.info("pmdata")))

# %% [markdown]
# ## Lövdal et al. 2021
#
# Competitive runners' daily training (km by intensity zone, strength-training sessions, perceived exertion,
# training success and recovery) with injury days. Used only from a local copy: without one this section says
# where to get it and moves on.

# %%
lv_root = datasets.locate("lovdal", lovdal_path)
if lv_root is None:
    print("No local copy of the Lövdal data: skipping its analysis. To add it:")
    print(f"  download {datasets.REGISTRY['lovdal'].files}")
    print(f"  from {datasets.REGISTRY['lovdal'].landing_page}")
    print("  and pass lovdal_path=... (or put it in data/external/lovdal).")
    lv_effects = pd.DataFrame()
else:
    lv = datasets.lovdal(lv_root)
    lv_effects = datasets.lovdal_analysis(lv)
lv_effects

# %%
display(Markdown(datasets.info("lovdal")))

# %% [markdown]
# ## Your data next to them
#
# What your own warehouse holds that the public datasets do not: exercise-level strength logs and runs with
# altitude. This is why the primary analyses (notebooks 2.0 and 3.0) run on your data, not on theirs.

# %%
try:
    wh = ts.open_warehouse(warehouse, athletes=athletes, start=start, end=end)
except FileNotFoundError as why:
    print(f"no warehouse to compare with ({why})")
else:
    sets = wh.strength_sets
    mine = pd.Series(
        {
            "athletes": wh.activities["athlete_id"].nunique(),
            "runs with altitude": int(wh.runs["descent_m"].notna().sum()),
            "strength sets with an exercise name": int(sets["exercise"].notna().sum()),
            "hinge working sets": int((sets["pattern"] == "hinge").sum()),
            "soreness reports": int(wh.wellness["soreness"].notna().sum()),
        },
        name="your warehouse",
    )
    theirs = pd.Series(
        {
            "athletes": len(pm.participants),
            "runs with altitude": 0,
            "strength sets with an exercise name": 0,
            "hinge working sets": 0,
            "soreness reports": int(pm.wellness["soreness"].notna().sum()),
        },
        name="PMData" + (" (format sample)" if pm_is_sample else ""),
    )
    display(pd.concat([mine, theirs], axis=1))

# %%
report.versions()
