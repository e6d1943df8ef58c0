"""report.words.effect_sentence: an effect row in plain words with its interval and scale, or the reason it is not
stated (doctest included)."""

from __future__ import annotations

import doctest
import re

import numpy as np
import pandas as pd
import pytest

from trailstrength.report import words

H1 = {
    "hypothesis": "H1",
    "outcome": "dpi",
    "term": "hinge_sets_28d_within",
    "estimate": 0.0126,
    "ci_low": 0.0085,
    "ci_high": 0.0167,
    "unit": "dpi per weekly hinge set (within athlete)",
    "model": "mixedlm_ri",
    "converged": True,
    "note": "",
}


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text.replace("95%", ""))]


def test_docstring_examples_run():
    tests = doctest.DocTestFinder().find(words.effect_sentence, "effect_sentence", globs={})
    runner = doctest.DocTestRunner()
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 7 and result.failed == 0


def test_percent_of_mean_dpi_scales_with_the_dose():
    three = words.effect_sentence(H1, outcome_mean=0.9)
    six = words.effect_sentence(H1, per=6, outcome_mean=0.9)
    assert f"{100 * 3 * 0.0126 / 0.9:.2g}% faster" in three
    assert f"{100 * 6 * 0.0126 / 0.9:.2g}% faster" in six
    assert "relative to a mean index of 0.9" in three and "flat speed" in three
    assert "(95% CI 2.8% to 5.6%)" in three  # 100 * 3 * [0.0085, 0.0167] / 0.9


def test_negative_effect_and_interval_crossing_zero_say_their_directions():
    row = {**H1, "term": "hinge_sets_28d_between", "estimate": -0.01, "ci_low": -0.03, "ci_high": 0.004}
    text = words.effect_sentence(row, outcome_mean=1.0)
    assert text.startswith("Athletes doing 3 more hinge sets a week than others")
    assert "3% slower" in text and "9% slower to 1.2% faster" in text


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"model": "not_fitted", "estimate": np.nan, "note": "too few runs"}, "not fitted (too few runs)"),
        ({"converged": False}, "did not converge"),
        ({"estimate": np.nan}, "no estimate"),
        ({"ci_high": np.inf}, "no 95% interval"),
    ],
)
def test_refuses_rows_it_cannot_state(change, reason):
    row = {**H1, **change}
    assert reason in words.effect_refusal(row)
    text = words.effect_sentence(row)
    assert text.startswith("Not stated: H1 hinge sets per week (within athlete)") and reason in text
    assert words.effect_refusal(H1) is None
    assert words.effect_refusal(None)


def test_demo_primary_rows_read_without_raw_names():
    """Every H1/H2 hinge row of a fitted effects table becomes a sentence with no column name and no "nan"."""
    effects = pd.DataFrame(
        [
            H1,
            {**H1, "term": "hinge_sets_28d_between", "estimate": 0.046, "ci_low": 0.015, "ci_high": 0.076},
            {
                **H1,
                "hypothesis": "H2",
                "outcome": "soreness_peak_72h",
                "estimate": -0.309,
                "ci_low": -0.464,
                "ci_high": -0.155,
            },
        ]
    )
    for _, row in effects.iterrows():
        text = words.effect_sentence(row, outcome_mean=0.85)
        assert "_" not in text and "nan" not in text.lower(), text
        assert not text.startswith("Not stated"), text
    soreness = words.effect_sentence(effects.iloc[2])
    assert "0.93 points lower (95% CI 0.46 to 1.4; on the 0–10 scale)" in soreness


def test_effects_data_dictionary_describes_every_column():
    """effects_columns.csv (written beside effects.csv; openpyxl is not installed, so no workbook) covers every
    column of the effects table with a description, and the estimate columns point to their unit."""
    from trailstrength.models.tidy import EFFECT_COLUMNS
    from trailstrength.models.units import effects_data_dictionary

    table = effects_data_dictionary()
    assert list(table.columns) == ["column", "description", "unit", "type"]
    assert list(table["column"]) == list(EFFECT_COLUMNS)
    assert table["description"].str.len().min() > 10
    assert set(table.set_index("column").loc[["estimate", "ci_low", "ci_high"], "unit"]) == {"see the unit column"}
