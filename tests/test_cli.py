"""The command line: help texts, and simulate → ingest → analyze through the real commands."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from trailstrength.cli import app

runner = CliRunner()


@pytest.mark.parametrize("cmd", [[], ["simulate"], ["ingest"], ["analyze"], ["demo"], ["status"]])
def test_help(cmd):
    res = runner.invoke(app, [*cmd, "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage" in res.output


@pytest.mark.slow
def test_commands_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAILSTRENGTH_WAREHOUSE", str(tmp_path / "wh"))  # environment override of the default
    raw = tmp_path / "raw"
    res = runner.invoke(app, ["simulate", str(raw), "--athletes", "3", "--weeks", "6", "--seed", "3"])
    assert res.exit_code == 0, res.output
    (raw / "ath01" / "junk.gpx").write_text("<gpx><trk>")
    res = runner.invoke(app, ["ingest", str(raw), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "quarantined 1" in res.output and "junk.gpx" in res.output
    res = runner.invoke(app, ["analyze", "--out", str(tmp_path / "results")])
    assert res.exit_code == 0, res.output
    eff = pd.read_csv(tmp_path / "results" / "effects.csv")
    assert set(eff["hypothesis"]) == {"H1", "H2"}
    res = runner.invoke(app, ["analyze", "--detrend", "--out", str(tmp_path / "detrended")])
    assert res.exit_code == 0, res.output
    flat = pd.read_csv(tmp_path / "detrended" / "effects.csv")
    assert set(flat.loc[flat["term"] == "season_weeks_within", "hypothesis"]) == {"H1", "H2"}
    assert (
        flat["note"].str.contains("detrended (within-athlete season trend", regex=False).all()
        and len(flat) == len(eff)  # v2 (the default) has the trend already; --detrend adds it to the v1 rows
    )
    res = runner.invoke(app, ["status"])
    assert res.exit_code == 0 and "strength_sets" in res.output


def test_analyze_without_warehouse_says_what_to_do(tmp_path):
    res = runner.invoke(app, ["analyze", "--warehouse", str(tmp_path / "none")])
    assert res.exit_code == 1
    assert "trailstrength ingest" in res.output and "Traceback" not in res.output


def test_bad_overrides_file_is_one_line(tmp_path):
    """A broken exercise_overrides.csv names itself in one line (the traceback only with -v)."""
    raw = tmp_path / "raw"
    (raw / "a1").mkdir(parents=True)
    (raw / "a1" / "log.csv").write_text("date,exercise,set,reps,load,unit\n2025-01-02,Romanian deadlift,1,8,60,kg\n")
    (raw / "exercise_overrides.csv").write_text("exercise,pattern,posterior_chain_weight\nmy_rdl,hinge,7\n")
    res = runner.invoke(app, ["ingest", str(raw), "--warehouse", str(tmp_path / "wh"), "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "exercise_overrides.csv" in res.output and "Traceback" not in res.output
