"""Parameters of the terrain pipeline, in one frozen object so runs are reproducible and hashable."""

from __future__ import annotations

from dataclasses import dataclass

from .grade_models import GAP_MODELS, EmpiricalGap, is_gap_model

SMOOTHING_METHODS: tuple[str, ...] = ("savgol", "window")
#: Values of ``TerrainParams.altitude_source`` (the ``activities.altitude_source`` vocabulary).
ALTITUDE_SOURCES: tuple[str, ...] = ("barometric", "dem", "gps", "none", "unknown")


@dataclass(frozen=True)
class TerrainParams:
    """Every threshold of resampling, smoothing, pause detection and segmentation (SI units).

    Attributes
    ----------
    step_m : float
        Horizontal distance between profile points, m.
    smoothing : {"savgol", "window"}
        Altitude smoother after spike removal: a quadratic Savitzky–Golay filter, or a centred moving mean,
        both over ``smooth_window_m`` of distance.
    smooth_window_m : float
        Full width of the smoothing window, m.
    grade_window_m : float
        Grade is the altitude difference across this centred distance, m (≥ 50 m: grade error is about
        √2·σ_h/Δx, so shorter baselines turn decimetres of altitude noise into whole percent of grade).
    max_abs_grade : float
        Grades are clipped to ±this (fraction); also the validity range of the Minetti model.
    descent_grade : float
        A descent segment is where smoothed grade ≤ this (fraction, negative); climbs use ≥ −this.
    min_length_m, min_drop_m : float
        A segment must be at least this long (horizontal m) and lose (or, for climbs, gain) this much, m.
    merge_gap_m : float
        Segments of the same kind separated by less than this (m) are merged into one.
    steep_grade, very_steep_grade : float
        Class limits on the mean grade of a descent (fraction): moderate above ``steep_grade``, steep down
        to ``very_steep_grade``, very steep below it. Climbs use the same limits mirrored.
    flat_abs_grade : float
        Profile steps with ``|grade|`` below this (fraction) count as flat for the flat reference speed.
    min_flat_length_m : float
        Minimum flat distance in a run for its flat reference speed to be reported, m.
    pause_speed_mps, pause_min_s : float
        A pause is any stretch longer than ``pause_min_s`` seconds covered at a mean horizontal speed below
        ``pause_speed_mps`` (m/s) — unless it climbs or descends (next item); pause time is left out of
        moving time.
    pause_vertical_mps, pause_vertical_window_s : float
        A slow stretch that still climbs or descends is steep hiking and counts as moving: the smoothed
        terrain under the distance it covers (over ±``pause_min_s``) changes at ``pause_vertical_mps``
        (m/s) or more, and so does the recorded altitude at half that or more, measured between the mean
        altitudes of the half-windows before and after each sample (``pause_vertical_window_s`` s in all).
        ``inf`` turns this off.
    jump_speed_mps : float
        A sample-to-sample implied speed above this (m/s) is a GPS jump: its time and distance are dropped.
        Samples sharing one time stamp are judged together, over the time to the next stamp.
    recording_gap_s : float
        Two consecutive samples further apart in time than this (s) have a gap in the recording between them
        (the device was off, its clock jumped, two recordings were joined): never moving time, whatever the
        speed or climb across it. An hour: no pause inside a run is recorded as a single interval that long.
    max_vertical_speed_mps, altitude_step_m : float
        Consecutive samples whose altitude changes faster than ``max_vertical_speed_mps`` (m/s; without
        times, steeper than 100 %) and that move it by ``altitude_step_m`` (m) or more in all are a level
        shift (altimeter calibration at the start, a switch of altitude source) and are taken out.
    spike_window_m, spike_threshold_m : float
        Spike removal before smoothing (Hampel filter): a point further than ``spike_threshold_m`` (m) and
        3 robust standard deviations from the running median over ``spike_window_m`` (m) is replaced by
        that median. The threshold exceeds the largest deviation a clean summit makes
        (``max_abs_grade`` × ``step_m`` = 4.5 m) so real summits are never cut.
    hysteresis_m : float
        Dead band for ascent and descent totals on the smoothed altitude, m.
    gap_model : {"strava", "minetti"} or EmpiricalGap
        Grade-adjustment model for grade-adjusted speeds (see :func:`gap_factor`).
    altitude_source : {"barometric", "dem", "gps", "none", "unknown"}
        Where the altitude came from (``activities.altitude_source``). It does not change any computation by
        itself (use :meth:`for_altitude_source` for the matching preset); the run summary reports it in
        ``altitude_quality``.

    Notes
    -----
    Defaults were chosen with ``benchmarks/validate_terrain.py``: three courses of known geometry
    (straight grades of every class, a sawtooth of sharp ±12 % summits, a plateau), 1 Hz, a runner at
    Strava-equal effort, 5 seeds, altitude noise modelled as barometric (0.4 m over seconds + 2 m drift
    over an hour), GPS (1.5 m over 10 s + 4 m wandering over 5 min, with or without ±30 m spikes) and a
    harsh GPS stress case (4 m decorrelating within 30 s). The defaults are tuned for barometric or DEM
    altitude, which DESIGN §6 prefers; :meth:`for_altitude_source` gives the GPS variant.

    * ``smoothing="savgol"``: at equal width it keeps breaks of slope that a moving mean rounds off
      (barometric, 70 m: descent total −0.8 % vs −3.0 %, boundary error 11 vs 17 m).
    * ``smooth_window_m=70``: with barometric altitude, 50–70 m are best (grade RMSE 0.020, descent total
      −0.4 to −0.8 %, worst run within 2.5 %, F1 = 1); 100 m already costs 1.6 % of the descent total and
      its worst run −3.9 %, because every summit is shaved. 70 m (7 points) rather than 50 m (5 points):
      the two are equal within seed noise here, and the wider one is safer against what the model lacks
      (pressure steps, sparse smart-recording samples).
    * GPS altitude needs more: at the defaults descent F1 is 0.83 and the total +6 %. With a 200 m window
      and a 100 m merge gap (``for_altitude_source("gps")``) F1 is 0.96, the total −0.2 % (worst run
      6.7 %), boundaries 26 m; spikes are removed by the Hampel filter either way.
    * ``hysteresis_m=5``: 2–10 m are equivalent on smoothed barometric altitude; 0 m adds 3 % of fake
      descent, and on GPS altitude 5 m already halves the excess that 2 m leaves.
    * Pauses: on the Tanzawa trail run (``realdata/trail_analyzer``, smart recording every ~6 s) the
      horizontal rule alone makes 161 pauses of 1.9 h in all (130 under 30 s) out of 6.3 h, and climbs
      come out at 1,000 m/h. Its real stops change altitude at ≤ 0.02 m/s, the slow stretches on the
      climbs at 0.15–0.3 m/s. With the vertical rule it is 5.0 h moving, climbs at 780 m/h (any threshold
      from 0.05 to 0.15 m/s gives 4.9–5.0 h). Two witnesses, because each fails alone: the altimeter's
      window reaches into a stop next to a climb and GPS altitude wanders 0.05–0.1 m/s at a standstill;
      the terrain under the distance covered is exactly still at a stop but turns 1 Hz position jitter
      into vertical motion on steep ground. Synthetic test (a hiker at 0.41 m/s up 30 %, i.e. 0.12 m/s of
      height, 4 seeds; a 2-minute stop halfway up with 0.6 m position jitter, 6 seeds): barometric,
      0.08 m/s over 60 s loses 13 s of the 1 h climb and ~30 s of hiking next to the stop (validation
      table 4 with jitter: 25 s without a stop, 50 s with one); 0.06 m/s loses none
      but counts a 5 %-slope stroll in the heartandsole test walk as moving that its DEM-altitude TCX
      copy does not. GPS altitude needs the GPS preset's smoother for the terrain witness: 0.06 m/s over
      120 s loses 44 s of the climb and keeps the stop to within 30 s (0.08 m/s: 141 s lost).
    * ``max_vertical_speed_mps=3`` and ``altitude_step_m=25``: nobody climbs 3 m/s on foot; the cross-country
      ski file in realdata starts with its altimeter settling by 1,000 m within 10 s, which becomes one
      removed step, while a 12 m one-sample glitch on the Tanzawa run stays for the spike filter.
    * Speed: a 3-hour 1 Hz run takes ~1.6–1.8 ms (6–7 M samples/s on one core); a run costs ~0.55 ms
      fixed plus ~60–80 ns per sample (``benchmarks/bench_terrain.py``).
    """

    step_m: float = 10.0
    smoothing: str = "savgol"
    smooth_window_m: float = 70.0
    grade_window_m: float = 50.0
    max_abs_grade: float = 0.45
    descent_grade: float = -0.05
    min_length_m: float = 200.0
    min_drop_m: float = 20.0
    merge_gap_m: float = 50.0
    steep_grade: float = -0.12
    very_steep_grade: float = -0.25
    flat_abs_grade: float = 0.02
    min_flat_length_m: float = 500.0
    pause_speed_mps: float = 0.5
    pause_min_s: float = 5.0
    pause_vertical_mps: float = 0.08
    pause_vertical_window_s: float = 60.0
    jump_speed_mps: float = 8.0
    recording_gap_s: float = 3600.0
    max_vertical_speed_mps: float = 3.0
    altitude_step_m: float = 25.0
    spike_window_m: float = 50.0
    spike_threshold_m: float = 5.0
    hysteresis_m: float = 5.0
    gap_model: str | EmpiricalGap = "strava"
    altitude_source: str = "unknown"

    @classmethod
    def for_altitude_source(cls, source: str | None, **overrides) -> TerrainParams:
        """Parameters suited to where the altitude came from (``activities.altitude_source``).

        Parameters
        ----------
        source : {"barometric", "dem", "gps", "none"} or None
            ``"gps"`` widens the smoother to 200 m and merges segments across gaps shorter than 100 m: GPS
            altitude is metres off and wanders within a descent, which otherwise breaks one long descent
            into several; and it judges steep hiking against pauses at 0.06 m/s over 120 s (the heavier
            smoothing flattens the terrain witness; the longer window calms GPS altitude). Everything else (including unknown) gets the
            defaults, which are tuned for barometric or DEM altitude. ``altitude_source`` is set to
            ``source`` (``"unknown"`` for None or an unrecognised value).
        **overrides
            Any field, applied last.
        """  # noqa: E501
        src = source if source in ALTITUDE_SOURCES else "unknown"
        preset: dict = {"altitude_source": src}
        if src == "gps":
            preset.update(
                smooth_window_m=200.0, merge_gap_m=100.0, pause_vertical_mps=0.06, pause_vertical_window_s=120.0
            )
        return cls(**{**preset, **overrides})

    def __post_init__(self) -> None:
        # Fail at construction, naming the field, rather than deep inside a filter call.
        if self.smoothing not in SMOOTHING_METHODS:
            raise ValueError(f"TerrainParams.smoothing={self.smoothing!r}; choose one of {SMOOTHING_METHODS}")
        if not is_gap_model(self.gap_model):
            raise ValueError(
                f"TerrainParams.gap_model={self.gap_model!r}; choose one of {GAP_MODELS} or an EmpiricalGap"
            )
        if self.altitude_source not in ALTITUDE_SOURCES:
            raise ValueError(
                f"TerrainParams.altitude_source={self.altitude_source!r}; choose one of {ALTITUDE_SOURCES}"
            )
        for name in (
            "step_m",
            "grade_window_m",
            "max_abs_grade",
            "pause_min_s",
            "jump_speed_mps",
            "recording_gap_s",
            "pause_vertical_mps",
            "pause_vertical_window_s",
            "max_vertical_speed_mps",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"TerrainParams.{name} must be > 0, got {getattr(self, name)!r}")
        for name in (
            "smooth_window_m",
            "spike_window_m",
            "spike_threshold_m",
            "hysteresis_m",
            "min_length_m",
            "min_drop_m",
            "merge_gap_m",
            "pause_speed_mps",
            "min_flat_length_m",
            "flat_abs_grade",
            "altitude_step_m",
        ):
            if not getattr(self, name) >= 0:
                raise ValueError(f"TerrainParams.{name} must be >= 0, got {getattr(self, name)!r}")
        if not self.descent_grade < 0:
            raise ValueError(f"TerrainParams.descent_grade must be negative, got {self.descent_grade!r}")
        if not self.very_steep_grade < self.steep_grade < 0:
            raise ValueError(
                "TerrainParams needs very_steep_grade < steep_grade < 0, got "
                f"{self.very_steep_grade!r} and {self.steep_grade!r}"
            )
