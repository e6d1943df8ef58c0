"""What the fork server of the reader pool imports: :mod:`~trailstrength.warehouse.read_files`, warmed.

Every reader process is forked from the fork server, so whatever it has loaded and built the workers start with.
Importing this module also builds the pandera schemas of every table and loads the parquet writer, which a
process otherwise does on its first file (1.6 of 2.3 s of a first :func:`read_file` under load, against 0.7 s for
the next; issue 18).
"""

from __future__ import annotations

import pyarrow.parquet  # noqa: F401  (pandas loads it on the first to_parquet)

from trailstrength import schemas
from trailstrength.warehouse import read_files  # noqa: F401  (the module the workers run)

for _model in schemas.TABLES.values():
    _model.to_schema()  # built once here, shared by every worker forked from this process
