"""The parquet warehouse: build it from ``RAW/<athlete>/...`` incrementally, keep a manifest, read it back.

=================  ===========================================================================================
module             what it does
=================  ===========================================================================================
``storage``        table layout and paths, the one atomic writer, reading tables
``reader``         :class:`Warehouse` and :func:`open_warehouse` (optionally narrowed to athletes and dates)
``plan``           scan the raw folder, hash, diff against the manifest (new / changed / unchanged / removed)
``read_files``     one pure function per input file (read, clean, terrain), mapped over a process pool
``ingest``         the :func:`ingest` verb: plan → read → merge → duplicates → derive → commit
``dask``           the same ingest with the file reading on a Dask cluster (``trailstrength[scale]``)
=================  ===========================================================================================

See :mod:`trailstrength.warehouse.storage` for the layout on disk.
"""

from __future__ import annotations

from trailstrength.errors import WarehouseNotFound
from trailstrength.warehouse.ingest import IngestReport, ingest
from trailstrength.warehouse.plan import IGNORED_NAMES, scan_raw
from trailstrength.warehouse.read_files import FileResult, read_file
from trailstrength.warehouse.reader import Selection, Warehouse, open_warehouse
from trailstrength.warehouse.storage import PARTITION_COLUMN, PARTITIONED_TABLES, RECORD_TABLES, remove

__all__ = [
    "IGNORED_NAMES",
    "PARTITION_COLUMN",
    "PARTITIONED_TABLES",
    "RECORD_TABLES",
    "FileResult",
    "IngestReport",
    "Selection",
    "Warehouse",
    "WarehouseNotFound",
    "ingest",
    "open_warehouse",
    "read_file",
    "remove",
    "scan_raw",
]
