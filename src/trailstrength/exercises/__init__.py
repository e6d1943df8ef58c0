"""Exercise taxonomy and name matching (DESIGN §7).

``taxonomy.csv`` (package data) holds one row per canonical exercise: its movement ``pattern``, hinge subtype,
``posterior_chain_weight`` in [0, 1], the ``unilateral`` / ``knee_dominant`` / ``eccentric_emphasis`` flags, the
Garmin FIT ``exercise_category`` / subtype names where one exists, the aliases apps write (Strong, Hevy, FitNotes,
FIT profile names, German, French and Spanish names) and a ``source_note`` for every weight.

Typical use::

    from trailstrength.exercises import annotate_sets, unmatched_report

    sets = annotate_sets(sets, name_column="exercise_raw", overrides="data/raw/exercise_overrides.csv")
    unmatched_report(sets)        # names without a taxonomy row, most sets first

Names no alias matches still get a movement pattern and the lower-body flags from a keyword grammar
(``match_method == "pattern"``, see :mod:`~trailstrength.exercises.grammar`).

A user ``exercise_overrides.csv`` (same columns, only ``exercise`` required) wins row by row over the package data
and may add exercises; see :func:`load_taxonomy`.

Modules: :mod:`~trailstrength.exercises.normalise` (name folding), :mod:`~trailstrength.exercises.taxonomy`
(package data and overrides), :mod:`~trailstrength.exercises.match` (the matching stages and annotation),
:mod:`~trailstrength.exercises.grammar` (the pattern grammar for names no row matches),
:mod:`~trailstrength.exercises.review` (unmatched names, hints, what an overrides edit re-classified).
"""

from trailstrength.exercises.grammar import (
    MOVEMENT_WORDS,
    RULES,
    classify_name,
    grammar_table,
    is_placeholder,
)
from trailstrength.exercises.match import (
    ANNOTATION_COLUMNS,
    MATCH_COLUMNS,
    MATCH_METHODS,
    annotate_by_folder,
    annotate_sets,
    match_exercises,
)
from trailstrength.exercises.normalise import normalise_name
from trailstrength.exercises.review import (
    closest_row,
    compare_with_labels,
    describe_reclassification,
    pattern_coverage,
    reclassification_summary,
    unmatched_report,
)
from trailstrength.exercises.taxonomy import (
    HINGE_SUBTYPES,
    LOWER_BODY_PATTERNS,
    OVERRIDES_FILENAME,
    PATTERNS,
    TAXONOMY_COLUMNS,
    load_taxonomy,
    overrides_for,
)

__all__ = [
    "ANNOTATION_COLUMNS",
    "HINGE_SUBTYPES",
    "LOWER_BODY_PATTERNS",
    "MATCH_COLUMNS",
    "MATCH_METHODS",
    "MOVEMENT_WORDS",
    "OVERRIDES_FILENAME",
    "PATTERNS",
    "RULES",
    "TAXONOMY_COLUMNS",
    "annotate_by_folder",
    "annotate_sets",
    "classify_name",
    "closest_row",
    "compare_with_labels",
    "describe_reclassification",
    "grammar_table",
    "is_placeholder",
    "load_taxonomy",
    "match_exercises",
    "normalise_name",
    "overrides_for",
    "pattern_coverage",
    "reclassification_summary",
    "unmatched_report",
]
