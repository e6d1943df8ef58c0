"""Tests for trailstrength.viz: style, export helper, effect figures (headless; three flagship figures are
compared with baseline images at the end)."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import matplotlib as mpl

mpl.use("Agg", force=True)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figure_helpers import by_gid as _by_gid  # noqa: E402
from figure_helpers import isolated_matplotlib  # noqa: E402, F401  (autouse: clean rcParams, figures closed)
from figure_helpers import one as _one  # noqa: E402
from PIL import Image  # noqa: E402

import trailstrength.viz as tv  # noqa: E402
from trailstrength.viz import export, style  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
DC = "{http://purl.org/dc/elements/1.1/}"
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
ALT = "Scatter of 90 runs: descent performance rises 0.011 per weekly hinge set (95% CI 0.004–0.018) & <not> zero."


@pytest.fixture
def rng():
    return np.random.default_rng(20240601)


@pytest.fixture
def panel(rng):
    """Run panel: 6 athletes x 15 runs, true within slopes 0.01 (DPI) and -0.2 (soreness)."""
    rows = []
    for a in range(6):
        usual = rng.uniform(1, 6)
        for _ in range(15):
            hinge = max(0.0, usual + rng.normal(0, 1.5))
            rows.append(
                {
                    "athlete_id": f"ath{a:02d}",
                    "hinge_sets_28d": hinge,
                    "dpi": 0.9 + 0.05 * a + 0.01 * (hinge - usual) + rng.normal(0, 0.03),
                    "soreness_peak_72h": float(np.clip(3 - 0.2 * (hinge - usual) + rng.normal(0, 1), 0, 10)),
                }
            )
    frame = pd.DataFrame(rows)
    frame["hinge_sets_28d_within"] = frame["hinge_sets_28d"] - frame.groupby("athlete_id")["hinge_sets_28d"].transform(
        "mean"
    )
    return frame


def _effect(
    hypothesis,
    outcome,
    term,
    estimate,
    ci_low,
    ci_high,
    *,
    primary=True,
    converged=True,
    unit="per weekly set",
    model="mixedlm_ri",
):
    return {
        "hypothesis": hypothesis,
        "outcome": outcome,
        "term": term,
        "estimate": estimate,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p_value": 0.01,
        "unit": unit,
        "n_athletes": 6,
        "n_obs": 90,
        "model": model,
        "converged": converged,
        "primary": primary,
        "note": "",
    }


@pytest.fixture
def effects():
    return pd.DataFrame(
        [
            _effect("H1", "dpi", "hinge_sets_28d_within", 0.011, 0.004, 0.018, unit="DPI per weekly set"),
            _effect("H1", "dpi", "hinge_sets_28d_between", 0.02, -0.01, 0.05, primary=False, unit="DPI per weekly set"),
            _effect(
                "H2",
                "soreness_peak_72h",
                "hinge_sets_28d_within",
                -0.18,
                -0.35,
                -0.01,
                unit="soreness points per weekly set",
            ),
            _effect(
                "H2",
                "soreness_peak_72h",
                "descent_100m",
                0.12,
                0.05,
                0.19,
                primary=False,
                converged=False,
                unit="soreness points per 100 m",
            ),
        ]
    )


# --- style -------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["blog", "paper"])
def test_style_files_load_and_match_palette(variant):
    with mpl.rc_context():
        # use_default_template=False: only what the file sets; a typo'd key would warn and be dropped
        params = mpl.rc_params_from_file(style.style_path(variant), use_default_template=False)
    assert len(params) > 30
    cycle = [c.upper() for c in params["axes.prop_cycle"].by_key()["color"]]
    assert cycle == [c.upper() for c in tv.PALETTE[:-1]]


def test_style_usable_by_dotted_name():
    plt.style.use("trailstrength.viz.trailstrength-blog")
    assert mpl.rcParams["font.size"] == 15
    assert list(mpl.rcParams["figure.figsize"]) == [8, 4.5]


def test_palette_is_colour_blind_safe_with_named_roles():
    assert set(tv.COLORS) >= {"hinge", "descent", "soreness", "knee", "neutral"}
    assert len(set(tv.PALETTE)) == len(tv.PALETTE)
    assert set(tv.PALETTE) - {tv.COLORS["neutral"]} <= OKABE_ITO
    assert tv.PALETTE[:4] == [tv.COLORS[r] for r in ("hinge", "descent", "soreness", "knee")]


def test_set_theme_applies_style_file_over_seaborn():
    tv.set_theme("blog")
    assert mpl.rcParams["font.size"] == 15
    assert mpl.rcParams["savefig.dpi"] == 200
    assert [c.upper() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]] == tv.PALETTE[:-1]
    assert mpl.rcParams["axes.spines.right"] is False
    tv.set_theme("paper")
    assert mpl.rcParams["font.size"] == 9
    assert mpl.rcParams["pdf.fonttype"] == 42


def test_blog_text_readable_at_phone_width():
    """A 1600 px canvas shown ~400 px wide on a phone: every text size stays >= 9 px there."""
    tv.set_theme("blog")
    figure_width_in = mpl.rcParams["figure.figsize"][0]
    assert figure_width_in * export.BASE_DPI == export.CANVASES["blog"][0]
    phone_px_per_pt = export.BASE_DPI / 72 * 400 / export.CANVASES["blog"][0]
    fp = mpl.font_manager.FontProperties
    for key in ("font.size", "axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize"):
        size_pt = fp(size=mpl.rcParams[key]).get_size_in_points()
        assert size_pt * phone_px_per_pt >= 9, key


def test_theme_restores_rcparams():
    before = {k: v for k, v in mpl.rcParams.items() if k != "backend"}
    with tv.theme("paper"):
        assert mpl.rcParams["font.size"] == 9
        assert mpl.rcParams["pdf.fonttype"] == 42
    after = {k: v for k, v in mpl.rcParams.items() if k != "backend"}
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == []


def test_unknown_variant_raises():
    with pytest.raises(ValueError, match="variant"):
        tv.set_theme("poster")
    with pytest.raises(ValueError, match="variant"), tv.theme("poster"):
        pass


# --- export --------------------------------------------------------------------------


def _simple_figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1, 0, 2])
    ax.set_xlabel("x")
    return fig


@pytest.mark.parametrize("alt", ["", "   \n\t", None])
def test_save_refuses_empty_alt(tmp_path, alt):
    with pytest.raises(ValueError, match="alt"):
        tv.save(_simple_figure(), tmp_path / "fig", alt=alt)
    assert list(tmp_path.iterdir()) == []


def test_save_docstring_examples_run():
    """The Examples of viz.save run as a doctest (a tiny figure saved to a temporary folder)."""
    import doctest

    tests = doctest.DocTestFinder().find(export.save, "trailstrength.viz.save", globs={})
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 5 and result.failed == 0


def test_save_writes_png_svg_and_sidecar(tmp_path):
    stem = tmp_path / "nested" / "dir" / "h1_descent"
    paths = tv.save(_simple_figure(), stem, alt=ALT, title="Title", subtitle="Sub", source="Data: test")
    assert [p.name for p in paths] == ["h1_descent.png", "h1_descent.svg", "h1_descent.alt.txt"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert paths[2].read_text(encoding="utf-8") == ALT + "\n"


@pytest.mark.parametrize("canvas", sorted(export.CANVASES))
@pytest.mark.parametrize("scale", [1, 2])
def test_png_size_is_canvas_times_scale(tmp_path, canvas, scale):
    (png,) = [
        p
        for p in tv.save(
            _simple_figure(), tmp_path / "f", alt=ALT, title="T", canvas=canvas, scale=scale, formats=("png",)
        )
        if p.suffix == ".png"
    ]
    width, height = export.CANVASES[canvas]
    with Image.open(png) as im:
        assert im.size == (width * scale, height * scale)


# (577, 502) at scale 3: 577 / 200 * 600 is 1730.9999... in floating point
@pytest.mark.parametrize("canvas", [(1234, 567), (1080, 1350), (577, 502)])
def test_png_size_exact_for_custom_canvas(tmp_path, canvas):
    paths = tv.save(_simple_figure(), tmp_path / "f", alt=ALT, canvas=canvas, scale=3, formats=("png",))
    with Image.open(paths[0]) as im:
        assert im.size == (canvas[0] * 3, canvas[1] * 3)


def test_blog_canvas_numbers():
    assert tv.CANVASES == {
        "blog": (1600, 900),
        "social": (1200, 675),
        "social_tall": (1050, 1200),
        "phone": (1080, 1350),
    }


def _text_px_at_phone_width(fig, canvas) -> dict[str, float]:
    """Height in px of each visible text of ``fig`` when its canvas is shown PHONE_WIDTH_PX wide."""
    shrink = export.PHONE_WIDTH_PX / export.CANVASES[canvas][0]
    sizes = {}
    for text in fig.findobj(mpl.text.Text):
        if text.get_visible() and text.get_text().strip():
            sizes[text.get_text()] = text.get_fontsize() * export.BASE_DPI / 72 * shrink
    return sizes


def test_phone_canvas_text_is_legible_at_390_px(tmp_path, panel, effects):
    """Every text of the H1 scatter on the phone canvas is >= 11 px on a 390 px wide phone (the source band, 11 pt,
    is the smallest); the blog canvas' tick labels there are under 10 px."""
    sizes = {}
    for canvas in ("phone", "blog"):
        with tv.theme("blog"):
            ax = tv.dpi_vs_hinge(panel, effects)
            tv.save(ax.figure, tmp_path / canvas, alt=ALT, title="T", source="S", canvas=canvas, formats=("png",))
            sizes[canvas] = _text_px_at_phone_width(ax.figure, canvas)
    assert min(sizes["phone"].values()) >= 11, sizes["phone"]
    assert min(sizes["blog"].values()) < 10


def test_png_metadata_holds_alt_and_title(tmp_path):
    alt = ALT + " Pär’s runs — ünïcode."
    png = tv.save(_simple_figure(), tmp_path / "f", alt=alt, title="Hinge ≠ squat", formats=("png",))[0]
    with Image.open(png) as im:
        assert im.text["Description"] == alt
        assert im.text["Title"] == "Hinge ≠ squat"


def test_svg_holds_alt_in_desc_title_and_metadata(tmp_path):
    svg = tv.save(_simple_figure(), tmp_path / "f", alt=ALT, title="My title", formats=("svg",))[0]
    root = ET.parse(svg).getroot()
    assert root.find(f"{SVG}title").text == "My title"
    assert root.find(f"{SVG}desc").text == ALT
    assert root.find(f".//{DC}description").text == ALT
    assert (root.get("width"), root.get("height")) == ("1600", "900")


def test_svg_title_falls_back_to_alt(tmp_path):
    svg = tv.save(_simple_figure(), tmp_path / "f", alt=ALT, formats=("svg",))[0]
    root = ET.parse(svg).getroot()
    assert root.find(f"{SVG}title").text == ALT


def test_bands_frame_the_axes(tmp_path):
    fig = _simple_figure()
    tv.save(fig, tmp_path / "f", alt=ALT, title="A title", subtitle="A subtitle", source="Data: test")
    bands = [t for t in fig.texts if t.get_gid() == export.BAND_GID]
    assert [t.get_text() for t in bands] == ["A title", "A subtitle", "Data: test"]
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    axes_box = fig.axes[0].get_tightbbox(renderer)
    title_box, subtitle_box, source_box = (t.get_window_extent(renderer) for t in bands)
    assert title_box.y0 > subtitle_box.y1 > axes_box.y1
    assert axes_box.y0 > source_box.y1
    assert source_box.y0 > 0 and title_box.y1 < fig.bbox.height


def test_save_twice_replaces_bands(tmp_path):
    fig = _simple_figure()
    tv.save(fig, tmp_path / "a", alt=ALT, title="One", source="S")
    tv.save(fig, tmp_path / "b", alt=ALT, title="Two", canvas="social_tall")
    assert [t.get_text() for t in fig.texts if t.get_gid() == export.BAND_GID] == ["Two"]


def test_long_title_wraps_inside_canvas(tmp_path):
    fig = _simple_figure()
    title = "A very long title that cannot possibly fit on one line of a narrow tall social canvas"
    tv.save(fig, tmp_path / "f", alt=ALT, title=title, canvas="social_tall", formats=("png",))
    (band,) = [t for t in fig.texts if t.get_gid() == export.BAND_GID]
    assert "\n" in band.get_text()
    assert band.get_window_extent(fig.canvas.get_renderer()).x1 <= fig.bbox.width


@pytest.mark.parametrize("canvas", sorted(export.CANVASES))
def test_axis_labels_stay_on_canvas(tmp_path, panel, effects, canvas):
    """Long axis labels on the short social and narrow 7:8 canvases are wrapped, not cut off."""
    tv.set_theme("blog")
    fig, ax = plt.subplots()
    tv.soreness_vs_hinge(panel, effects, ax=ax)
    tv.save(fig, tmp_path / "f", alt=ALT, title="T", source="S", canvas=canvas, formats=("png",))
    renderer = fig.canvas.get_renderer()
    for label in (ax.xaxis.label, ax.yaxis.label):
        box = label.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0, label.get_text()
        assert box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, label.get_text()


def test_save_is_reproducible(tmp_path):
    fig = _simple_figure()
    first = tv.save(fig, tmp_path / "a", alt=ALT, title="T", source="S")
    second = tv.save(fig, tmp_path / "b", alt=ALT, title="T", source="S")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.suffix


def test_save_with_tight_layout_figure_and_pdf(tmp_path):
    fig, ax = plt.subplots(layout="tight")
    ax.plot([0, 1], [0, 1])
    paths = tv.save(fig, tmp_path / "f.png", alt=ALT, title="T", formats=("png", "pdf"))
    assert [p.name for p in paths] == ["f.png", "f.pdf", "f.alt.txt"]
    assert paths[1].read_bytes().startswith(b"%PDF")
    with Image.open(paths[0]) as im:
        assert im.size == (3200, 1800)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"canvas": "poster"}, "canvas"),
        ({"canvas": (0, 10)}, "canvas"),
        ({"formats": ("png", "jpg")}, "formats"),
        ({"scale": 0}, "scale"),
        ({"scale": 1.001}, "scale"),
    ],
)
def test_save_rejects_bad_options(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        tv.save(_simple_figure(), tmp_path / "f", alt=ALT, **kwargs)


# --- figures ---------------------------------------------------------------------------

SCATTERS = [
    pytest.param(tv.dpi_vs_hinge, "dpi", "H1", id="dpi_vs_hinge"),
    pytest.param(tv.soreness_vs_hinge, "soreness_peak_72h", "H2", id="soreness_vs_hinge"),
]


@pytest.mark.parametrize("plot, outcome, hypothesis", SCATTERS)
def test_scatter_returns_given_ax_and_draws_every_row(panel, effects, plot, outcome, hypothesis):
    fig, ax = plt.subplots()
    assert plot(panel, effects, ax=ax) is ax
    points = _one(ax, "points")
    assert len(points.get_offsets()) == len(panel)
    _one(ax, "effect_line")
    _one(ax, "effect_ci")
    assert "Hinge sets per week" in ax.get_xlabel() and "usual" in ax.get_xlabel()
    assert "usual" in ax.get_ylabel()


@pytest.mark.parametrize("plot, outcome, hypothesis", SCATTERS)
def test_scatter_points_are_within_athlete(panel, plot, outcome, hypothesis):
    ax = plot(panel)
    xy = np.asarray(_one(ax, "points").get_offsets())
    np.testing.assert_allclose(xy[:, 0], panel["hinge_sets_28d_within"])
    expected_y = panel[outcome] - panel.groupby("athlete_id")[outcome].transform("mean")
    np.testing.assert_allclose(xy[:, 1], expected_y)
    # no effects: points only
    assert _by_gid(ax, "effect_line") == [] and _by_gid(ax, "effect_ci") == []


@pytest.mark.parametrize("plot, outcome, hypothesis", SCATTERS)
def test_scatter_centres_exposure_when_within_column_absent(panel, plot, outcome, hypothesis):
    raw = panel.drop(columns="hinge_sets_28d_within")
    xy = np.asarray(_one(plot(raw), "points").get_offsets())
    expected = raw["hinge_sets_28d"] - raw.groupby("athlete_id")["hinge_sets_28d"].transform("mean")
    np.testing.assert_allclose(xy[:, 0], expected)


@pytest.mark.parametrize("plot, outcome, hypothesis", SCATTERS)
def test_scatter_line_slope_and_band_come_from_effects(panel, effects, plot, outcome, hypothesis):
    ax = plot(panel, effects)
    row = effects[(effects.hypothesis == hypothesis) & (effects.term == "hinge_sets_28d_within")].iloc[0]
    x, y = _one(ax, "effect_line").get_data()
    slope, intercept = np.polyfit(x, y, 1)
    assert slope == pytest.approx(row.estimate)
    assert intercept == pytest.approx(0, abs=1e-12)
    verts = np.concatenate([p.vertices for p in _one(ax, "effect_ci").get_paths()])
    ends = np.outer([row.ci_low, row.ci_high], [x.min(), x.max()])
    assert verts[:, 1].min() == pytest.approx(ends.min())
    assert verts[:, 1].max() == pytest.approx(ends.max())
    assert f"{abs(row.estimate):.2g}" in ax.get_legend().get_texts()[0].get_text()


def test_scatter_prefers_primary_row(panel, effects):
    extra = pd.DataFrame(
        [_effect("H1", "dpi", "hinge_sets_28d_within", 0.5, 0.4, 0.6, primary=False, model="ols_cluster")]
    )
    both = pd.concat([extra, effects], ignore_index=True)
    x, y = _one(tv.dpi_vs_hinge(panel, both), "effect_line").get_data()
    assert np.polyfit(x, y, 1)[0] == pytest.approx(0.011)


def test_scatter_skips_rows_with_missing_values_and_other_hypotheses(panel, effects):
    holes = panel.copy()
    holes.loc[[0, 5, 17], "dpi"] = np.nan
    ax = tv.dpi_vs_hinge(holes, effects[effects.hypothesis == "H2"])
    assert len(_one(ax, "points").get_offsets()) == len(panel) - 3
    assert _by_gid(ax, "effect_line") == []


def test_scatter_makes_axes_when_none(panel):
    ax = tv.soreness_vs_hinge(panel)
    assert ax.figure is not None and ax in ax.figure.axes


def test_scatter_names_missing_column(panel):
    with pytest.raises(KeyError, match="dpi"):
        tv.dpi_vs_hinge(panel.drop(columns="dpi"))
    with pytest.raises(KeyError, match="hinge_sets_28d"):
        tv.dpi_vs_hinge(panel.drop(columns=["hinge_sets_28d", "hinge_sets_28d_within"]))


def test_forest_draws_one_panel_per_unit_each_on_its_own_scale(effects):
    fig, ax = plt.subplots()
    assert tv.effects_forest(effects, ax=ax) is ax
    assert len(ax.panels) == effects["unit"].nunique() == 3 and ax.panels[0] is ax
    estimates = np.concatenate([np.asarray(_one(p, "estimates").get_offsets())[:, 0] for p in ax.panels])
    np.testing.assert_allclose(estimates, effects["estimate"])
    first = np.asarray(_one(ax, "estimates").get_offsets())
    assert np.all(np.diff(first[:, 1]) < 0), "first row must be on top"
    segments = _one(ax, "ci").get_segments()
    np.testing.assert_allclose([s[0][0] for s in segments], effects["ci_low"][:2])
    np.testing.assert_allclose([s[1][0] for s in segments], effects["ci_high"][:2])
    for panel, unit in zip(ax.panels, pd.unique(effects["unit"])):
        assert _one(panel, "zero").get_xdata()[0] == 0
        assert unit in panel.get_xlabel().replace("\n", " ")
        low, high = panel.get_xlim()
        rows = effects[effects["unit"] == unit]
        # own scale: the panel spans its own intervals, not the widest of all
        assert high - low < 3 * (max(rows["ci_high"].max(), 0) - min(rows["ci_low"].min(), 0)) + 1e-9


def test_forest_small_dpi_interval_is_visible_beside_soreness():
    """The issue's case: a DPI interval of +-0.004 beside soreness intervals of +-0.2 spans a visible part of its
    panel (it was invisible on a shared axis)."""
    rows = pd.DataFrame(
        [
            _effect("H1", "dpi", "hinge_sets_28d_within", 0.0126, 0.0085, 0.0167, unit="DPI per weekly hinge set"),
            _effect("H2", "soreness_peak_72h", "hinge_sets_28d_within", -0.31, -0.46, -0.15, unit="soreness points"),
        ]
    ).assign(label=["Within athlete", "Within athlete"], panel=["Descent", "Soreness"])
    ax = tv.effects_forest(rows)
    fig = ax.figure
    fig.draw_without_rendering()
    dpi_panel = ax.panels[0]
    (segment,) = _one(dpi_panel, "ci").get_segments()
    width_px = np.diff(dpi_panel.transData.transform(segment)[:, 0])[0]
    assert width_px > 0.15 * dpi_panel.bbox.width
    assert [p.get_title(loc="left") for p in ax.panels] == ["Descent", "Soreness"]


def test_forest_labels_emphasise_primary_and_flag_problems(effects):
    ax = tv.effects_forest(effects)
    labels = [t for p in ax.panels for t in p.texts if t.get_gid() == "row_label"]
    assert [t.get_text().split(" (")[0] for t in labels] == list(effects.hypothesis + ": " + effects.term)
    assert [t.get_fontweight() == "bold" for t in labels] == list(effects.primary)
    assert "not converged" in labels[3].get_text()
    sizes = _one(ax, "estimates").get_sizes()
    assert sizes[0] > sizes[1]


def test_forest_uses_given_labels_and_stacks_for_phone(effects):
    labelled = effects.assign(label=["A within", "A between", "B within", "B descent"], panel=["P", "P", "Q", "Q"])
    ax = tv.effects_forest(labelled, ncols=1)
    assert len(ax.panels) == 2
    texts = [t.get_text() for p in ax.panels for t in p.texts if t.get_gid() == "row_label"]
    assert texts[:3] == ["A within", "A between", "B within"] and texts[3].startswith("B descent")
    top, bottom = (p.get_position().y0 for p in ax.panels)
    assert top > bottom  # stacked, first panel on top


def test_forest_shared_unit_goes_to_axis_and_missing_ci_is_point_only(effects):
    one_unit = effects[effects.hypothesis == "H1"].copy()
    one_unit.loc[1, ["ci_low", "ci_high"]] = np.nan
    ax = tv.effects_forest(one_unit)
    assert ax.panels == [ax]
    assert "DPI per weekly set" in ax.get_xlabel()
    assert len(_one(ax, "ci").get_segments()) == 1
    assert len(_one(ax, "estimates").get_offsets()) == 2


def test_flagship_figures_export_end_to_end(tmp_path, panel, effects):
    """Smoke test of the walking skeleton's figure path: theme -> figure -> save."""
    with tv.theme("blog"):
        for name, draw in [
            ("h1", lambda ax: tv.dpi_vs_hinge(panel, effects, ax=ax)),
            ("h2", lambda ax: tv.soreness_vs_hinge(panel, effects, ax=ax)),
            ("forest", lambda ax: tv.effects_forest(effects, ax=ax)),
        ]:
            fig, ax = plt.subplots()
            draw(ax)
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # e.g. constrained layout collapsing the axes
                paths = tv.save(fig, tmp_path / name, alt=f"{name} figure", title=name, source="Data: test")
            assert len(paths) == 3


# --- flagship figures pinned by image comparison ----------------------------------------------------
#
# Three figures a blog post is built around, drawn from seeded frames and exported through `save` (so the
# bands and layout are pinned too) with DejaVu Sans (bundled with matplotlib), at half the blog canvas to
# keep the baselines small. After an intended change, regenerate and look at them before committing:
#     TRAILSTRENGTH_UPDATE_BASELINES=1 pytest tests/test_viz.py -k baseline

import os  # noqa: E402
from pathlib import Path  # noqa: E402

from matplotlib.testing.compare import compare_images  # noqa: E402

BASELINES = Path(__file__).parent / "baseline"
#: RMS difference allowed (0-255 scale): absorbs FreeType/antialiasing differences between machines,
#: not a moved line or a changed colour.
IMAGE_TOLERANCE = 3.0


def _spec_table():
    rng = np.random.default_rng(11)
    rows = []
    for window in ("14 days", "28 days", "42 days"):
        for threshold in ("500 m", "1000 m"):
            for knee in ("no", "yes"):
                est = 0.01 + rng.normal(0, 0.006)
                half = rng.uniform(0.006, 0.014)
                rows.append(
                    {
                        "estimate": est,
                        "ci_low": est - half,
                        "ci_high": est + half,
                        "window": window,
                        "min_descent": threshold,
                        "knee_adjusted": knee,
                        "primary": (window, threshold, knee) == ("28 days", "500 m", "no"),
                    }
                )
    return pd.DataFrame(rows)


def _grade_points():
    rng = np.random.default_rng(5)
    grade = rng.uniform(-0.3, 0.25, 800)
    from trailstrength.terrain import gap_factor

    speed = 1.08 / gap_factor(grade) * rng.lognormal(0, 0.07, grade.size)
    return pd.DataFrame({"grade": grade, "relative_speed": speed, "weight": 100.0})


def _labelled_forest(effects, ncols=None):
    rows = effects.assign(
        label=["Within athlete", "Between athletes", "Within athlete", "Descent in this run"],
        panel=[
            "Descent performance (DPI)",
            "Descent performance (DPI)",
            "Peak soreness (0-10)",
            "Peak soreness (0-10)",
        ],
        unit=["DPI per weekly hinge set"] * 2 + ["soreness points per unit"] * 2,
    )
    _, ax = plt.subplots(layout="constrained")
    return tv.effects_forest(rows, ax=ax, ncols=ncols)


def _weeks(n=12):
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "week": pd.date_range("2025-10-06", periods=n, freq="7D"),
            "run_km": rng.uniform(20, 80, n).round(1),
            "descent_m": rng.uniform(400, 3200, n).round(),
            "hinge_sets": rng.integers(0, 9, n).astype(float),
        }
    )


def _athlete_weeks():
    frames = []
    for k, gap in enumerate((None, slice(3, 5), slice(0, 12))):
        weeks = _weeks().assign(athlete=f"A{k + 1}")
        if gap is not None:
            weeks.loc[weeks.index[gap], "hinge_sets"] = np.nan
        frames.append(weeks)
    _, ax = plt.subplots(layout="constrained")
    return tv.athlete_panels(pd.concat(frames, ignore_index=True), ax=ax, ncols=1)


#: name -> (draw, canvas). The phone canvas (portrait 1080 x 1350) is pinned on the two figures a post leads with
#: and on the report's calendar and per-athlete small multiple.
FLAGSHIPS = {
    "h1_dpi_vs_hinge": (lambda panel, effects: tv.dpi_vs_hinge(panel, effects), "blog"),
    "specification_curve": (lambda panel, effects: tv.specification_curve(_spec_table()), "blog"),
    "grade_speed": (lambda panel, effects: tv.grade_speed(_grade_points()), "blog"),
    "h1_dpi_vs_hinge_phone": (lambda panel, effects: tv.dpi_vs_hinge(panel, effects), "phone"),
    "effects_forest_phone": (lambda panel, effects: _labelled_forest(effects, ncols=1), "phone"),
    # the report's other phone canvases: the calendar as the report draws it there, the per-athlete small multiple
    "training_calendar_phone": (
        lambda panel, effects: tv.training_calendar(_weeks(), last_weeks=8, date_labels=4),
        "phone",
    ),
    "athlete_panels_phone": (lambda panel, effects: _athlete_weeks(), "phone"),
}


@pytest.mark.parametrize("name", sorted(FLAGSHIPS))
def test_flagship_figure_matches_baseline(name, panel, effects, tmp_path):
    draw, canvas = FLAGSHIPS[name]
    with tv.theme("blog"), mpl.rc_context({"font.sans-serif": ["DejaVu Sans"], "font.family": "sans-serif"}):
        ax = draw(panel, effects)
        tv.save(
            ax.figure,
            tmp_path / name,
            alt=f"{name} (baseline test)",
            title="Flagship figure",
            subtitle="Seeded test data",
            source="Data: tests",
            canvas=canvas,
            formats=("png",),
            scale=0.5,
        )
    actual = tmp_path / f"{name}.png"
    expected = BASELINES / f"{name}.png"
    if os.environ.get("TRAILSTRENGTH_UPDATE_BASELINES"):
        BASELINES.mkdir(exist_ok=True)
        expected.write_bytes(actual.read_bytes())
        pytest.skip(reason=f"wrote baseline {expected}")
    assert expected.is_file(), f"no baseline {expected}: run with TRAILSTRENGTH_UPDATE_BASELINES=1 and look at it"
    diff = compare_images(str(expected), str(actual), tol=IMAGE_TOLERANCE)
    assert diff is None, f"{name} differs from its baseline: {diff}"
