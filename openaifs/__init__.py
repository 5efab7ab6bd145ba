"""openaifs: the OpenAI file store as an fsspec file system.

>>> import fsspec
>>> fs = fsspec.filesystem("openai")          # doctest: +SKIP
>>> fs.ls("openai://batch")                    # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from openaifs.core import OpenAIFileSystem

__all__ = ["OpenAIFileSystem", "__version__"]
