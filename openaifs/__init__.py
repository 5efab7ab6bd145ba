"""openaifs: the OpenAI file store as an fsspec file system."""

from __future__ import annotations

__version__ = "0.1.0"
