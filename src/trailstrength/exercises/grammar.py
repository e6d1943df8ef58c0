"""Second matching stage: a keyword and equipment grammar that gives names no taxonomy row matches a pattern.

Gym-goers type their own names and gyms name their machines ("Cable Upright Bar Row", "Glute Machine (Kick
Backwards)", "Tricep Cable Pull Down"). When the alias stages find no row, :func:`classify_name` reads the name's
words (folded as in :mod:`~trailstrength.exercises.normalise`: case, accents, plurals, ``pull-down`` =
``pulldown``) and walks :data:`RULES` in order; the first rule whose words are all present (and none of whose
``unless`` words are) decides. A rule reads like ``curl & leg|hamstring|ham`` (every ``&`` group must be present, any
word of a ``|`` group will do).

What a rule gives
-----------------
* Always the **pattern**, from the package's vocabulary (:data:`~trailstrength.exercises.taxonomy.PATTERNS`), and
  the lower-body flags: ``knee_dominant`` (squats, lunges, step-ups, leg press, leg extension, jump landings,
  sleds) and ``unilateral`` (one limb at a time: lunges, split squats, step-ups, pistols, kickbacks, and any name
  saying ``single leg`` / ``one leg`` / ``unilateral`` / ``left`` / ``right``; for upper-body names also ``single
  arm`` and ``alternating``; ``single arm`` never makes a lift unilateral for the legs).
* Where the grammar is sure which family of lift it is, the rule names a taxonomy **row** and the set takes that
  row's hinge subtype, ``posterior_chain_weight`` and flags (a user override that re-weights the row applies too):
  ``kick & back`` is hip extension as ``glute_kickback``; ``hinge`` is a hip hinge as ``romanian_deadlift``;
  ``deadlift & sumo`` weighs as ``sumo_deadlift``; ``curl & leg`` is knee flexion as ``leg_curl``.
  A name with a word neither the grammar nor the taxonomy's aliases know ("Romanain Deadlift": a misspelt
  variant?) keeps the row's pattern and flags but not its subtype and weight.
* Otherwise the weight is 0, the subtype empty, and ``match_note`` says so: the pattern is known, the exercise is
  not ("Lower Back" is trunk work, but which machine?).

Order matters and is part of the grammar: stretching first ("Hamstring Stretch" is not a leg curl), then
plyometrics ("Jump Squat"), carries, hinges and hip extension, knee flexion, Olympic lifts, lower-body accessories
(a calf press on the leg press is a calf raise), single-leg then squat patterns, conditioning, core, and the upper
body last, with the words that turn a pull into a push checked first (a ``tricep`` pull-down is a push, a
``straight arm`` push-down a pull, a ``rear delt`` raise a pull). Names that are only equipment, body parts the grammar cannot place (``glute``, ``hamstring``, ``leg``,
``back``) or session placeholders (:func:`is_placeholder`) get no pattern and stay unmatched.

:func:`grammar_table` lists every rule; :data:`MOVEMENT_WORDS` are the words that give a pattern on their own.
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from trailstrength.exercises.normalise import NEUTRAL_WORDS, split_name
from trailstrength.exercises.taxonomy import LOWER_BODY_PATTERNS

# Words folded further for the grammar only (the alias matcher keeps them apart); plurals are already folded.
_GRAMMAR_SYNONYMS = {
    "abs": "ab",
    "deltoid": "delt",
    "pectoral": "pec",
    "quadricep": "quad",
    "jumping": "jump",
    "hopping": "hop",
    "bounding": "bound",
    "skipping": "skip",
    "stretching": "stretch",
    "jogging": "jog",
    "running": "run",
    "biking": "bike",
    "cycling": "cycle",
    "swimming": "swim",
    "walking": "walk",
    "hiking": "hike",
    "rucking": "ruck",
    "palloff": "pallof",
}


@dataclass(frozen=True)
class Rule:
    """One line of the grammar: when its words are in a name, the name gets this pattern (and maybe a row)."""

    label: str  # what the rule recognises, quoted in match_note
    pattern: str  # the pattern it gives (the row's, when it names one)
    when: str  # "a|b & c ; d": any alternative (;) whose every group (&) shares a word (|) with the name
    unless: str = ""  # "a|b": none of these words may be in the name
    row: str | None = None  # taxonomy row whose subtype, weight and flags the set takes
    lower: bool = False  # lower-body: "single" counts only with "leg"; "single arm" does not make it unilateral

    @property
    def alternatives(self) -> tuple[tuple[frozenset[str], ...], ...]:
        return _alternatives(self.when)

    @property
    def blockers(self) -> frozenset[str]:
        return _words(self.unless) if self.unless else frozenset()

    def fires(self, words: frozenset[str]) -> bool:
        if self.blockers & words:
            return False
        return any(all(group & words for group in alt) for alt in self.alternatives)


@cache
def _alternatives(when: str) -> tuple[tuple[frozenset[str], ...], ...]:
    """``"a|b & c ; d"`` -> (({a, b}, {c}), ({d},)): alternatives by ``;``, groups by ``&``, words by ``|``."""
    return tuple(tuple(_words(group) for group in alt.split("&")) for alt in when.split(";"))


@cache
def _words(group: str) -> frozenset[str]:
    """``"a|b"`` -> {a, b}, each word folded as names are (``pilates`` -> ``pilate``), so rules and names agree."""
    out = set()
    for word in group.split("|"):
        folded = words_of(word.strip())
        out |= folded if len(folded) == 1 else {word.strip()}
    return frozenset(out)


def _r(
    label: str, pattern: str, when: str, unless: str = "", row: str | None = None, lower: bool | None = None
) -> Rule:
    return Rule(label, pattern, when, unless, row, pattern in LOWER_BODY_PATTERNS if lower is None else lower)


#: The grammar, in the order it is tried. ``row`` = taxonomy row whose weight, subtype and flags the set takes.
RULES: tuple[Rule, ...] = (
    # not strength training: first, so "Hamstring Stretch" is not a leg curl
    _r(
        "stretching and mobility", "mobility", "stretch|mobility|yoga|pilates|foam|flexibility|cooldown", row="mobility"
    ),
    _r("leg or arm swings (dynamic warm-up)", "mobility", "swing & leg|arm", "kettlebell|dumbbell", row="mobility"),
    # plyometrics before squats and lunges: a jump squat lands, it does not grind
    _r("jump lunge", "plyometric", "jump|plyo|plyometric & lunge|split", row="jump_lunge", lower=True),
    _r(
        "skater / lateral bound",
        "plyometric",
        "skater & jump|hop|bound ; lateral & bound",
        row="skater_jump",
        lower=True,
    ),
    _r("single-leg hop", "plyometric", "single & leg & hop|jump|bound", row="single_leg_hop", lower=True),
    _r("bounding", "plyometric", "bound", row="bounding", lower=True),
    _r("jump rope", "plyometric", "rope & jump|skip ; skip", row="jump_rope"),
    _r("jumping jack", "plyometric", "jack", "plank", row="jumping_jack"),
    _r("pogo / ankle hops", "plyometric", "pogo|hop", "hurdle", row="pogo_jump", lower=True),
    _r("jumps that land on two feet", "plyometric", "jump|plyo|plyometric|hurdle", row="box_jump", lower=True),
    _r("throws and slams", "plyometric", "slam|throw|toss", row="medicine_ball_throw"),
    # loaded carries
    _r("loaded carry", "carry", "carry|farmer|yoke ; walk & waiter|suitcase|overhead", "lunge", row="farmers_walk"),
    # hip hinge and hip extension (the posterior chain)
    _r(
        "kickback / kick backwards (hip extension)",
        "hinge",
        "kickback|kick & glute|hip|leg|donkey|back|backward|rear",
        "tricep|skullcrusher|arm",
        row="glute_kickback",
    ),
    _r(
        "rear leg raise (hip extension)",
        "hinge",
        "leg & raise|lift & rear|back|backward",
        "lower|hanging|lying",
        row="glute_kickback",
    ),
    _r(
        "standing / cable / machine hip extension",
        "hinge",
        "hip & extension",
        "45|degree|roman|ghd|bench|chair|back|hyperextension|hyper",
        row="glute_kickback",
    ),
    _r("good morning", "hinge", "good & morning", row="good_morning"),
    _r("hip hinge", "hinge", "hinge", row="romanian_deadlift"),
    _r(
        "single-leg deadlift (an RDL on one leg)",
        "hinge",
        "deadlift & single & leg",
        row="single_leg_romanian_deadlift",
    ),
    _r("Romanian / stiff-leg deadlift", "hinge", "deadlift & romanian|stiff|straight", row="romanian_deadlift"),
    _r("sumo deadlift", "hinge", "deadlift & sumo", row="sumo_deadlift"),
    _r("trap-bar deadlift", "hinge", "deadlift & trap|trapbar", row="trap_bar_deadlift"),
    _r("suitcase deadlift", "hinge", "deadlift & suitcase|arm", row="suitcase_deadlift"),
    _r("kettlebell deadlift", "hinge", "deadlift & kettlebell", row="kettlebell_deadlift"),
    _r("deadlift", "hinge", "deadlift", row="deadlift"),
    _r("rack / block pull", "hinge", "rack|block & pull", row="rack_pull"),
    _r("pull-through", "hinge", "pullthrough", row="cable_pull_through"),
    _r("kettlebell swing", "hinge", "swing", row="kettlebell_swing"),
    _r("hip thrust", "hinge", "hipthrust ; thrust|drive & hip|glute|barbell|machine|smith", row="hip_thrust"),
    _r("glute bridge", "hinge", "bridge", "side", row="glute_bridge"),
    _r("frog pump", "hinge", "frog & pump", row="frog_pump"),
    _r("reverse hyperextension", "hinge", "reverse & hyper|hyperextension", row="reverse_hyperextension"),
    _r(
        "back extension / hyperextension",
        "hinge",
        "hyperextension|hyper ; extension & back|hip|45|roman|ghd|lumbar|spinal",
        row="back_extension",
    ),
    # knee flexion (hamstrings at the knee)
    _r("reverse Nordic (knee extension)", "other", "reverse & nordic", row="reverse_nordic", lower=True),
    _r("Nordic hamstring curl", "knee_flexion", "nordic", row="nordic_hamstring_curl"),
    _r("glute-ham raise", "knee_flexion", "glute & ham & raise|developer", row="glute_ham_raise"),
    _r(
        "leg / hamstring curl",
        "knee_flexion",
        "curl & leg|hamstring|ham|femoral",
        "bicep|hammer|preacher|wrist|zottman|concentration|spider|drag|jefferson",
        row="leg_curl",
    ),
    # Olympic lifts (ballistic triple extension, not counted as hinge exposure)
    _r("Olympic lift", "other", "clean|snatch|jerk", "deadlift|romanian|grip|row|shrug|pullup", row="power_clean"),
    _r("high pull", "other", "high & pull", row="high_pull"),
    # lower-body accessories (before squats and presses: a calf press on the leg press is a calf raise)
    _r(
        "calf / tibialis raise",
        "other",
        "calf|tibialis|tib ; raise|drop & heel|toe",
        "hanging",
        row="standing_calf_raise",
        lower=True,
    ),
    _r(
        "hip abduction / adduction",
        "other",
        "abduction|adduction ; outer|inner & thigh",
        "copenhagen|plank",
        row="hip_abduction",
        lower=True,
    ),
    _r("clamshell / fire hydrant", "other", "clamshell|clam|hydrant", row="clamshell", lower=True),
    _r("lateral band walk", "other", "walk & band|lateral|side|monster", "lunge", row="lateral_band_walk", lower=True),
    _r(
        "side-lying leg raise (abduction)",
        "other",
        "leg & raise|lift & side|lateral",
        row="side_lying_leg_raise",
        lower=True,
    ),
    _r("hip flexion", "other", "hip|psoas & flexion|flexor|march", row="hip_flexion", lower=True),
    _r("leg / knee extension", "other", "extension & leg|quad|knee", row="leg_extension", lower=True),
    _r("sled push / drag", "other", "sled|prowler", "leg|press", row="sled_push", lower=True),
    # knee-dominant: single leg first, then squats
    _r("lunge", "lunge_single_leg", "lunge", row="lunge"),
    _r("split squat", "lunge_single_leg", "split & squat", row="split_squat"),
    _r("Bulgarian split squat", "lunge_single_leg", "bulgarian", row="bulgarian_split_squat"),
    _r("step-up", "lunge_single_leg", "stepup", row="step_up"),
    _r("step-down (eccentric)", "lunge_single_leg", "stepdown", row="step_down"),
    _r("single-leg press", "lunge_single_leg", "press & leg & single|unilateral", row="single_leg_press"),
    _r(
        "single-leg squat",
        "lunge_single_leg",
        "pistol|cossack|skater ; squat|sit & single & leg ; squat & unilateral",
        row="pistol_squat",
    ),
    _r("squat", "squat", "squat|hack|thruster", row="back_squat"),
    _r("leg press", "squat", "leg & press|sled", row="leg_press"),
    _r("wall sit", "squat", "wall & sit", row="wall_sit"),
    _r("wall ball", "squat", "wall & ball", row="wall_ball"),
    # conditioning logged in a strength app
    _r("indoor rower", "cardio", "rower|erg|ergometer|concept2 ; rowing & machine|indoor", row="rowing_machine"),
    _r("running", "cardio", "run|jog|treadmill|sprint", row="running"),
    _r("cycling", "cardio", "bike|cycle|spin|spinning|airbike|airdyne|assault", row="cycling"),
    _r(
        "elliptical / stairs / ski",
        "cardio",
        "elliptical|crosstrainer|stairmaster|stepmill|stair|skierg|ski",
        row="elliptical",
    ),
    _r("walking / hiking", "cardio", "walk|hike|ruck", row="hiking"),
    _r("swimming, battle ropes and other cardio", "cardio", "swim|cardio|battle", row="battle_rope"),
    _r("burpee", "other", "burpee", row="burpee", lower=True),
    # shoulder rotation before trunk rotation
    _r("shoulder rotation", "other", "rotation|rotator & external|internal|cuff|shoulder", row="external_rotation"),
    # trunk
    _r("lower-back (trunk extension) machine", "core", "lower & back"),
    _r(
        "trunk flexion, rotation and bracing",
        "core",
        "crunch|situp|ab|abdominal|core|plank|twist|rollout|hollow|oblique|woodchop|chop|flutter|scissor|"
        "superman|jackknife|trunk|torso|deadbug|copenhagen|jefferson|windshield|pallof|antirotation ; "
        "dead & bug ; bird & dog ; mountain & climber ; bear & crawl ; dragon & flag ; toe & touch|bar ; v & up ; "
        "side & bend|bridge ; turkish & get ; leg|knee & raise|tuck|lift ; l & sit",
    ),
    # upper body: the words that turn a pull into a push (and back) first
    _r(
        "rear delt / reverse fly",
        "pull",
        "fly|raise|pecdeck|butterfly|delt & rear|reverse|bent",
        "leg",
        row="rear_delt_fly",
    ),
    _r(
        "straight-arm pulldown (lats)",
        "pull",
        "straight & arm & pushdown|pulldown|pull|pullover|push",
        row="straight_arm_pulldown",
    ),
    _r("triceps", "push", "tricep|skullcrusher ; press & jm|tate|french", row="triceps_extension"),
    _r("push-down", "push", "pushdown", row="triceps_pushdown"),
    _r("upright row", "pull", "row & upright", row="upright_row"),
    _r("face pull", "pull", "face & pull", row="face_pull"),
    _r("row", "pull", "row|rowing", row="seated_cable_row"),
    _r("pulldown / pull-up / chin-up", "pull", "pulldown|pullup|chinup", row="lat_pulldown"),
    _r("curl (elbow flexion)", "pull", "curl|bicep", "wrist|forearm|neck", row="biceps_curl"),
    _r("shrug", "pull", "shrug", row="shrug"),
    _r("pullover", "pull", "pullover", row="pullover"),
    _r("muscle-up / rope climb", "pull", "muscle & up ; rope & climb", row="muscle_up"),
    _r("band pull-apart", "pull", "pull & apart", row="band_pull_apart"),
    _r(
        "wrist / forearm / grip",
        "other",
        "wrist|forearm|gripper|neck ; grip & strength|trainer|crusher",
        row="wrist_curl",
    ),
    _r("dead hang", "other", "hang", row="dead_hang"),
    _r("push-up", "push", "pushup", row="push_up"),
    _r("dip", "push", "dip", row="dip"),
    _r("chest fly", "push", "fly|pecdeck|butterfly|crossover", row="chest_fly"),
    _r("shoulder raise", "push", "raise & lateral|side|front|shoulder|delt|lat|y|plate", row="lateral_raise"),
    _r("press", "push", "press|bench|chest|pec|push", row="bench_press"),
    _r("overhead / shoulder", "push", "overhead|shoulder|delt|military", row="overhead_press"),
    _r("lats", "pull", "lat|pull", row="lat_pulldown"),
)


# --------------------------------------------------------------------------------------------------------------


_PLACEHOLDER_WORDS = frozenset(
    {
        "strength",
        "session",
        "training",
        "workout",
        "exercise",
        "exercises",
        "recorded",
        "not",
        "gym",
        "weight",
        "lifting",
        "circuit",
        "class",
        "general",
        "upper",
        "lower",
        "body",
        "full",
        "day",
        "routine",
        "program",
        "unknown",
        "misc",
        "other",
        "custom",
        "conditioning",
        "crossfit",
        "wod",
        "set",
        "lift",
        "resistance",
    }
)
_LIMB_SINGLE = frozenset({"unilateral", "left", "right", "l", "r"})
#: Grip and attachment words: how the bar is held, not what moves.
GRIP_WORDS = frozenset(
    {
        "bar",
        "grip",
        "wide",
        "close",
        "narrow",
        "neutral",
        "rope",
        "handle",
        "two",
        "hand",
        "arm",
        "attachment",
        "ezbar",
        "vbar",
        "supinated",
        "pronated",
        "underhand",
        "overhand",
    }
)
# Set-ups and specialty bars gyms name: they change the load or the range, not which lift it is.
_SETUP_WORDS = frozenset(
    {
        "safety",
        "ssb",
        "cambered",
        "football",
        "swiss",
        "axle",
        "fat",
        "chain",
        "block",
        "pin",
        "deficit",
        "elevated",
        "platform",
        "box",
        "bench",
        "floor",
        "wall",
        "rack",
        "step",
        "strap",
        "belt",
        "harness",
        "sandbag",
        "slider",
        "ball",
        "bosu",
        "stability",
        "stance",
        "cm",
        "in",
        "kg",
        "lb",
        "lbs",
        "inch",
        "high",
        "low",
        "only",
        "from",
        "holding",
        "hold",
        "machine",
        "station",
        "partial",
        "full",
        "half",
        "quarter",
        "continuous",
        "interval",
    }
)


def words_of(name: str) -> frozenset[str]:
    """The name's words as the grammar reads them (see :func:`~trailstrength.exercises.normalise.split_name`)."""
    outside, inside = split_name(str(name))
    return frozenset(_GRAMMAR_SYNONYMS.get(t, t) for t in outside + inside)


def is_placeholder(name: str) -> bool:
    """True for a session placeholder rather than an exercise ("strength session (exercises not recorded)")."""
    words = words_of(name)
    return bool(words) and words <= (_PLACEHOLDER_WORDS | {w for w in words if w.isdigit()})


def _unilateral(words: frozenset[str], lower: bool) -> bool:
    if words & _LIMB_SINGLE and not (lower and words & {"arm", "hand"}):
        return True
    if "single" in words:
        return "leg" in words if lower else "leg" not in words
    return not lower and bool(words & {"alternating", "alternate"})


@dataclass(frozen=True)
class PatternMatch:
    """What the grammar says about one name."""

    rule: Rule
    pattern: str
    hinge_subtype: str | float
    posterior_chain_weight: float
    unilateral: bool
    knee_dominant: bool
    eccentric_emphasis: bool
    note: str


def first_rule(name: str) -> Rule | None:
    """The first rule of :data:`RULES` that fires for ``name``, or None (also for session placeholders)."""
    words = words_of(name)
    if not words or is_placeholder(name):
        return None
    return next((rule for rule in RULES if rule.fires(words)), None)


def unknown_words(name: str, vocabulary: frozenset[str] = frozenset()) -> list[str]:
    """Words of ``name`` that neither the grammar nor ``vocabulary`` (e.g. the alias words) know, sorted."""
    known = _grammar_words() | vocabulary
    return sorted(w for w in words_of(name) if w not in known and not w.isdigit())


@lru_cache(maxsize=1)
def _grammar_words() -> frozenset[str]:
    rules = {w for rule in RULES for alt in rule.alternatives for group in alt for w in group}
    rules |= {w for rule in RULES for w in rule.blockers}
    return (
        frozenset(rules)
        | NEUTRAL_WORDS
        | GRIP_WORDS
        | _SETUP_WORDS
        | _LIMB_SINGLE
        | {"single", "alternating", "eccentric", "tempo", "negative", "slow"}
    )


def classify_name(
    name: str, rows: Mapping[str, Mapping], vocabulary: frozenset[str] = frozenset()
) -> PatternMatch | None:
    """Apply the grammar to one raw name.

    Parameters
    ----------
    name : str
        A raw exercise name no alias matched (for a FIT ``category/subtype`` name, pass the subtype).
    rows : mapping
        The taxonomy's rows by ``exercise`` (package data, or merged with the user's overrides), each a mapping
        with ``pattern``, ``hinge_subtype``, ``posterior_chain_weight`` and the three flags, e.g.
        ``taxonomy.set_index("exercise").to_dict("index")``.
    vocabulary : frozenset of str
        Words the taxonomy's aliases use. A name with a word neither they nor the grammar know (``Romanain
        Deadlift``: a misspelt variant?) keeps the pattern and flags but gets no subtype and weight 0.

    Returns
    -------
    PatternMatch or None
        None when no rule fires. A rule that names a row gives that row's flags, and its subtype and weight (0-1)
        when every word of the name is known; otherwise weight 0 and no subtype. ``unilateral`` is also set when the name says one limb works at a time;
        ``eccentric_emphasis`` when it says ``eccentric``, ``tempo``, ``negative`` or ``slow``.
    """  # noqa: E501
    rule = first_rule(name)
    if rule is None:
        return None
    words = words_of(name)
    said_eccentric = bool(words & {"eccentric", "tempo", "negative", "slow"})
    unilateral = _unilateral(words, rule.lower)
    where = f"pattern from the name ({rule.label})"
    if rule.row is None or rule.row not in rows:
        note = f"{where}: posterior-chain weight 0, the exercise itself is not known"
        return PatternMatch(rule, rule.pattern, np.nan, 0.0, unilateral, False, said_eccentric, note)
    row = rows[rule.row]
    unknown = unknown_words(name, vocabulary)
    if unknown:
        subtype, weight = np.nan, 0.0
        note = f"{where}, flags as {rule.row}: posterior-chain weight 0, unknown word(s) {', '.join(unknown)}"
    else:
        subtype, weight = row["hinge_subtype"], float(row["posterior_chain_weight"])
        note = f"{where}: weighed as {rule.row}"
    return PatternMatch(
        rule,
        row["pattern"],
        subtype,
        weight,
        bool(row["unilateral"]) or unilateral,
        bool(row["knee_dominant"]),
        bool(row["eccentric_emphasis"]) or said_eccentric,
        note,
    )


def grammar_table() -> pd.DataFrame:
    """Every rule of the grammar, in the order tried: ``label``, ``pattern``, ``when``, ``unless``, ``row``."""
    return pd.DataFrame(
        [{"label": r.label, "pattern": r.pattern, "when": r.when, "unless": r.unless, "row": r.row} for r in RULES]
    )


#: Words that give a pattern on their own, whatever else the name says (a property the tests check).
MOVEMENT_WORDS: tuple[str, ...] = tuple(
    sorted(
        {
            w.strip()
            for rule in RULES
            for alt in rule.when.split(";")
            if "&" not in alt
            for w in alt.split("|")
            if w.strip() not in _PLACEHOLDER_WORDS and len(w.strip()) > 2
        }
    )
)
