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

import importlib
import sys
import types
from typing import TYPE_CHECKING

from trailstrength.errors import WarehouseNotFound

if TYPE_CHECKING:  # what the names below are, for type checkers and editors (at run time: on first use)
    from trailstrength.warehouse.ingest import IngestReport, ingest
    from trailstrength.warehouse.plan import IGNORED_NAMES, scan_raw
    from trailstrength.warehouse.read_files import FileResult, read_file
    from trailstrength.warehouse.reader import Selection, Warehouse, open_warehouse
    from trailstrength.warehouse.storage import PARTITION_COLUMN, PARTITIONED_TABLES, RECORD_TABLES, remove

#: the verbs and names this package re-exports, by the submodule that defines them: imported on first use, so
#: ``import trailstrength.warehouse`` costs no pandas, pandera or pyarrow until one is used (issue 18)
_LAZY = {
    "IngestReport": "ingest",
    "ingest": "ingest",
    "IGNORED_NAMES": "plan",
    "scan_raw": "plan",
    "FileResult": "read_files",
    "read_file": "read_files",
    "Selection": "reader",
    "Warehouse": "reader",
    "open_warehouse": "reader",
    "PARTITION_COLUMN": "storage",
    "PARTITIONED_TABLES": "storage",
    "RECORD_TABLES": "storage",
    "remove": "storage",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(types.ModuleType):
    """This package, where the name ``ingest`` stays the verb once the submodule of that name is imported.

    Importing ``trailstrength.warehouse.ingest`` (the module) sets the package attribute ``ingest`` to the
    module; the verb of the same name must win, as it did when this file imported it eagerly.
    """

    def __setattr__(self, name: str, value) -> None:
        if name == "ingest" and isinstance(value, types.ModuleType):
            value = value.ingest
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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


def __dir__() -> list[str]:
    return sorted(__all__)
