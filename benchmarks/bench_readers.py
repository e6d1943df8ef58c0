"""Reader speed: our FIT / GPX / TCX paths against fitdecode, gpxpy and tcxreader on the same inputs, same run.

Each side builds the same thing — a samples DataFrame (time, position, altitude, distance, speed, heart rate,
cadence) plus the activity summary — from the same bytes already in memory. Inputs: every real activity
file of the format in ``../shared/realdata`` plus one simulated 3-hour, 1 Hz activity (10,800 points).
Timing is the best of several alternating rounds, so background load hurts both sides alike.

Run: ``PYTHONPATH=src python benchmarks/bench_readers.py`` (needs the ``bench`` extra: gpxpy, tcxreader).
Targets (issue 3): FIT ≥ 30× fitdecode, GPX ≥ 10× gpxpy, TCX ≥ 10× tcxreader.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trailstrength.io import Athlete, FileContext, fit, gpx, tcx
from trailstrength.simulate.formats import fit_activity, gpx_activity, tcx_activity

REALDATA = Path(os.environ.get("TRAILSTRENGTH_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata"))
CTX = FileContext("bench/file", "0" * 64, Athlete("bench"))
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)


def three_hour_track(n: int = 10_800, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    heading = np.cumsum(rng.normal(0, 0.03, n))
    step = 2.8 + rng.normal(0, 0.2, n)
    return pd.DataFrame(
        {
            "time": pd.date_range("2024-06-01T06:00:00Z", periods=n, freq="s"),
            "lat": 46.5 + np.cumsum(step * np.sin(heading)) / 111_320,
            "lon": 8.0 + np.cumsum(step * np.cos(heading)) / 76_600,
            "ele": 800 + 300 * np.sin(np.arange(n) / 1500) + rng.normal(0, 0.3, n),
            "hr": np.clip(140 + rng.normal(0, 5, n), 90, 190).round(),
        }
    )


# ------------------------------------------------------------------------------------------------ peers
def fitdecode_frame(data: bytes) -> pd.DataFrame:
    """fitdecode -> the same samples frame and session summary our reader builds."""
    import fitdecode

    rows, sessions = [], []
    with fitdecode.FitReader(data, check_crc=fitdecode.CrcCheck.DISABLED) as reader:
        for m in reader:
            if isinstance(m, fitdecode.FitDataMessage):
                if m.name == "record":
                    rows.append({f.name: f.value for f in m.fields})
                elif m.name == "session":
                    sessions.append({f.name: f.value for f in m.fields})
    df = pd.DataFrame(rows)

    def col(*names):
        for n in names:
            if n in df:
                return pd.to_numeric(df[n], errors="coerce")
        return pd.Series(np.nan, index=df.index)

    ts = df["timestamp"].map(lambda v: v if isinstance(v, dt.datetime) else FIT_EPOCH + dt.timedelta(seconds=v))
    out = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(ts, utc=True),
            "lat": col("position_lat") * 180 / 2**31,
            "lon": col("position_long") * 180 / 2**31,
            "altitude_m": col("enhanced_altitude", "altitude"),
            "distance_m": col("distance"),
            "speed_mps": col("enhanced_speed", "speed"),
            "heart_rate": col("heart_rate"),
            "cadence": col("cadence"),
        }
    )
    out.attrs["sessions"] = pd.DataFrame(sessions)
    return out


def gpxpy_frame(data: bytes) -> pd.DataFrame:
    """gpxpy -> samples frame, heart rate and cadence from the TrackPointExtension like ours."""
    import gpxpy

    doc = gpxpy.parse(data.decode("utf-8"))
    rows = []
    for trk in doc.tracks:
        for k, seg in enumerate(trk.segments):
            for p in seg.points:
                hr = cad = None
                for ext in p.extensions:
                    for el in ext.iter():
                        tag = el.tag.rsplit("}", 1)[-1]
                        if tag == "hr":
                            hr = el.text
                        elif tag == "cad":
                            cad = el.text
                rows.append((p.time, p.latitude, p.longitude, p.elevation, hr, cad, k))
    df = pd.DataFrame(rows, columns=["timestamp", "lat", "lon", "altitude_m", "heart_rate", "cadence", "segment"])
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    df[["heart_rate", "cadence"]] = df[["heart_rate", "cadence"]].apply(pd.to_numeric, errors="coerce")
    return df


def tcxreader_frame(data: bytes, path: Path) -> pd.DataFrame:
    """tcxreader (reads from a path) -> samples frame."""
    from tcxreader.tcxreader import TCXReader

    ex = TCXReader().read(str(path))
    rows = [
        (
            t.time,
            t.latitude,
            t.longitude,
            t.elevation,
            t.distance,
            t.hr_value,
            t.cadence,
            (t.tpx_ext or {}).get("Speed"),
        )
        for t in ex.trackpoints
    ]
    df = pd.DataFrame(
        rows, columns=["timestamp", "lat", "lon", "altitude_m", "distance_m", "heart_rate", "cadence", "speed_mps"]
    )
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    return df


# ------------------------------------------------------------------------------------------------ timing
def best_time(fn, min_rounds: int = 3, budget_s: float = 1.5) -> float:
    times, t_end = [], time.perf_counter() + budget_s
    while len(times) < min_rounds or (time.perf_counter() < t_end and len(times) < 50):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def compare(label: str, inputs: list[tuple[str, bytes, Path]], ours, peer, peer_name: str, group=None) -> float:
    """Time both sides on every input; print per file, per ``group(data)`` subtotal and in total."""
    print(f"\n{label}: ours vs {peer_name}")
    print(f"  {'file':<52}{'points':>8}{'ours ms':>10}{'peer ms':>10}{'ratio':>8}")
    tot_n = tot_ours = tot_peer = 0.0
    groups: dict[str, list[float]] = {}
    for name, data, path in inputs:
        n, n_peer = len(ours(data)), len(peer(data, path))
        t_ours = best_time(lambda: ours(data))  # noqa: B023
        t_peer = best_time(lambda: peer(data, path), min_rounds=2)  # noqa: B023
        tot_n, tot_ours, tot_peer = tot_n + n, tot_ours + t_ours, tot_peer + t_peer
        note = f"  (peer keeps {n_peer} rows)" if n_peer != n else ""
        if group is not None:
            g = groups.setdefault(group(data), [0.0, 0.0, 0.0])
            g[0], g[1], g[2] = g[0] + n, g[1] + t_ours, g[2] + t_peer
            note += f"  [{group(data)}]"
        print(f"  {name:<52}{n:>8}{t_ours * 1e3:>10.1f}{t_peer * 1e3:>10.1f}{t_peer / t_ours:>7.1f}×{note}")
    for g, (n, t_o, t_p) in groups.items():
        print(f"  {'  subtotal ' + g:<52}{int(n):>8}{t_o * 1e3:>10.1f}{t_p * 1e3:>10.1f}{t_p / t_o:>7.1f}×")
    ratio = tot_peer / tot_ours
    print(f"  {'all inputs':<52}{int(tot_n):>8}{tot_ours * 1e3:>10.1f}{tot_peer * 1e3:>10.1f}{ratio:>7.1f}×")
    print(f"  records/s: ours {tot_n / tot_ours:,.0f}, {peer_name} {tot_n / tot_peer:,.0f}")
    return ratio


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-real", action="store_true", help="only the simulated 3-hour files")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="ts-bench-"))
    track = three_hour_track()
    sim = {"fit": fit_activity(track), "gpx": gpx_activity(track).encode(), "tcx": tcx_activity(track).encode()}
    inputs = {}
    for fmt, data in sim.items():
        p = tmp / f"sim-3h.{fmt}"
        p.write_bytes(data)
        inputs[fmt] = [(f"simulated 3 h, 1 Hz (.{fmt})", data, p)]
    if not args.no_real and REALDATA.is_dir():
        for fmt in ("fit", "gpx", "tcx"):
            for p in sorted(REALDATA.rglob(f"*.{fmt}")):
                data = p.read_bytes()
                try:
                    n = len({"fit": fit, "gpx": gpx, "tcx": tcx}[fmt].read(data, CTX).tables.get("samples", []))
                except Exception:  # noqa: BLE001 - files that are not activities are not benchmarked
                    continue
                if n and not (fmt == "fit" and "unexpected-eof" in p.name or "corruptheader" in p.name):
                    inputs[fmt].append((p.relative_to(REALDATA).as_posix(), data, p))
    print(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    ratios = {
        "FIT": compare(
            "FIT",
            inputs["fit"],
            lambda d: fit.read(d, CTX).tables["samples"],
            lambda d, p: fitdecode_frame(d),
            "fitdecode",
            group=lambda d: {"fitfast": "fitfast path", "fitdecode": "fitdecode fallback"}[
                fit.read(d, CTX).tables["activities"]["decoder"].iloc[0]
            ],
        ),
        "GPX": compare(
            "GPX", inputs["gpx"], lambda d: gpx.read(d, CTX).tables["samples"], lambda d, p: gpxpy_frame(d), "gpxpy"
        ),
        "TCX": compare(
            "TCX", inputs["tcx"], lambda d: tcx.read(d, CTX).tables["samples"], tcxreader_frame, "tcxreader"
        ),
    }
    targets = {"FIT": 30, "GPX": 10, "TCX": 10}
    print("\nsummary (all inputs, total time):")
    for k, r in ratios.items():
        print(f"  {k}: {r:.1f}× (target ≥ {targets[k]}×) {'met' if r >= targets[k] else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
