"""The real sample files of ``../shared/realdata`` arranged as four athletes in a raw folder (issue 14, item 9).

:func:`arrange_athletes` copies the files into ``RAW/<athlete>/...`` (a temporary folder: never into the
repository, and never a symlink, so nothing the package does can touch ``../shared/realdata``) and writes the
``athlete.toml`` profiles. The four athletes are real exports of different people, put together the way a new
user would put their own: sources that barely overlap in time, thin soreness, broken files.

Folder names are the athlete ids. They are distinctive words (``aino``, ``bertil``, ``cai``, ``dora``) so that a
test can search pseudonymised outputs for them and a hit means a leak, not a coincidence.

Dates below were read with the package's readers (``ts.ingest`` of every file, then ``wh.activities``,
``wh.strength_sets``, ``wh.wellness``) and checked against the files themselves.

``aino`` — strength log and runs that never overlap in time (H1/H2 unanswerable: "strength log starts after the
last run"). ``athlete.toml``: ``timezone = "Europe/Oslo"``, no ``untyped_sport`` (the Tanzawa GPX must be
inferred as a run).

=========================================================  ========================================================
file                                                       why
=========================================================  ========================================================
strength/FitNotes_Export_2025_05_21_08_39_11.csv            FitNotes, newer header, loads in lb: 750 sets
                                                           2022-09-14 → 2025-05-15 (the only strength source)
runs/2013-02-06-12-11-14.fit                               run 2013-02-06, 153 m descent (≥ 500 m of descent
                                                           segments); bad CRC, decoded by the fallback
runs/activity-small-fenix2-run.fit                         run 2015-08-15, 9 km, little descent
runs/activity-large-fenxi2-multisport.fit                  2015-08-29 multisport: 2 running legs (one with 747 m
                                                           descent), a ride, transitions
runs/developer-types-sample.fit                            run 2017-01-17, Connect IQ developer fields
runs/garmin-fenix-5-run.fit                                run 2017-06-11, 1 minute
runs/compressed-speed-distance.fit                         run 2012-02-13, foot pod: no GPS, no altitude
runs/run.fit, runs/run.tcx, runs/run_garmin.tcx            runpandas runs 2019-09-14 (232 m descent), 2017-05-27,
                                                           2018-11-25
runs/3173437224.tcx                                        Polar M400 run 2019-01-29 (Polar TCX dialect)
runs/1253222978_ACTIVITY.fit                               run 2016-07-12 without GPS or altitude (treadmill)
trail/tanzawa_main_ridge.gpx                               the 24 km / 2,290 m trail run 2014-04-27; Garmin
                                                           Connect GPX that names no sport (must be inferred)
walks/cerknicko-jezero.gpx                                 untyped 2010-08-05 walk/ride track (not a run)
walks/cerknicko-jezero-without-elevations.gpx              the same track without <ele>: a duplicate
=========================================================  ========================================================

Every run is from 2012–2019; the strength log starts 2022-09-14: no run lies in strength coverage.

``bertil`` — only soreness and session RPE (PMData participant p01, 2019-11-01 → 2020-03-30): no track, no
strength log. ``athlete.toml``: ``timezone = "Europe/Oslo"``.

=========================================================  ========================================================
pmsys/wellness.csv                                         138 daily reports, soreness 1–5 on every one
pmsys/srpe.csv                                             34 sessions (22 running, 11 soccer, 1 endurance): runs
                                                           without a track, no descent known
pmsys/injury.csv                                           24 injury reports (mostly empty ``{}``)
=========================================================  ========================================================

``cai`` — one rich athlete: the Strong log of 2021 beside everything recorded near 2021, and a Strava bulk export
(2014-10 → 2025-08) around it. ``athlete.toml``: ``timezone = "Europe/Vienna"``, ``strength_unit = "kg"`` (Strong's
classic export names no unit).

=========================================================  ========================================================
strong/strong.csv                                          Strong, 2,078 sets 2021-02-10 → 2021-12-22, German
                                                           workout names, 107 deadlift sets
strava_export/activities.csv                               Strava bulk export, 1,845 activities (643 Run) without
                                                           their track files
watch/testdata.fit, .gpx, .tcx                             one 2021-04-16 run in three formats: FIT kept, GPX and
                                                           TCX duplicates
watch/11km.tcx                                             run 2021-03-21, flat, no <Creator>
watch/stopped_example.tcx                                  run 2021-01-10 with pauses (before the strength log)
watch/4383adb2-5170-467c-85b8-2d983c415e5b.gpx             untyped GPX run 2021-06-13, elevation on 513 of 1,365
                                                           points
watch/6471559601_ACTIVITY.fit                              1-minute multisport 2021-03-22 (rowing, transition, run)
watch/cross-country-skiing_activity_1.tcx                  TCX Sport="Other" 2020-12-26, barometric drift
watch/4801048867_strava.gpx                                Strava GPX of a ride 2020-04-18
=========================================================  ========================================================

``dora`` — the corrupt and odd files. No ``athlete.toml`` (the default zone, with its warning).

=========================================================  ========================================================
broken/activity-unexpected-eof.fit                         truncated FIT
broken/activity-settings-corruptheader.fit                 FIT with a corrupt second header (14 records decoded)
broken/cerknicko-without-times.gpx                         5 of 296 points keep a time: no usable times
broken/gpx_with_garmin_extension.gpx                       GPX fragment with no track points
broken/korita-zbevnica.gpx                                 times on 513 of 871 points, junk ``<type>jkljkl``; a
                                                           hike
routes/testcourse.gpx                                      route only (rtept, no time, no elevation)
watch/118799063835_WELLNESS.fit                            Garmin daily monitoring FIT, not an activity
watch/118799068102_SLEEP_DATA.fit                          Garmin sleep FIT, not an activity
watch/3551724293.fit                                       strength FIT 2019-04-13: one set, no weight, unknown
                                                           exercise category
=========================================================  ========================================================

Left out: ``runpandas/lochness_marathon_2019.csv`` (race results holding real runners' names: MANIFEST says never
publish figures made from it, and it is no athlete's own export), and the files that are no athlete's data:
the fitparse ``*-records.csv`` test oracles, ``specialsauce/ngp_gap.csv`` (a grade-adjusted pace table) and the
Lövdal excerpt (six rows of a public dataset, read by ``trailstrength datasets``, not by ``ingest``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: athlete id -> (athlete.toml text or None, {path in the athlete folder: path in ../shared/realdata}).
ATHLETES: dict[str, tuple[str | None, dict[str, str]]] = {
    "aino": ('timezone = "Europe/Oslo"\n', {
        "strength/FitNotes_Export_2025_05_21_08_39_11.csv": "kaiserlift/FitNotes_Export_2025_05_21_08_39_11.csv",
        "runs/2013-02-06-12-11-14.fit": "python-fitparse/2013-02-06-12-11-14.fit",
        "runs/activity-small-fenix2-run.fit": "python-fitparse/activity-small-fenix2-run.fit",
        "runs/activity-large-fenxi2-multisport.fit": "python-fitparse/activity-large-fenxi2-multisport.fit",
        "runs/developer-types-sample.fit": "python-fitparse/developer-types-sample.fit",
        "runs/garmin-fenix-5-run.fit": "python-fitparse/garmin-fenix-5-run.fit",
        "runs/compressed-speed-distance.fit": "python-fitparse/compressed-speed-distance.fit",
        "runs/run.fit": "runpandas/run.fit",
        "runs/run.tcx": "runpandas/run.tcx",
        "runs/run_garmin.tcx": "runpandas/run_garmin.tcx",
        "runs/3173437224.tcx": "sweatpy/3173437224.tcx",
        "runs/1253222978_ACTIVITY.fit": "open-fitness-dataset/1253222978_ACTIVITY.fit",
        "trail/tanzawa_main_ridge.gpx": "trail_analyzer/tanzawa_main_ridge.gpx",
        "walks/cerknicko-jezero.gpx": "gpxpy/cerknicko-jezero.gpx",
        "walks/cerknicko-jezero-without-elevations.gpx": "gpxpy/cerknicko-jezero-without-elevations.gpx",
    }),
    "bertil": ('timezone = "Europe/Oslo"\n', {
        "pmsys/wellness.csv": "pmdata/p01/pmsys/wellness.csv",
        "pmsys/srpe.csv": "pmdata/p01/pmsys/srpe.csv",
        "pmsys/injury.csv": "pmdata/p01/pmsys/injury.csv",
    }),
    "cai": ('timezone = "Europe/Vienna"\nstrength_unit = "kg"\n', {
        "strong/strong.csv": "strong-charts/strong.csv",
        "strava_export/activities.csv": "strava-activity-map/activities.csv",
        "watch/testdata.fit": "heartandsole/testdata.fit",
        "watch/testdata.gpx": "heartandsole/testdata.gpx",
        "watch/testdata.tcx": "heartandsole/testdata.tcx",
        "watch/11km.tcx": "runpandas/11km.tcx",
        "watch/stopped_example.tcx": "runpandas/stopped_example.tcx",
        "watch/4383adb2-5170-467c-85b8-2d983c415e5b.gpx": "runpandas/4383adb2-5170-467c-85b8-2d983c415e5b.gpx",
        "watch/6471559601_ACTIVITY.fit": "sweatpy/6471559601_ACTIVITY.fit",
        "watch/cross-country-skiing_activity_1.tcx": "tcxreader/cross-country-skiing_activity_1.tcx",
        "watch/4801048867_strava.gpx": "sweatpy/4801048867_strava.gpx",
    }),
    "dora": (None, {
        "broken/activity-unexpected-eof.fit": "python-fitparse/activity-unexpected-eof.fit",
        "broken/activity-settings-corruptheader.fit": "python-fitparse/activity-settings-corruptheader.fit",
        "broken/cerknicko-without-times.gpx": "gpxpy/cerknicko-without-times.gpx",
        "broken/gpx_with_garmin_extension.gpx": "gpxpy/gpx_with_garmin_extension.gpx",
        "broken/korita-zbevnica.gpx": "gpxpy/korita-zbevnica.gpx",
        "routes/testcourse.gpx": "heartandsole/testcourse.gpx",
        "watch/118799063835_WELLNESS.fit": "open-fitness-dataset/118799063835_WELLNESS.fit",
        "watch/118799068102_SLEEP_DATA.fit": "open-fitness-dataset/118799068102_SLEEP_DATA.fit",
        "watch/3551724293.fit": "open-fitness-dataset/3551724293.fit",
    }),
}


def missing_files(realdata: Path) -> list[str]:
    """The files :data:`ATHLETES` needs that ``realdata`` lacks (paths inside it)."""
    return sorted(src for _, files in ATHLETES.values() for src in files.values() if not (realdata / src).is_file())


def arrange_athletes(realdata: Path, raw: Path) -> dict[str, list[str]]:
    """Copy the real sample files into ``raw/<athlete>/...`` as :data:`ATHLETES` lays them out.

    Parameters
    ----------
    realdata : Path
        The ``../shared/realdata`` folder (read only).
    raw : Path
        The raw folder to fill (created; must not exist or be empty, and must lie outside ``realdata`` and
        the repository).

    Returns
    -------
    dict
        Athlete id -> the input files written for it, as POSIX paths relative to ``raw`` (the manifest's
        ``path``), ``athlete.toml`` not included.
    """
    realdata, raw = Path(realdata).resolve(), Path(raw).resolve()
    for keep_out in (realdata, REPO):
        if raw == keep_out or keep_out in raw.parents:
            raise ValueError(f"the raw folder {raw} must lie outside {keep_out}")
    if missing := missing_files(realdata):
        raise FileNotFoundError(f"{realdata} lacks {missing}")
    raw.mkdir(parents=True, exist_ok=True)
    if any(raw.iterdir()):
        raise FileExistsError(f"{raw} is not empty")
    arranged: dict[str, list[str]] = {}
    for athlete, (profile, files) in ATHLETES.items():
        folder = raw / athlete
        folder.mkdir()
        if profile is not None:
            (folder / "athlete.toml").write_text(profile, encoding="utf-8")
        for rel, src in files.items():
            dest = folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(realdata / src, dest)
        arranged[athlete] = sorted(f"{athlete}/{rel}" for rel in files)
    return arranged


def file_hashes(raw: Path) -> dict[str, str]:
    """SHA-256 of every file under ``raw`` (profiles included), keyed by POSIX path relative to ``raw``."""
    raw = Path(raw)
    return {p.relative_to(raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(raw.rglob("*")) if p.is_file()}
