"""openaifs: the OpenAI file store as an fsspec file system.

>>> import fsspec
>>> fs = fsspec.filesystem("openai")          # doctest: +SKIP
>>> fs.ls("openai://batch")                    # doctest: +SKIP
"""

from __future__ import annotations

from openaifs.core import OpenAIFileSystem
from openaifs.version import __version__

__all__ = ["OpenAIFileSystem", "__version__"]
