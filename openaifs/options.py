"""Storage options are checked: an unknown one is an error that names the fix, never ignored.

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
    "endpoint": "base_url (azure_endpoint for Azure OpenAI)",
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
    # The names Azure OpenAI users bring from other clients and the SDK's variables.
    "azure_openai_endpoint": "azure_endpoint",
    "azure_api_version": "api_version",
    "openai_api_version": "api_version",
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
        if name in PASSED_THROUGH or name in known:
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


def refuse_filesystem_options(cls: type, method: str, kwargs: dict[str, Any]) -> None:
    """Raise :class:`TypeError` if a call got one of the filesystem's own options.

    Write methods take fsspec's extra keywords and ignore them, so
    ``fs.put_file(a, b, checksum=False)`` used to do nothing at all; such options belong
    to the filesystem, which says so here.
    """
    misplaced = sorted(set(kwargs) & set(known_options(cls)) - PASSED_THROUGH)
    if misplaced:
        name = misplaced[0]
        raise TypeError(
            f"{method}() got {name!r}, an option of the filesystem, not of one call: "
            f"OpenAIFileSystem({name}=...), or fsspec.filesystem('openai', {name}=...)"
        )
