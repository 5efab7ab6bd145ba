"""The version of openaifs, in a module of its own so that any module can read it without
importing the package (whose ``__init__`` imports the filesystem, and so almost all)."""

__version__ = "0.1.0"
