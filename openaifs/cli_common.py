"""What every command of the command line shares: exit codes, paths as typed, the
filesystem from the environment, and how sizes, times and tables print."""

from __future__ import annotations

import argparse
import datetime
import json
from typing import Any

PREFIX = "openai://"


EXIT_OK = 0


class UsageError(Exception):
    """The command line asks for something that makes no sense (exit code 2)."""


def _filesystem(args: argparse.Namespace) -> Any:
    from openaifs.core import OpenAIFileSystem

    fs = OpenAIFileSystem(base_url=args.base_url, skip_instance_cache=True)
    if not fs.catalog.has_key:
        # The library's own message suggests api_key=, which is Python, not shell.
        raise PermissionError(
            "no API key: set the OPENAI_API_KEY environment variable "
            "(export OPENAI_API_KEY=sk-...), or AZURE_OPENAI_API_KEY with "
            "AZURE_OPENAI_ENDPOINT for Azure; the command line reads keys only from there"
        )
    return fs


def _remote(path: str) -> bool:
    return path.startswith(PREFIX)


def _resolve(path: str) -> Any:
    from openaifs.paths import parse_path

    return parse_path(path)


def _shown(path: str) -> str:
    """``path`` as the user would type it: with the protocol."""
    return PREFIX + _resolve(path).unresolve()


def _human(n: float) -> str:
    """``n`` bytes in decimal units (kB = 1000 B), as the progress bars and the service's own
    limits ("512 MB") count them."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _size(n: int, args: argparse.Namespace) -> str:
    return _human(n) if getattr(args, "human", False) else str(n)


def _when(ts: int | None) -> str:
    if ts is None:
        return "-"
    moment = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def _local_name(entry: dict[str, Any]) -> str:
    """The path a file goes by below its purpose: its filename, or its id if the filename
    cannot be a path."""
    from openaifs.paths import is_valid_filename

    filename = entry.get("filename") or ""
    return filename if is_valid_filename(filename) else entry["id"]


def _print_table(rows: list[dict[str, Any]], args: argparse.Namespace, *, by_id: bool) -> None:
    """Long listing: size, created (UTC), id, purpose, name; columns aligned."""
    table = []
    for e in rows:
        if e["type"] == "directory":
            table.append(("-", "-", "-", e["name"].split("/")[0], e["name"] + "/"))
            continue
        name = f"{e['purpose']}/{_local_name(e)}" if by_id else e["name"]
        table.append((_size(e["size"], args), _when(e["created_at"]), e["id"], e["purpose"], name))
    if not table:
        return
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        cells = [row[0].rjust(widths[0])] + [
            c.ljust(w) for c, w in zip(row[1:4], widths[1:], strict=True)
        ]
        print("  ".join([*cells, row[4]]))
