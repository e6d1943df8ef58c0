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
# # 6.0 · Planning a study: how many athletes, how many weeks?
#
# A coach with a squad wants to know before starting: if hinge training really changed descents or soreness by
# a plausible amount, would my athletes' data show it? **Power** is the chance that the pre-registered test's
# 95 % CI excludes zero when the effect is real; the **minimal detectable effect** (MDE) is the smallest effect
# found with 80 % power. Both come from simulating whole cohorts with the package's generative model (the same
# one `trailstrength simulate` writes as files), fitting the H1 and H2 models to each, and counting.

# %% tags=["parameters"]
warehouse = "../reports/demo/warehouse"  # your warehouse, for the precision you have now (skipped when missing)
athletes = None  # athlete ids to keep from your warehouse (None: everyone)
start = None  # first local date to keep, "YYYY-MM-DD" (None: from the first record)
end = None  # last local date to keep (None: to the last record)
squad_sizes = [6, 12, 24]  # numbers of athletes to plan for
weeks_planned = 16  # weeks of training logged per athlete
sims = 100  # simulated cohorts per planted effect and squad size (200 for a final answer)
alpha = 0.05  # two-sided level of the primary test
output_dir = "../reports/notebooks/6.0"  # where figures are written
fast = False  # True: tiny squads, few simulations (the test suite runs every notebook this way)

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import trailstrength as ts
from trailstrength import analysis, report, viz
from trailstrength.simulate import PlantedEffects

viz.set_theme()
out = Path(output_dir)
if fast:
    squad_sizes, weeks_planned, sims = [4, 6], 8, 3
planted = PlantedEffects()
print(
    f"the simulator's default planted effects: H1 {planted.dpi_per_hinge_set:+g} DPI per weekly hinge set, "
    f"H2 {planted.soreness_per_hinge_set:+g} soreness points per weekly hinge set"
)

# %% [markdown]
# ## The precision you have now
#
# The width of your current 95 % intervals: an effect much smaller than the half-width cannot be told from zero.

# %%
try:
    wh = ts.open_warehouse(warehouse, athletes=athletes, start=start, end=end)
    now = analysis.analyze(wh).primary
    now = now.assign(ci_half_width=(now["ci_high"] - now["ci_low"]) / 2)
    display_now = now[
        ["hypothesis", "estimate", "ci_low", "ci_high", "ci_half_width", "unit", "n_athletes", "n_obs"]
    ].round(4)
except FileNotFoundError as why:
    print(f"no warehouse ({why}): skipping")
    display_now = None
display_now

# %% [markdown]
# ## Power by simulation
#
# For each squad size, `trailstrength.models.power.simulate_power` simulates `sims` cohorts at every planted effect
# in a grid (common random numbers across the grid, so curves are smooth), fits each cohort exactly as `analyze`
# fits yours (the v2 primary models, H1 with Satterthwaite df and H2 with CR2, a random slope only when its
# likelihood-ratio test keeps it) and reports the rejection rate with its Monte Carlo error. Effect 0 is in the
# grid: its rejection rate is the test's real size (it should be near `alpha`). The same is on the command line:
# `trailstrength power --athletes 12 --weeks 16`.

# %%
try:
    from trailstrength.models import power as power_model
except ImportError:
    # Lands as trailstrength.models.power (simulate_power, minimal_detectable_effect): until then this notebook
    # shows no power numbers rather than made-up ones.
    power_model = None
    print("trailstrength.models.power is not in this version: power simulation skipped")

# %%
tables = []
if power_model is not None:
    grid = {"H1": (0.0, 0.006, 0.012, 0.024), "H2": (0.0, -0.1, -0.2, -0.4)} if fast else None
    for n in squad_sizes:
        tables.append(
            power_model.simulate_power(n, weeks_planned, grid=grid, sims=sims, alpha=alpha, workers=1 if fast else None)
        )
power_table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
power_table.round(3)

# %%
if len(power_table):
    mde = pd.concat(
        [
            power_model.minimal_detectable_effect(power_table[power_table["athletes"] == n]).assign(athletes=n)
            for n in squad_sizes
        ],
        ignore_index=True,
    )
else:
    mde = pd.DataFrame()
mde

# %% [markdown]
# ## Power curves
#
# One line per squad size; the dashed line is 80 % power. Read across at the effect you think plausible (the
# simulator's defaults are above): the first squad size whose line passes 80 % there is the one to plan for.

# %%
if len(power_table):
    curves = power_table.assign(
        planted_effect=power_table["effect"].abs(),
        ci_low=(power_table["power"] - 1.96 * power_table["power_mcse"]).clip(0, 1),
        ci_high=(power_table["power"] + 1.96 * power_table["power_mcse"]).clip(0, 1),
    )
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    # short labels: two panels side by side leave each half the width
    for ax, (hyp, unit) in zip(axes, (("H1", "DPI per set"), ("H2", "|points| per set"))):
        viz.power_curve(
            curves[curves["hypothesis"] == hyp],
            ax=ax,
            x="planted_effect",
            group="athletes",
            x_label=f"Planted effect ({unit})",
        )
        ax.set_title(f"{hyp}: {'descents' if hyp == 'H1' else 'soreness'}")
    sizes = ", ".join(map(str, squad_sizes))
    alt = (
        f"Simulated power of the primary H1 (left) and H2 (right) tests against the planted within-athlete hinge "
        f"effect, one line per squad size ({sizes} athletes, {weeks_planned} weeks, {sims} simulated cohorts per "
        "point), with Monte Carlo bands and the 80% target."
    )
    paths = viz.save(
        fig,
        out / "power_curves",
        alt=alt,
        title="How big an effect could your squad detect?",
        subtitle=f"{weeks_planned} weeks of logs per athlete; {sims} simulated cohorts per point",
        source="trailstrength simulated cohorts",
    )
    print([p.name for p in paths])

# %% [markdown]
# ## What the numbers assume
#
# The simulator's athletes run about four times a week, lift on a schedule that varies from block to block,
# report soreness on 90 % of days, and their DPI is measured with GPS-level noise. A squad that logs less, or
# whose hinge volume barely varies within athletes (the within-athlete slope needs variation *within* each
# athlete), has less power than shown. Change `trailstrength.simulate.panels.CohortDesign` to match your squad.
#
# Power is about the pre-registered test only: it does not make an observational association causal.

# %%
report.versions()
