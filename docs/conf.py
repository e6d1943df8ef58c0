"""Sphinx configuration for the trailstrength API reference (``make docs``; warnings are errors)."""

from __future__ import annotations

import trailstrength

project = "trailstrength"
author = "trailstrength developers"
release = version = trailstrength.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",  # numpydoc-style sections (Parameters, Returns, Notes, Examples)
    "sphinx.ext.viewcode",
]
autosummary_generate = True
autosummary_imported_members = False
# a package __init__ re-exports names from its modules; document each object once, where it is defined
autodoc_default_options = {
    "members": True,
    "undoc-members": False,
    "show-inheritance": True,
    "ignore-module-all": True,
    "exclude-members": "Config",
}  # pandera models' Config is not API
autodoc_typehints = "none"  # the numpydoc Parameters section carries the types and units
autodoc_mock_imports = ["dask", "distributed"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True  # dataclass fields listed under Attributes are not described twice
# re-exported names (trailstrength.Warehouse and trailstrength.warehouse.Warehouse) make type references
# ambiguous; both targets are the same object
suppress_warnings = ["autosummary.import_cycle", "ref.python"]
exclude_patterns = ["_build", "_generated_gallery"]
html_theme = "alabaster"
html_static_path: list[str] = []
