"""Public datasets: registry, cards, offline fetch, loaders on format-exact fixtures, the partial analyses, CLI."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from offline import no_network  # noqa: F401  (autouse: no test here touches the network)
from typer.testing import CliRunner

import trailstrength.datasets as ds
from trailstrength import schemas
from trailstrength.models import EFFECT_COLUMNS

# The published headers, verbatim (day file: 10 features x 7 days, block-major; week file: 22 x 3 weeks)
_DAY = [
    "nr. sessions",
    "total km",
    "km Z3-4",
    "km Z5-T1-T2",
    "km sprinting",
    "strength training",
    "hours alternative",
    "perceived exertion",
    "perceived trainingSuccess",
    "perceived recovery",
]
DAY_HEADER = ",".join(
    [f"{f}{'' if k == 0 else f'.{k}'}" for k in range(7) for f in _DAY] + ["Athlete ID", "injury", "Date"]
)
WEEK_HEADER = (
    'nr. sessions,nr. rest days,total kms,max km one day,total km Z3-Z4-Z5-T1-T2,"nr. tough sessions (effort in Z5, '
    'T1 or T2)",nr. days with interval session,total km Z3-4,max km Z3-4 one day,total km Z5-T1-T2,max km Z5-T1-T2 '
    "one day,total hours alternative training,nr. strength trainings,avg exertion,min exertion,max exertion,avg "
    "training success,min training success,max training success,avg recovery,min recovery,max recovery,nr. "
    'sessions.1,nr. rest days.1,total kms.1,max km one day.1,total km Z3-Z4-Z5-T1-T2.1,"nr. tough sessions (effort '
    'in Z5, T1 or T2).1",nr. days with interval session.1,total km Z3-4.1,max km Z3-4 one day.1,total km Z5-T1-T2.1,'
    "max km Z5-T1-T2 one day.1,total hours alternative training.1,nr. strength trainings.1,avg exertion.1,min "
    "exertion.1,max exertion.1,avg training success.1,min training success.1,max training success.1,avg recovery.1,"
    "min recovery.1,max recovery.1,nr. sessions.2,nr. rest days.2,total kms.2,max km one day.2,total km "
    'Z3-Z4-Z5-T1-T2.2,"nr. tough sessions (effort in Z5, T1 or T2).2",nr. days with interval session.2,total km '
    "Z3-4.2,max km Z3-4 one day.2,total km Z5-T1-T2.2,max km Z5-T1-T2 one day.2,total hours alternative training.2,"
    "nr. strength trainings.2,avg exertion.2,min exertion.2,max exertion.2,avg training success.2,min training "
    "success.2,max training success.2,avg recovery.2,min recovery.2,max recovery.2,Athlete ID,injury,rel total kms "
    "week 0_1,rel total kms week 0_2,rel total kms week 1_2,Date"
)

RECOVERY_AFTER_STRENGTH = -0.02  # planted: next-day perceived recovery after a strength day (published units)


@pytest.fixture()
def isolated(tmp_path, monkeypatch):
    """External data and download cache in empty temporary folders."""
    monkeypatch.setenv("TRAILSTRENGTH_EXTERNAL", str(tmp_path / "external"))
    monkeypatch.setenv("TRAILSTRENGTH_CACHE", str(tmp_path / "cache"))
    return tmp_path


# ------------------------------------------------------------------------------------------------ Lövdal fixtures
def lovdal_daily(athletes: int = 6, days: int = 220, seed: int = 7) -> pd.DataFrame:
    """Invented daily training of `athletes` runners from day −7 to `days` − 1, with planted effects."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(athletes):
        base = rng.uniform(0.14, 0.2)
        prev_strength = 0
        history = []
        for d in range(-7, days):
            session = rng.random() < 0.8
            strength = int(session and rng.random() < 0.3)
            km = round(float(rng.uniform(4, 18)), 1) if session else 0.0
            rec = round(base + RECOVERY_AFTER_STRENGTH * prev_strength + rng.normal(0, 0.01), 2)
            history.append(strength)
            risk = -3.2 + 0.25 * sum(history[-8:-1])
            rows.append(
                {
                    "athlete": a,
                    "day": d,
                    "nr. sessions": float(session),
                    "total km": km,
                    "km Z3-4": round(km * 0.3, 1),
                    "km Z5-T1-T2": round(km * 0.1, 1),
                    "km sprinting": 0.0,
                    "strength training": float(strength),
                    "hours alternative": 0.0,
                    "perceived exertion": round(rng.uniform(0.08, 0.12), 2) if session else -0.01,
                    "perceived trainingSuccess": 0.0 if session else -0.01,
                    "perceived recovery": rec if session else -0.01,
                    "injury": int(d >= 0 and rng.random() < 1 / (1 + np.exp(-risk))),
                }
            )
            prev_strength = strength
    return pd.DataFrame(rows)


def write_day_file(daily: pd.DataFrame, path) -> None:
    """The published day-approach layout: for each Date, the 7 days before it as blocks, oldest first."""
    lines = [DAY_HEADER]
    for a, g in daily.groupby("athlete"):
        g = g.set_index("day")
        for date in range(0, g.index.max() + 1):
            vals = [g.at[date - 7 + k, f] for k in range(7) for f in _DAY]
            lines.append(",".join(str(float(v)) for v in vals) + f",{a},{int(g.at[date, 'injury'])},{date}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def lovdal_fixture(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lovdal")
    daily = lovdal_daily()
    write_day_file(daily, folder / "day_approach_maskedID_timeseries.csv")
    week = ["1"] * 66
    week[0], week[22], week[44] = "5", "6", "7"  # nr. sessions in weeks 0 (most recent), 1, 2
    (folder / "week_approach_maskedID_timeseries.csv").write_text(
        WEEK_HEADER + "\n" + ",".join(week + ["3", "0", "0.8", "0.7", "0.9", "42"]) + "\n"
    )
    return folder, daily


def test_lovdal_loader_rebuilds_the_daily_series(lovdal_fixture):
    folder, daily = lovdal_fixture
    lv = ds.lovdal(folder)
    assert lv.conflicts == 0 and lv.events["athlete_id"].nunique() == 6
    got = lv.days.set_index(["athlete_id", "day"])
    full = daily.assign(athlete_id="lovdal_00" + daily["athlete"].astype(str)).set_index(["athlete_id", "day"])
    want = full[full.index.get_level_values("day") < daily["day"].max()]  # the last day is in no row's history
    assert len(got) == len(want)
    np.testing.assert_allclose(got["total_km"], want["total km"])
    np.testing.assert_allclose(got["strength_training"], want["strength training"])
    rec = want["perceived recovery"].where(want["perceived recovery"] != -0.01)
    np.testing.assert_allclose(got["perceived_recovery"], rec)  # −0.01 (no session) -> missing
    inj = got["injury"].dropna()
    assert (inj == want.loc[inj.index, "injury"]).all()
    assert np.isnan(got.loc[("lovdal_000", -3), "injury"])  # days before an athlete's first row have no label
    # the 7-day sums of a row are the 7 days before its Date
    ev = lv.events.set_index(["athlete_id", "day"])
    s = full["strength training"].groupby(level=0).transform(lambda x: x.rolling(7).sum().shift(1))
    np.testing.assert_allclose(ev["strength_training_7d"], s.loc[ev.index])


def test_lovdal_tidy_tables_and_weeks(lovdal_fixture):
    folder, daily = lovdal_fixture
    lv = ds.lovdal(folder / "day_approach_maskedID_timeseries.csv")  # a file path works too
    schemas.validate("activities", lv.activities)
    schemas.validate("strength_sets", lv.strength_sets)
    shown = daily[daily["day"] < daily["day"].max()]
    assert len(lv.strength_sets) == int(shown["strength training"].sum())
    assert lv.strength_sets["posterior_chain_weight"].eq(0).all()
    w = lv.weeks.iloc[0]
    assert (w["sessions_w0"], w["sessions_w1"], w["sessions_w2"]) == (5, 6, 7)
    assert w["athlete_id"] == "lovdal_003" and w["day"] == 42 and w["rel_total_km_w0_w1"] == 0.8


def test_lovdal_wrong_layout_is_refused(tmp_path):
    (tmp_path / "day_approach_maskedID_timeseries.csv").write_text("total km,Athlete ID,injury,Date\n1,0,0,0\n")
    with pytest.raises(ValueError, match="not the published Lövdal layout"):
        ds.lovdal(tmp_path)


def test_lovdal_partial_analyses(lovdal_fixture):
    lv = ds.lovdal(lovdal_fixture[0])
    eff = ds.lovdal_analysis(lv)
    assert list(eff.columns) == EFFECT_COLUMNS and not eff["primary"].any()
    rec = eff.set_index("term").loc["strength_day_within"]
    assert rec["model"].startswith("mixedlm") and rec["n_athletes"] == 6
    assert rec["ci_low"] < RECOVERY_AFTER_STRENGTH < rec["ci_high"] and rec["ci_high"] < 0
    inj = eff[eff["outcome"] == "injury"].set_index("term").loc["strength_training_7d_within"]
    assert inj["model"] == "gee_logit" and inj["hypothesis"] == "H6"
    assert inj["estimate"] > 1 and inj["ci_low"] < np.exp(0.25) < inj["ci_high"]  # planted log-OR 0.25 per session


@pytest.mark.realdata
def test_lovdal_real_excerpt(realdata):
    path = realdata("lovdal/day_approach_maskedID_timeseries_excerpt.csv")
    assert path.read_text().splitlines()[0] == DAY_HEADER  # our fixtures use the published header
    lv = ds.lovdal(path)
    assert len(lv.events) == 6 and lv.conflicts == 0 and len(lv.days) == 6 + 6
    day0 = lv.days.set_index("day").loc[0]
    assert (day0["total_km"], day0["km_z5_t1_t2"], day0["perceived_recovery"]) == (5.2, 0.5, 0.17)
    assert np.isnan(lv.days.set_index("day").loc[-6, "perceived_recovery"])  # −0.01: no session that day
    assert lv.events["strength_training_7d"].tolist() == [2.0] * 6


# ------------------------------------------------------------------------------------------------ PMData fixtures
def write_pmdata(root, participants: int = 3, days: int = 90, seed: int = 3) -> None:
    """PMSys files in the published layout for invented participants: soreness (1 = very sore) the morning
    after a strength session is 2, after a running session 3, otherwise 4 (± 1 now and then), each
    participant shifted by a personal offset."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2020-01-06 00:00", tz="UTC")
    for p in range(1, participants + 1):
        folder = root / f"p{p:02d}" / "pmsys"
        folder.mkdir(parents=True)
        kinds = rng.choice(["strength", "running", "none"], size=days, p=[0.25, 0.35, 0.4])
        w = ["effective_time_frame,fatigue,mood,readiness,sleep_duration_h,sleep_quality,soreness,soreness_area,stress"]
        s = ["end_date_time,activity_names,perceived_exertion,duration_min"]
        for d in range(days):
            day = start + pd.Timedelta(days=d)
            prev = kinds[d - 1] if d else "none"
            offset = (0, -1, 1)[(p - 1) % 3]
            raw = {"strength": 2, "running": 3, "none": 4}[prev] + offset + int(rng.choice([-1, 0, 0, 0, 1]))
            raw = min(max(raw, 1), 5)
            area = '"[48979004, 32696007]"' if raw <= 2 else "[]"
            w.append(f"{(day + pd.Timedelta(hours=6)).strftime('%Y-%m-%dT%H:%M:%S.000Z')},3,3,6,7,3,{raw},{area},3")
            if kinds[d] != "none":
                names = "\"['strength']\"" if kinds[d] == "strength" else "\"['individual', 'running']\""
                s.append(f"{(day + pd.Timedelta(hours=17)).strftime('%Y-%m-%dT%H:%M:%S.000Z')},{names},6,45")
        (folder / "wellness.csv").write_text("\n".join(w) + "\n")
        (folder / "srpe.csv").write_text("\n".join(s) + "\n")
        (folder / "injury.csv").write_text("effective_time_frame,injuries\n2020-02-01T06:00:00.000Z,{}\n")


@pytest.fixture(scope="module")
def pmdata_fixture(tmp_path_factory):
    root = tmp_path_factory.mktemp("pmdata")
    write_pmdata(root)
    return root


def test_pmdata_loader(pmdata_fixture):
    pm = ds.pmdata(pmdata_fixture)
    assert pm.participants == ["p01", "p02", "p03"]
    assert len(pm.wellness) == 3 * 90 + 3 and set(pm.wellness["athlete_id"]) == {"p01", "p02", "p03"}
    assert set(pm.activities["sport"]) == {"strength_training", "running"}
    assert len(pm.strength_sets) == (pm.activities["sport"] == "strength_training").sum()
    for name in ("wellness", "activities", "strength_sets"):
        schemas.validate(name, getattr(pm, name))
    assert ds.pmdata(pmdata_fixture, participants=["p02"]).participants == ["p02"]


def test_pmdata_partial_analysis(pmdata_fixture):
    eff = ds.pmdata_analysis(ds.pmdata(pmdata_fixture))
    assert list(eff.columns) == EFFECT_COLUMNS and not eff["primary"].any()
    eff = eff.set_index("term")
    assert eff.loc["strength_session_within", "n_athletes"] == 3
    assert eff.loc["strength_session_within", "model"] == "mixedlm_ri"
    # planted: raw 2 after strength vs 4 after rest = +5 points; running raw 3 = +2.5 points; contrast +2.5
    c = eff.loc["strength_vs_running"]
    assert c["ci_low"] < 2.5 < c["ci_high"] and c["estimate"] > 1.5
    assert eff.loc["strength_session_within", "estimate"] > eff.loc["running_session_within", "estimate"] > 0


@pytest.mark.realdata
def test_pmdata_real_p01(realdata):
    pm = ds.pmdata(realdata("pmdata"))
    assert pm.participants == ["p01"] and len(pm.wellness) == 138 + 24 and len(pm.strength_sets) == 0
    eff = ds.pmdata_analysis(pm).set_index("term")
    assert (eff["n_athletes"] == 1).all() and (eff["model"] == "ols").all()
    assert np.isnan(eff.loc["strength_vs_running", "estimate"])
    assert "no strength sessions" in eff.loc["strength_vs_running", "note"]
    assert np.isfinite(eff.loc["running_session_within", "estimate"])


# ------------------------------------------------------------------------------------------------ registry
def test_list_and_info_offline(isolated):
    table = ds.list_datasets()
    assert set(table["name"]) == {"pmdata", "lovdal"} and (table["local_copy"] == "").all()
    assert (table["download"] == "manual").all()
    for name in ("pmdata", "lovdal"):
        card = ds.info(name)
        for word in ("Licence", "Citation", "H1", "H7", "cannot"):
            assert word.lower() in card.lower(), (name, word)
    with pytest.raises(KeyError, match="unknown dataset"):
        ds.info("nope")


def test_fetch_explains_the_manual_download(isolated):
    with pytest.raises(ds.DatasetNotFound) as err:
        ds.fetch("pmdata")
    msg = str(err.value)
    assert ds.REGISTRY["pmdata"].landing_page in msg and "path=" in msg and "external" in msg


def test_fetch_finds_copies_in_external_and_path(isolated, lovdal_fixture):
    folder, _ = lovdal_fixture
    assert ds.fetch("lovdal", folder) == folder
    ext = isolated / "external" / "lovdal"
    ext.mkdir(parents=True)
    (ext / "day_approach_maskedID_timeseries.csv").write_text(DAY_HEADER + "\n")
    assert ds.fetch("lovdal") == ext and ds.list_datasets().set_index("name").at["lovdal", "local_copy"] == str(ext)


def test_fetch_downloads_with_sha256_when_registered(isolated, monkeypatch):
    import pooch

    calls = {}

    def fake_retrieve(url, known_hash, path, processor=None, progressbar=False):
        calls.update(url=url, known_hash=known_hash)
        (path / "p01" / "pmsys").mkdir(parents=True)
        (path / "p01" / "pmsys" / "wellness.csv").write_text("x")
        return str(path / "archive.zip")

    entry = dataclasses.replace(ds.REGISTRY["pmdata"], url="https://example.org/pmdata.zip", sha256="ab" * 32)
    monkeypatch.setitem(ds.REGISTRY, "pmdata", entry)
    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    root = ds.fetch("pmdata")
    assert calls == {"url": "https://example.org/pmdata.zip", "known_hash": "sha256:" + "ab" * 32}
    assert root == isolated / "cache" / "pmdata"


# ------------------------------------------------------------------------------------------------ CLI
def test_cli_list_info_fetch(isolated, lovdal_fixture):
    from trailstrength.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["datasets", "list"])
    assert res.exit_code == 0 and "pmdata" in res.output and "lovdal" in res.output
    res = runner.invoke(app, ["datasets", "info", "lovdal"])
    assert res.exit_code == 0 and "DataverseNL" in res.output
    res = runner.invoke(app, ["datasets", "fetch", "pmdata"])
    assert res.exit_code == 1 and "datasets.simula.no" in res.output
    res = runner.invoke(app, ["datasets", "fetch", "lovdal", "--path", str(lovdal_fixture[0])])
    assert res.exit_code == 0 and str(lovdal_fixture[0]) in res.output.replace("\n", "")
    assert runner.invoke(app, ["datasets", "info", "nope"]).exit_code == 2
