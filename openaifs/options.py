"""Options are checked: an unknown storage option is an error that names the fix, never
ignored, and a misused argument of ``open`` fails before any request.

A user pointing at a proxy with ``endpoint_url=`` (the s3fs name) must not have their key
sent to the default service while the option is silently dropped.
"""

from __future__ import annotations

import difflib
import inspect
from typing import Any

#: Options fsspec itself, or the tools around it, pass to every filesystem.
PASSED_THROUGH = frozenset(
    {
        "skip_instance_cache",  # fsspec's instance cache
        "asynchronous",
        "loop",
        "max_paths",  # fsspec's DirCache
        "anon",  # pandas retries a PermissionError with anon=True (there is no anonymous access)
    }
)

#: What other fsspec backends and SDKs call the options we have.
OTHER_NAMES = {
    "endpoint_url": "base_url",
    "endpoint": "base_url",
    "url": "base_url",
    "api_base": "base_url",
    "token": "api_key",
    "key": "api_key",
    "secret": "api_key",
    "openai_api_key": "api_key",
    "organization_id": "organization",
    "org": "organization",
    "org_id": "organization",
    "project_id": "project",
    "timeout": "read_timeout (and connect_timeout)",
    "retries": "max_retries",
    "block_size": "part_size",
    "chunk_size": "part_size",
    "max_workers": "max_concurrency",
    "client_kwargs": "the options themselves (base_url=, api_key=, read_timeout=, …)",
    "cache_dir": "content_cache_dir",
}


def known_options(cls: type) -> list[str]:
    """The keyword options of ``cls``'s constructor."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    return [
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"
    ]


def check_options(cls: type, options: dict[str, Any]) -> None:
    """Raise :class:`TypeError` for any option ``cls`` does not know.

    Raises
    ------
    TypeError
        Naming the option, with the option meant ("did you mean") for a near miss or a
        name other backends use.
    """
    known = known_options(cls)
    for name in options:
        if name in PASSED_THROUGH:
            continue
        if name in OTHER_NAMES:
            hint = f"; openaifs calls it {OTHER_NAMES[name]}"
        else:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        raise TypeError(
            f"{cls.__name__} got an unknown option {name!r}{hint} "
            "(see docs/configuration.md for every option)"
        )


def check_open_arguments(
    mode: str,
    block_size: Any,
    cache_options: Any,
    size: Any,
    kwargs: dict[str, Any],
) -> None:
    """Refuse a misused argument of :meth:`OpenAIFileSystem.open` before any request."""
    allowed = {"r", "rb", "rt", "w", "wb", "wt", "x", "xb", "xt"}
    if mode not in allowed:
        hint = " (appending is impossible: a file's content never changes)" if "a" in mode else ""
        raise ValueError(
            f"mode {mode!r} is not supported{hint}: use one of 'rb', 'r', 'wb', 'w', 'xb', 'x'"
        )
    if block_size is not None and (
        isinstance(block_size, bool) or not isinstance(block_size, int) or block_size <= 0
    ):
        raise ValueError(f"block_size must be a positive number of bytes, not {block_size!r}")
    if cache_options is not None and not isinstance(cache_options, dict):
        raise TypeError(f"cache_options must be a dict, not {type(cache_options).__name__}")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ValueError(f"size must be a number of bytes >= 0, not {size!r}")
    cache_type = kwargs.get("cache_type")
    if cache_type is not None:
        from fsspec.caching import caches

        if cache_type not in caches:
            known = ", ".join(sorted(str(c) for c in caches))
            raise ValueError(f"cache_type {cache_type!r} is not one of fsspec's: {known}")
