"""Sphinx configuration for the openaifs documentation."""

from __future__ import annotations

import openaifs

project = "openaifs"
author = "The openaifs developers"
copyright = "2026, The openaifs developers"
release = version = openaifs.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
# The fsspec base class's own docstrings use reST roles that resolve only in fsspec's docs.
autodoc_inherit_docstrings = False
nitpicky = False

intersphinx_mapping = {}

html_theme = "furo"
html_title = f"openaifs {release}"
