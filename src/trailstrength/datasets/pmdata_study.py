"""PMData (Thambawita et al. 2020): load the PMSys files of every participant, and shape its session-day panel.

The partial analysis (:func:`trailstrength.models.studies.soreness_after_sessions`, fitted on
:func:`session_day_panel`) asks the question PMData can answer: *within an athlete, is next-morning soreness
higher after a strength session than after a running session?* It cannot say anything about hinge
exercises or descents (PMData records neither; see the dataset card).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength import clean, schemas
from trailstrength.io import Athlete, FileContext, pmdata
from trailstrength.models.studies import SESSION_KINDS

_READERS = {"wellness.csv": pmdata.read_wellness, "srpe.csv": pmdata.read_srpe, "injury.csv": pmdata.read_injury}


@dataclass
class PMData:
    """PMData as tidy tables (plain DataFrames), one athlete per participant (``p01`` … ``p16``).

    Attributes
    ----------
    wellness
        Morning reports (soreness 0–10, 10 = most sore; ``report_kind == "wellness"``) and injury reports
        (``report_kind == "injury"``), both with their UTC time.
    activities
        One session-level row per sRPE session (sport, start, duration, ``rpe`` 0–10, ``session_load_au``).
    strength_sets
        One session-level row per strength session (exercises were not recorded).
    participants
        The participant ids loaded; ``root`` the folder they came from; ``warnings`` the readers' warnings.
    """

    wellness: pd.DataFrame
    activities: pd.DataFrame
    strength_sets: pd.DataFrame
    participants: list[str]
    root: Path
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"PMData({len(self.participants)} participants from {self.root}: {len(self.wellness)} wellness rows, "
            f"{len(self.activities)} sessions, {len(self.strength_sets)} strength sessions)"
        )


def load(root, participants=None, timezone: str = "Europe/Oslo") -> PMData:
    """Read ``<root>/pXX/pmsys/{wellness,srpe,injury}.csv`` for every (or the listed) participant.

    Parameters
    ----------
    root
        The folder that holds ``p01/``, ``p02/`` …
    participants
        Ids to load (default: every ``p*`` folder with a ``pmsys`` folder).
    timezone
        Local time zone of the participants (Norway), for ``local_date``.
    """
    root = Path(root).expanduser()
    folders = sorted(p for p in root.glob("p*") if (p / "pmsys").is_dir())
    if participants is not None:
        wanted = set(participants)
        folders = [p for p in folders if p.name in wanted]
    if not folders:
        raise FileNotFoundError(f"no PMData participant folders (pXX/pmsys/) under {root}")
    tables: dict[str, list[pd.DataFrame]] = {"wellness": [], "activities": [], "strength_sets": []}
    warnings: dict[str, list[str]] = {}
    for folder in folders:
        athlete = Athlete(folder.name, timezone=timezone, timezone_known=True)
        for fname, reader in _READERS.items():
            f = folder / "pmsys" / fname
            if not f.is_file():
                continue
            data = f.read_bytes()
            ctx = FileContext(f.relative_to(root).as_posix(), hashlib.sha256(data).hexdigest(), athlete)
            res = reader(data, ctx)
            if res.warnings:
                warnings[ctx.path] = res.warnings
            for name, df in res.tables.items():
                tables[name].append(df)
    out = {}
    for name, parts in tables.items():
        df = pd.concat(parts, ignore_index=True) if parts else schemas.empty(name)
        if name == "strength_sets" and len(df):
            df = clean.classify_strength(df)
        out[name] = schemas.validate(name, df) if len(df) else df
    return PMData(out["wellness"], out["activities"], out["strength_sets"], [f.name for f in folders], root, warnings)


# ------------------------------------------------------------------------------------------------ panel
def session_day_panel(data: PMData) -> pd.DataFrame:
    """One row per athlete-day with a soreness report that day *and* the next morning.

    Columns: ``athlete_id``, ``local_date``, ``soreness_today`` and ``soreness_next`` (the first report of day
    d and of day d+1, 0–10), ``strength_session``, ``running_session``, ``other_session`` (1 when a session of
    that kind was done on day d, else 0) and ``session_load_au`` (sum of RPE × minutes on day d).
    """
    w = data.wellness
    w = w[(w["report_kind"] != "injury") & w["soreness"].notna()]
    first = w.sort_values("reported_at").groupby(["athlete_id", "local_date"], as_index=False)["soreness"].first()
    acts = data.activities.assign(
        kind=np.select(
            [data.activities["sport"].eq("strength_training"), data.activities["sport"].eq("running")],
            ["strength", "running"],
            "other",
        )
    )
    flags = (
        pd.crosstab([acts["athlete_id"], acts["local_date"]], acts["kind"])
        .clip(upper=1)
        .reindex(columns=list(SESSION_KINDS), fill_value=0)
        .add_suffix("_session")
    )
    load = acts.groupby(["athlete_id", "local_date"])["session_load_au"].sum().rename("session_load_au")
    nxt = first.assign(local_date=first["local_date"] - pd.Timedelta(days=1)).rename(
        columns={"soreness": "soreness_next"}
    )
    panel = (
        first.rename(columns={"soreness": "soreness_today"})
        .merge(nxt, on=["athlete_id", "local_date"], how="inner")
        .merge(flags.join(load, how="outer").reset_index(), on=["athlete_id", "local_date"], how="left")
    )
    fill = [f"{k}_session" for k in SESSION_KINDS] + ["session_load_au"]
    panel[fill] = panel[fill].fillna(0.0).astype(float)
    return panel.sort_values(["athlete_id", "local_date"]).reset_index(drop=True)
