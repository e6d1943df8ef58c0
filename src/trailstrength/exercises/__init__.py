"""Exercise taxonomy and name matching (DESIGN §7).

``taxonomy.csv`` (package data) holds one row per canonical exercise: its movement ``pattern``, hinge subtype,
``posterior_chain_weight`` in [0, 1], the ``unilateral`` / ``knee_dominant`` / ``eccentric_emphasis`` flags, the
Garmin FIT ``exercise_category`` / subtype names where one exists, the aliases apps write (Strong, Hevy, FitNotes,
FIT profile names, German, French and Spanish names) and a ``source_note`` for every weight.

Typical use::

    from trailstrength.exercises import annotate_sets, unmatched_report

    sets = annotate_sets(sets, name_column="exercise_raw", overrides="data/raw/exercise_overrides.csv")
    unmatched_report(sets)        # names to add to the overrides file, most sets first

A user ``exercise_overrides.csv`` (same columns, only ``exercise`` required) wins row by row over the package data
and may add exercises; see :func:`load_taxonomy`.

Modules: :mod:`~trailstrength.exercises.normalise` (name folding), :mod:`~trailstrength.exercises.taxonomy`
(package data and overrides), :mod:`~trailstrength.exercises.match` (the matching stages and annotation).
"""

from trailstrength.exercises.match import (
    ANNOTATION_COLUMNS,
    MATCH_COLUMNS,
    MATCH_METHODS,
    annotate_by_folder,
    annotate_sets,
    match_exercises,
    unmatched_report,
)
from trailstrength.exercises.normalise import normalise_name
from trailstrength.exercises.taxonomy import (
    HINGE_SUBTYPES,
    OVERRIDES_FILENAME,
    PATTERNS,
    TAXONOMY_COLUMNS,
    load_taxonomy,
    overrides_for,
)

__all__ = [
    "ANNOTATION_COLUMNS",
    "HINGE_SUBTYPES",
    "MATCH_COLUMNS",
    "MATCH_METHODS",
    "OVERRIDES_FILENAME",
    "PATTERNS",
    "TAXONOMY_COLUMNS",
    "annotate_by_folder",
    "annotate_sets",
    "load_taxonomy",
    "match_exercises",
    "normalise_name",
    "overrides_for",
    "unmatched_report",
]
