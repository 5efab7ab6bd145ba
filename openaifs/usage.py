"""The project's storage against its limits: what ``openaifs du openai://`` reports.

Every file counts, older files of a name included (they all take space). The service allows
a project :data:`~openaifs.limits.PROJECT_STORAGE_LIMIT` bytes (2.5 TB) in all; past
:data:`WARN_FRACTION` of it a warning says so, before writes start to fail.
"""

from __future__ import annotations

from typing import Any

from openaifs import age
from openaifs.limits import (
    MAX_BATCH_SIZE,
    MAX_FILE_SIZE,
    MAX_PART_SIZE,
    MAX_UPLOAD_SIZE,
    PROJECT_STORAGE_LIMIT,
)

#: Above this share of the project limit, ``du`` warns.
WARN_FRACTION = 0.8


def limits(project_limit: int = PROJECT_STORAGE_LIMIT) -> dict[str, int]:
    """The service's size limits, in bytes, by name."""
    return {
        "project_storage": project_limit,
        "file": MAX_FILE_SIZE,
        "batch_file": MAX_BATCH_SIZE,
        "upload": MAX_UPLOAD_SIZE,
        "upload_part": MAX_PART_SIZE,
    }


def storage_usage(
    fs: Any, project_limit: int = PROJECT_STORAGE_LIMIT, older_than: Any = None
) -> dict[str, Any]:
    """The project's total and per-purpose usage against ``project_limit``.

    ``older_than`` (a duration, see :mod:`openaifs.age`) counts only the files created longer
    ago: what ``rm --older-than`` would free.

    Returns
    -------
    dict
        ``size`` and ``files`` (the total), ``purposes`` (``{purpose: {"size", "files"}}``,
        only purposes holding files), ``limit``, ``used`` (the share of ``limit``, 0..1+) and
        ``warning`` (a sentence above :data:`WARN_FRACTION`, else ``None``).
    """
    listing = fs.catalog.listing(refresh=True)
    purposes = {}
    for purpose in sorted(listing.purposes()):
        files = listing.all_versions(purpose)
        if older_than is not None:
            files = age.older_than(files, older_than, listing.seen_until)
        if files:
            purposes[purpose] = {"size": sum(f["bytes"] for f in files), "files": len(files)}
    total = sum(p["size"] for p in purposes.values())
    used = total / project_limit if project_limit > 0 else 0.0
    warning = None
    if used > WARN_FRACTION:
        warning = (
            f"the project uses {used:.0%} of its {project_limit} byte storage limit; "
            "delete old files (openaifs rm --older-than) before writes start to fail"
        )
    return {
        "size": total,
        "files": sum(p["files"] for p in purposes.values()),
        "purposes": purposes,
        "limit": project_limit,
        "used": used,
        "warning": warning,
    }
