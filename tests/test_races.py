"""Race results (incl. the runpandas layout), section splits and their join to a course GPX.

Readers keep runner names; keyed ids are :func:`trailstrength.privacy.hide_runner_names` (tests: test_privacy.py),
which the warehouse applies (last test here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from offline import no_network  # noqa: F401  (autouse: no test here touches the network)

from trailstrength import schemas
from trailstrength.io import ReaderError, races
from trailstrength.privacy import hide_runner_names
from trailstrength.terrain import add_course
from trailstrength.units import HALF_MARATHON_M, MARATHON_M

# invented runners; the layout is runpandas' (metadata line, then the results header)
RUNPANDAS = b"""Glen Test marathon,06/10/2019,42k,UK
position,bib,firstname,lastname,halftime,guntime,chiptime,category
1,7,Ailsa,Quorn,01:20:00,02:45:10,02:45:00,Mara-FS
2,12,Bram,Tollet,01:30:00,03:01:00,03:00:30,Mara-M40
3,99,Ailsa,Quorn,12:00:00,03:40:00,03:39:00,Mara-F50
DNF,31,Cato,Verle,N/A,N/A,00:00:00,Mara-M50
"""


def test_runpandas_layout_pseudonymised():
    df = hide_runner_names(races.read_results(RUNPANDAS), key="k1")
    assert len(df) == 8 and set(df["section"]) == {"start–half", "half–finish"}
    assert df["race"].iloc[0] == "Glen Test marathon" and df["date"].iloc[0] == pd.Timestamp("2019-10-06")
    text = df.to_csv()
    assert "Quorn" not in text and "Ailsa" not in text and "bib" not in df  # names and bibs are gone
    first = df[df["position"] == 1].set_index("section")
    assert first.loc["start–half", "time_s"] == 4800 and first.loc["half–finish", "time_s"] == 9900 - 4800
    assert first.loc["half–finish", ["start_m", "end_m"]].tolist() == [HALF_MARATHON_M, MARATHON_M]
    assert df.groupby("position", dropna=False)["athlete_id"].nunique().eq(1).all()
    assert df["athlete_id"].nunique() == 4  # the two Ailsa Quorns are different runners (different bibs)
    third = df[df["position"] == 3]
    assert third["time_s"].isna().all() and (third["note"] == "implausible half split dropped").all()
    assert third["elapsed_s"].max() == 3 * 3600 + 39 * 60
    dnf = df[df["status"] == "dnf"]
    assert len(dnf) == 2 and dnf["time_s"].isna().all() and dnf["position"].isna().all()
    schemas.validate("races", df)


def test_reader_keeps_names_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAILSTRENGTH_DATA", str(tmp_path))
    monkeypatch.delenv("TRAILSTRENGTH_PSEUDONYM_KEY", raising=False)
    kept = races.read_results(RUNPANDAS)
    assert "Bram Tollet" in set(kept["athlete_id"]) and "name" in kept and "bib" in kept
    assert {"Ailsa Quorn #7", "Ailsa Quorn #99"} <= set(kept["athlete_id"])  # namesakes told apart by bib
    assert not any(tmp_path.iterdir())  # reading created no key file: readers only read
    hidden = hide_runner_names(kept, key="k")
    assert hidden["athlete_id"].nunique() == 4 and "name" not in hidden and "bib" not in hidden


def test_splits_spellings_of_one_name_are_one_runner():
    data = b"athlete,race,date,checkpoint,elapsed\nOna Brisk,T,2024-06-01,A,600\n ona  BRISK ,T,2024-06-01,B,1800\n"
    df = races.read_splits(data)
    assert df["athlete_id"].tolist() == ["Ona Brisk", "Ona Brisk"] and df["section"].tolist() == ["start–A", "A–B"]


def test_generic_results_layout():
    data = b"place,name,time,category\n1,Ona Brisk,0:41:05,F\n2,Ivo Hale,2805,M\nDNS,Lev Dune,,M\n"
    df = races.read_results(data, race="Test 10k", date="2024-04-01", distance_m=10000)
    assert df["section"].unique().tolist() == ["start–finish"]
    assert df["time_s"].tolist()[:2] == [2465.0, 2805.0] and df["status"].tolist()[2] == "dns"
    assert (df["distance_m"].iloc[:2] == 10000).all()


def test_results_without_time_column_is_refused():
    with pytest.raises(ReaderError, match="finish-time"):
        races.read_results(b"position,name\n1,Ona Brisk\n")


@pytest.mark.realdata
def test_lochness_real_results(realdata):
    path = realdata("runpandas/lochness_marathon_2019.csv")
    df = hide_runner_names(races.read_results(path), key="test-key")
    runners = df.drop_duplicates("athlete_id")
    assert len(runners) == 3626 and (runners["status"] == "finished").sum() == 3585
    assert (runners["status"] == "dnf").sum() == 41
    assert df["race"].iloc[0] == "Lochness marathon" and (df["end_m"].max() == MARATHON_M)
    finish = df[df["section"] == "half–finish"]["elapsed_s"]
    assert finish.min() == 2 * 3600 + 29 * 60 + 31  # the winner's chip time
    names = pd.read_csv(path, skiprows=1)["lastname"].dropna().astype(str)
    text = df.to_csv()
    assert not any(n in text for n in names.head(50) if len(n) > 3)  # no surname survives
    schemas.validate("races", df)


# ------------------------------------------------------------------------------------------------ splits + course
def course_gpx() -> bytes:
    """A straight course due north: +200 m over 0–2 km, −300 m over 2–5 km, flat to 6 km; waypoints CP1, CP2."""
    d = np.arange(0, 6001, 10.0)
    alt = np.interp(d, [0, 2000, 5000, 6000], [500, 700, 400, 400])
    lat = 46.0 + d / 111_195.0
    pts = "".join(f'<trkpt lat="{la:.7f}" lon="7.0"><ele>{a:.1f}</ele></trkpt>' for la, a in zip(lat, alt))
    wpts = "".join(
        f'<wpt lat="{46.0 + m / 111_195.0:.7f}" lon="7.0001"><name>{n}</name></wpt>'
        for n, m in (("CP1", 2000), ("CP2", 5000))
    )
    return (
        f'<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{wpts}<trk><trkseg>{pts}</trkseg></trk></gpx>"
    ).encode()


SPLITS = b"""athlete,race,date,checkpoint,elapsed
Ona Brisk,Test Trail,2024-06-01,CP1,0:20:00
Ona Brisk,Test Trail,2024-06-01,finish,0:50:00
Ona Brisk,Test Trail,2024-06-01,CP2,0:42:00
Ivo Hale,Test Trail,2024-06-01,CP1,1500
Ivo Hale,Test Trail,2024-06-01,CP2,3000
Ivo Hale,Test Trail,2024-06-01,finish,3500
"""


def test_splits_joined_to_course():
    sections = races.read_splits(SPLITS)
    assert sections.groupby("athlete_id").size().tolist() == [3, 3]
    ona = sections.iloc[:3]
    assert ona["section"].tolist() == ["start–CP1", "CP1–CP2", "CP2–finish"]  # ordered by elapsed time
    assert ona["time_s"].tolist() == [1200.0, 1320.0, 480.0]
    out = add_course(sections, course_gpx())
    first = out.iloc[:3]
    np.testing.assert_allclose(first["distance_m"], [2000, 3000, 1000], rtol=0.01)
    np.testing.assert_allclose(first["gain_m"], [200, 0, 0], atol=10)
    np.testing.assert_allclose(first["loss_m"], [0, 300, 0], atol=10)
    np.testing.assert_allclose(first["mean_grade"], [0.10, -0.10, 0.0], atol=0.005)
    schemas.validate("races", out)


def test_splits_with_distances_and_checkpoint_mapping():
    head = b"athlete,race,date,checkpoint,elapsed"
    rows = [b"Ona Brisk,T,2024-06-01,A,0:10:00", b"Ona Brisk,T,2024-06-01,B,0:30:00"]
    with_km = head + b",distance_km\n" + rows[0] + b",2.0\n" + rows[1] + b",5\n"
    df = races.read_splits(with_km)
    assert df["end_m"].tolist() == [2000.0, 5000.0] and df["distance_m"].tolist() == [2000.0, 3000.0]
    named = races.read_splits(b"\n".join([head, *rows]) + b"\n")
    with pytest.raises(ReaderError, match="not GPX waypoints"):
        add_course(named, course_gpx())
    out = add_course(named, course_gpx(), checkpoints={"A": 2.0, "B": 5.0})
    np.testing.assert_allclose(out["loss_m"], [0, 300], atol=10)


def test_formats_sniff():
    assert races.sniff_results(RUNPANDAS) and races.sniff_splits(SPLITS)
    assert not races.sniff_results(SPLITS) and not races.sniff_splits(RUNPANDAS)


def test_shipped_splits_template_reads():
    from importlib import resources

    data = resources.files("trailstrength.datasets").joinpath("templates/race_splits.csv").read_bytes()
    df = races.read_splits(data)
    assert len(df) == 6 and df["distance_m"].tolist()[:3] == [9200.0, 6400.0, 6400.0]
    assert df["time_s"].iloc[0] == 3930.0 and races.sniff_splits(data)


def test_race_files_ingest_into_the_warehouse_table(tmp_path, monkeypatch):
    """Results and splits dropped in an athlete folder land in ``races``, names pseudonymised, nothing lost."""
    from importlib.resources import files

    from trailstrength import warehouse

    monkeypatch.setenv("TRAILSTRENGTH_DATA", str(tmp_path / "data"))  # where the pseudonym key is kept
    folder = tmp_path / "raw" / "ath01" / "races"
    folder.mkdir(parents=True)
    (folder / "glen_test_2019.csv").write_bytes(RUNPANDAS)
    (folder / "splits.csv").write_bytes(
        files("trailstrength.datasets").joinpath("templates/race_splits.csv").read_bytes()
    )
    report = warehouse.ingest(tmp_path / "raw", warehouse=tmp_path / "wh", progress=False)
    m = report.manifest.set_index("path")
    assert m.loc["ath01/races/glen_test_2019.csv", ["format", "state"]].tolist() == ["race_results", "ingested"]
    assert m.loc["ath01/races/splits.csv", ["format", "state"]].tolist() == ["race_splits", "ingested"]
    table = warehouse.Warehouse(tmp_path / "wh").table("races")
    assert len(table) == 8 + m.loc["ath01/races/splits.csv", "rows"]
    assert "Quorn" not in table.to_csv() and table["athlete_id"].str.startswith("r-").all()
