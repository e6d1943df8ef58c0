"""Privacy: keyed runner ids for race files, A1…An athlete labels for figures, privacy-zone trimming."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trailstrength import privacy


# ------------------------------------------------------------------------------------------------ runner ids
def test_runner_key_ids_stable_and_keyed(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAILSTRENGTH_DATA", str(tmp_path))
    monkeypatch.delenv("TRAILSTRENGTH_PSEUDONYM_KEY", raising=False)
    a = privacy.runner_key_ids(pd.Series(["Bram Tollet", "  bram  TOLLET", "Cato Verle"]))
    key_file = tmp_path / "interim" / "pseudonym.key"
    assert key_file.is_file() and key_file.stat().st_mode & 0o777 == 0o600  # a local secret, owner-only
    assert a[0] == a[1] != a[2] and a[0].startswith("r-") and len(a[0]) == 14
    assert privacy.runner_key_ids(pd.Series(["Bram Tollet"]))[0] == a[0]  # same key file, same id
    assert privacy.runner_key_ids(pd.Series(["Bram Tollet"]), key="other")[0] != a[0]
    assert privacy.runner_key_ids(pd.Series(["Bram Tollet"]), key=key_file.read_text().strip())[0] == a[0]
    assert list(key_file.parent.iterdir()) == [key_file]  # no temporary file left behind


def test_runner_key_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAILSTRENGTH_DATA", str(tmp_path))
    monkeypatch.setenv("TRAILSTRENGTH_PSEUDONYM_KEY", "from-env")
    assert privacy.runner_key() == b"from-env"
    names = pd.Series(["Ona Brisk"])
    assert privacy.runner_key_ids(names)[0] == privacy.runner_key_ids(names, key="from-env")[0]
    assert not (tmp_path / "interim").exists()  # an explicit key never writes a key file


def test_hide_runner_names_drops_names_and_bibs():
    read = pd.DataFrame(
        {
            "athlete_id": ["Ailsa Quorn #7", "Bram Tollet"],
            "name": ["Ailsa Quorn", "Bram Tollet"],
            "bib": ["7", "12"],
            "time_s": [1.0, 2.0],
        }
    )
    hidden = privacy.hide_runner_names(read, key="k")
    assert list(hidden.columns) == ["athlete_id", "time_s"]
    assert hidden["athlete_id"].tolist() == privacy.runner_key_ids(read["athlete_id"], key="k").tolist()
    assert "Quorn" not in hidden.to_csv() and read["name"].iloc[0] == "Ailsa Quorn"  # the input is not changed


# ------------------------------------------------------------------------------------------------ athlete labels
def test_athlete_labels_are_stable_and_sorted():
    mapping = privacy.athlete_labels(["zoe", "adam", "mia", "adam", None])
    assert mapping == {"adam": "A1", "mia": "A2", "zoe": "A3"}
    frame = pd.DataFrame({"athlete_id": ["mia", "zoe", "eve"], "x": [1, 2, 3]})
    assert privacy.relabel_athletes(frame, mapping)["athlete_id"].tolist() == ["A2", "A3", "A?"]
    assert privacy.relabel_athletes(frame, None) is frame


# ------------------------------------------------------------------------------------------------ privacy zones
def _track(n=200):
    # a straight line north from (46.0, 7.0), ~11 m per point
    return pd.DataFrame({"lat": 46.0 + np.arange(n) * 1e-4, "lon": np.full(n, 7.0)})


def test_trim_privacy_zones_removes_points_within_radius():
    track = _track()
    zone = (46.0, 7.0, 150.0)  # 150 m around the start
    kept = privacy.trim_privacy_zones(track, [zone])
    dist_m = (kept["lat"] - 46.0) * 111_195
    assert dist_m.min() > 150 - 1e-6
    assert len(kept) == len(track) - int(np.floor(150 / 11.1195)) - 1
    gaps = privacy.trim_privacy_zones(track, [zone], keep_gaps=True)
    assert len(gaps) == len(track) and gaps["lat"].isna().sum() == len(track) - len(kept)
    assert privacy.trim_privacy_zones(track, []).equals(track)


def test_privacy_zones_from_athlete_toml(tmp_path):
    (tmp_path / "ath01").mkdir()
    (tmp_path / "ath01" / "athlete.toml").write_text("privacy_zones = [[46.5, 7.9, 400], [46.6, 8.0, 250]]\n")
    (tmp_path / "ath02").mkdir()
    (tmp_path / "ath02" / "athlete.toml").write_text('athlete_id = "runner-b"\ntimezone = "UTC"\n')
    assert privacy.privacy_zones(tmp_path) == {"ath01": [(46.5, 7.9, 400.0), (46.6, 8.0, 250.0)]}
    (tmp_path / "ath02" / "athlete.toml").write_text("privacy_zones = [[46.5, 7.9]]\n")
    with pytest.raises(ValueError, match=r"ath02/athlete.toml: privacy_zones\[0\]"):
        privacy.privacy_zones(tmp_path)
    (tmp_path / "ath02" / "athlete.toml").write_text("privacy_zones = [[46.5, 7.9, -5]]\n")
    with pytest.raises(ValueError, match="out of range"):
        privacy.privacy_zones(tmp_path)
