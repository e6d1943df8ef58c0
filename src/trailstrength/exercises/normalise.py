"""Exercise-name normalisation: the token key two spellings of one lift share.

Strength apps write the same lift a dozen ways (``Romanian Deadlift (Barbell)``, ``RDL``, ``romanian_deadlift``,
``Rumänisches Kreuzheben``). :func:`normalise_name` folds accents, case, punctuation, plurals, word order,
abbreviations (``DB``, ``RDL``, ``hex bar``...) and compounds (``pull-up`` = ``pullup``) into one sorted token key;
:func:`strict_variants` and :func:`relaxed_variant` say which words a name may drop to find its exercise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Tokens rewritten before compounds are joined (abbreviations, spelling variants, other-language equipment words).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "db": ("dumbbell",),
    "dumbell": ("dumbbell",),
    "bb": ("barbell",),
    "kb": ("kettlebell",),
    "rdl": ("romanian", "deadlift"),
    "sldl": ("stiff", "leg", "deadlift"),
    "ohp": ("overhead", "press"),
    "ghr": ("glute", "ham", "raise"),
    "bss": ("bulgarian", "split", "squat"),
    "rfess": ("rear", "foot", "elevated", "split", "squat"),
    "sl": ("single", "leg"),
    "one": ("single",),
    "legged": ("leg",),
    "hex": ("trap",),
    "flye": ("fly",),
    "ups": ("up",),
    "downs": ("down",),
    "calve": ("calf",),
    "abductor": ("abduction",),
    "adductor": ("adduction",),
    "hamstrings": ("hamstring",),
    "langhantel": ("barbell",),
    "kurzhantel": ("dumbbell",),
    "haltere": ("dumbbell",),
    "mancuerna": ("dumbbell",),
    "kabel": ("cable",),
    "kabelzug": ("cable",),
    "polea": ("cable",),
    "maschine": ("machine",),
    "maquina": ("machine",),
}
# Adjacent pairs written as one word, two words or hyphenated; joined so all spellings agree.
_COMPOUNDS: dict[tuple[str, str], str] = {
    ("pull", "up"): "pullup",
    ("push", "up"): "pushup",
    ("press", "up"): "pushup",
    ("chin", "up"): "chinup",
    ("sit", "up"): "situp",
    ("step", "up"): "stepup",
    ("step", "down"): "stepdown",
    ("pull", "down"): "pulldown",
    ("push", "down"): "pushdown",
    ("press", "down"): "pushdown",
    ("pull", "over"): "pullover",
    ("pull", "through"): "pullthrough",
    ("hyper", "extension"): "hyperextension",
    ("skull", "crusher"): "skullcrusher",
    ("kettle", "bell"): "kettlebell",
    ("dumb", "bell"): "dumbbell",
    ("bar", "bell"): "barbell",
    ("trap", "bar"): "trapbar",
    ("ez", "bar"): "ezbar",
    ("t", "bar"): "tbar",
    ("v", "bar"): "vbar",
    ("hammer", "strength"): "hammerstrength",
    ("life", "fitness"): "lifefitness",
    ("body", "weight"): "bodyweight",
    ("wood", "chop"): "woodchop",
    ("wood", "chopper"): "woodchop",
    ("pec", "deck"): "pecdeck",
}
_AFTER_COMPOUND: dict[str, str] = {
    "pressdown": "pushdown",
    "pushups": "pushup",
    "pullups": "pullup",
    "chinups": "chinup",
    "situps": "situp",
    "stepups": "stepup",
    "woodchopper": "woodchop",
}
_STOPWORDS = frozenset(
    {
        "with",
        "on",
        "the",
        "a",
        "an",
        "of",
        "to",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "el",
        "los",
        "las",
        "del",
        "al",
        "con",
        "en",
        "mit",
        "am",
        "auf",
        "der",
        "die",
        "das",
        "w",
    }
)
# Gym brands and equipment say how, not what, so a name may drop them to find its exercise (brands first).
_BRANDS = frozenset(
    {
        "technogym",
        "panatta",
        "cybex",
        "nautilus",
        "precor",
        "matrix",
        "hoist",
        "gym80",
        "hammerstrength",
        "lifefitness",
    }
)
_EQUIPMENT = _BRANDS | frozenset(
    {
        "barbell",
        "dumbbell",
        "kettlebell",
        "cable",
        "machine",
        "band",
        "banded",
        "bodyweight",
        "weighted",
        "smith",
        "plate",
        "loaded",
        "assisted",
        "ezbar",
        "lever",
        "trx",
        "suspension",
        "resistance",
    }
)
# Set-level words that do not change the exercise.
_MODIFIERS = frozenset(
    {
        "heavy",
        "light",
        "pause",
        "paused",
        "warmup",
        "backoff",
        "top",
        "amrap",
        "left",
        "right",
        "l",
        "r",
        "alternating",
        "alternate",
        "standard",
        "regular",
        "variation",
        "set",
        "sets",
        "rep",
        "reps",
        "x",
    }
)
#: Words that say how (equipment, brand, set modifier), never which movement.
NEUTRAL_WORDS = _EQUIPMENT | _MODIFIERS
# Word pairs close in spelling but opposite in meaning: fuzzy matching must never align them.
ANTONYMS = frozenset(
    {
        frozenset({"abduction", "adduction"}),
        frozenset({"pushup", "pullup"}),
        frozenset({"pushdown", "pulldown"}),
        frozenset({"flexion", "extension"}),
        frozenset({"incline", "decline"}),
        frozenset({"front", "back"}),
        frozenset({"lying", "seated"}),
        frozenset({"forward", "reverse"}),
    }
)
_BRACKETS_RE = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]?")
_SPLIT_RE = re.compile(r"[^a-z0-9]+")


def _singular(token: str) -> str:
    if len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "shes", "ches", "xes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _fold(text: str) -> str:
    """Casefold, strip accents and apostrophes (``Farmer's`` = ``Farmers``)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"['’`´]", "", text)


def _tokenise(text: str) -> list[str]:
    raw = [t for t in _SPLIT_RE.split(text) if t]
    words: list[str] = []
    for token in raw:
        words.extend(_SYNONYMS.get(_singular(token), (_singular(token),)))
    joined: list[str] = []
    i = 0
    while i < len(words):
        pair = (words[i], words[i + 1]) if i + 1 < len(words) else None
        if pair in _COMPOUNDS:
            joined.append(_COMPOUNDS[pair])
            i += 2
        else:
            joined.append(words[i])
            i += 1
    # dict.fromkeys drops repeats: "deadlift/romanian_deadlift" (FIT category/subtype) = "romanian deadlift"
    return list(dict.fromkeys(_AFTER_COMPOUND.get(t, t) for t in joined if t not in _STOPWORDS))


def split_name(name: str) -> tuple[list[str], list[str]]:
    """Tokens outside brackets and new tokens inside them (``Lunge (Dumbbell)`` -> ``[lunge]``, ``[dumbbell]``)."""
    folded = _fold(name)
    outside = _tokenise(_BRACKETS_RE.sub(" ", folded))
    inside = _tokenise(" ".join(_BRACKETS_RE.findall(folded)))
    return outside, [t for t in inside if t not in outside]


def token_key(tokens: Iterable[str]) -> str:
    return " ".join(sorted(tokens))


def normalise_name(name: str) -> str:
    """Return the order-free token key of an exercise name.

    Parameters
    ----------
    name : str
        Raw exercise name, e.g. ``"Romanian Deadlift (Barbell)"``.

    Returns
    -------
    str
        Sorted, space-separated tokens after folding accents and case, splitting on punctuation, singularising,
        expanding abbreviations and joining compounds, e.g. ``"barbell deadlift romanian"``. Equipment is kept
        (bracketed equipment becomes an ordinary token), so two aliases differing only in equipment stay distinct.

    Examples
    --------
    >>> normalise_name("Rumänisches Kreuzheben") == normalise_name("rumanisches   kreuzheben")
    True
    >>> normalise_name("Pull-Ups (Band)")
    'band pullup'
    """
    outside, inside = split_name(str(name))
    return token_key(outside + inside)


def strict_variants(outside: list[str], inside: list[str]) -> list[list[str]]:
    full = outside + inside
    # set modifiers never change the exercise, equipment sometimes does (kettlebell RDL has its own row): drop
    # brands, then modifiers, and equipment last
    no_brand = [t for t in full if t not in _BRANDS]
    no_modifiers = [t for t in no_brand if t not in _MODIFIERS and not t.isdigit()]
    no_equipment = [t for t in no_modifiers if t not in _EQUIPMENT]
    variants: list[list[str]] = []
    for tokens in (full, no_brand, no_modifiers, no_equipment):
        if tokens and tokens not in variants:
            variants.append(tokens)
    return variants


def relaxed_variant(outside: list[str], inside: list[str], vocab: frozenset[str]) -> list[str] | None:
    """Drop words the taxonomy has never seen; allowed when only bracketed words go or two words remain."""
    strip = _EQUIPMENT | _MODIFIERS
    out = [t for t in outside if t not in strip and not t.isdigit()]
    ins = [t for t in inside if t not in strip and not t.isdigit()]
    kept_out = [t for t in out if t in vocab]
    kept = kept_out + [t for t in ins if t in vocab]
    if not kept or kept == out + ins:
        return None
    if len(kept_out) == len(out) or len(kept) >= 2:
        return kept
    return None
