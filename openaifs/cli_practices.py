"""The command line's best-practice parts: ``merge``, ``uploads``, ``--older-than`` (on ``ls``,
``du``, ``rm``), ``rm --dry-run``, and ``du`` with the project's storage against its limit.

Kept apart from :mod:`openaifs.cli`, which registers these through :func:`add_commands` and the
``*_options`` functions; the work itself is the library's (:mod:`openaifs.age`,
:mod:`openaifs.usage`, :mod:`openaifs.merge`, :mod:`openaifs.resume`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from openaifs import cli as base
from openaifs.age import newest_seen, older_than, parse_duration
from openaifs.resume import journal_dir
from openaifs.usage import PROJECT_STORAGE_LIMIT, limits, storage_usage

# -- ages ---------------------------------------------------------------------------------


def duration(text: str) -> float:
    """``--older-than``'s value: ``30d``, ``12h``, ``90s``... (bad usage otherwise)."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def older(fs: Any, entries: list[dict[str, Any]], seconds: float) -> list[dict[str, Any]]:
    """The files among ``entries`` older than ``seconds`` (the library's own rule)."""
    return older_than(entries, seconds, newest_seen(fs))


def rm_dry_run(fs: Any, args: argparse.Namespace, options: dict[str, Any]) -> int:
    """``rm --dry-run``: list what would go, delete nothing."""
    going = fs.rm(list(args.paths), confirm=True, dry_run=True, **options)
    if args.json:
        base._print_json(going)
    else:
        base._print_table(going, args, by_id=True)
        size = base._human(sum(f["size"] for f in going))
        print(f"openaifs: would delete {len(going)} files ({size})", file=sys.stderr)
    return base.EXIT_OK


# -- du: the project against its limit --------------------------------------------------------


def project_usage(fs: Any, older_seconds: float | None, limit: int | None) -> dict[str, Any]:
    return storage_usage(fs, limit or PROJECT_STORAGE_LIMIT, older_seconds)


def report_project(
    project: dict[str, Any] | None, args: argparse.Namespace, report: dict[str, Any] | None
) -> None:
    """Add the limits to ``du --json``'s ``report``, or print the root's share line; warn."""
    whole = project is not None and args.older_than is None
    if whole and project["warning"]:
        print(f"openaifs: warning: {project['warning']}", file=sys.stderr)
    if report is not None:
        report["limits"] = limits(args.project_limit or PROJECT_STORAGE_LIMIT)
        if project is not None:
            report["project"] = {k: project[k] for k in ("limit", "used", "warning")}
    elif whole and not args.summarize:
        print(
            f"{base._size(project['size'], args)} of the project's "
            f"{base._size(project['limit'], args)} storage limit ({project['used']:.1%})"
        )


def usage_rows(
    fs: Any, path: str, age_seconds: float | None = None, project: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What ``du`` shows for ``path``: one row per child, and the row of ``path`` itself.

    Every file counts, older files of a name included: they all take space in the store.
    ``age_seconds``: only files older than that. ``project``: the root's usage, if
    already measured.
    """
    resolved = base._resolve(path)
    shown = base._shown(path)

    def versions(where: str, **options: Any) -> list[dict[str, Any]]:
        files = fs.ls(where, detail=True, versions=True, **options)
        return files if age_seconds is None else older(fs, files, age_seconds)

    def total(name: str, files: list[dict[str, Any]]) -> dict[str, Any]:
        return {"name": name, "size": sum(f["size"] for f in files), "files": len(files)}

    if resolved.is_root:
        usage = project or project_usage(fs, age_seconds, None)
        rows = [{"name": base.PREFIX + p, **row} for p, row in usage["purposes"].items()]
        return rows, {"name": shown, "size": usage["size"], "files": usage["files"]}
    if resolved.is_purpose or (not resolved.is_file_id and fs.isdir(path)):
        # One row per child: a file (all its versions) or a folder (everything below it).
        prefix = f"{resolved.filename}/" if resolved.filename else ""
        by_child: dict[str, list[dict[str, Any]]] = {}
        for f in versions(path, refresh=True):
            name = base._local_name(f)
            if name.startswith(prefix) and name != f["id"]:
                child = prefix + name[len(prefix) :].split("/")[0]
                if "/" in name[len(prefix) :]:
                    child += "/"
            else:
                child = name  # the name that is both this folder and a file, or an id
            by_child.setdefault(f"{base.PREFIX}{f['purpose']}/{child}", []).append(f)
        rows = [total(name, files) for name, files in sorted(by_child.items())]
        everything = [f for files in by_child.values() for f in files]
        return rows, total(shown, everything)
    return [], total(shown, versions(path, refresh=True))


def cmd_du(args: argparse.Namespace) -> int:
    fs = base._filesystem(args)
    path = args.path or base.PREFIX
    project = None
    if base._resolve(path).is_root:
        project = project_usage(fs, args.older_than, args.project_limit)
    rows, summary = usage_rows(fs, path, args.older_than, project)
    if args.json:
        report = {**summary, **({} if args.summarize else {"entries": rows})}
        report_project(project, args, report)
        base._print_json(report)
        return base.EXIT_OK
    for row in [*([] if args.summarize else rows), summary]:
        print(f"{base._size(row['size'], args)}\t{row['name']}")
    report_project(project, args, None)
    return base.EXIT_OK


# -- merge, uploads -------------------------------------------------------------------------


def cmd_merge(args: argparse.Namespace) -> int:
    """One file from several sources, in order (local parts go up straight from their files)."""
    if not base._remote(args.dest):
        raise base.UsageError(f"{args.dest}: the destination of merge must be an openai:// file")
    fs = base._filesystem(args)
    options = {"overwrite": args.overwrite, "expires_after": args.expires_after}
    info = fs.merge(args.dest, args.sources, **options)
    if args.json:
        base._print_json(info)
    else:
        print(f"{len(args.sources)} sources -> {base._shown(args.dest)}  ({info['id']})")
    return base.EXIT_OK


def cmd_uploads(args: argparse.Namespace) -> int:
    """List (or, with ``--clear``, cancel and forget) the uploads a rerun would resume."""
    fs = base._filesystem(args)
    pending = fs.pending_uploads()
    rows = [
        {
            "upload_id": j.upload_id,
            "target": j.target,
            "local_path": j.local_path,
            "size": j.size,
            "sent": j.bytes_accepted,
            "parts": f"{len(j.parts)}/{j.part_count}",
            "expires_at": j.expires_at,
            "expired": j.expired(),
            "endpoint": j.endpoint,
            "journal": j.file,
        }
        for j in pending
    ]
    if args.clear:
        fs.clear_pending_uploads()
    if args.json:
        base._print_json(rows)
        return base.EXIT_OK
    for row in rows:
        state = "expired" if row["expired"] else f"until {base._when(row['expires_at'])}"
        sent = f"{base._size(row['sent'], args)}/{base._size(row['size'], args)}"
        print(f"{row['parts']} parts\t{sent}\t{state}\t{row['local_path']} -> {row['target']}")
    if args.clear:
        print(f"openaifs: cleared {len(rows)} pending upload(s)", file=sys.stderr)
    elif not rows:
        print(f"openaifs: no pending uploads in {journal_dir()}", file=sys.stderr)
    return base.EXIT_OK


# -- the parser -----------------------------------------------------------------------------


def older_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--older-than",
        type=duration,
        metavar="AGE",
        help="only files created longer ago than AGE: 30d, 12h, 15m, 90s, 2w, 1d12h",
    )


def rm_options(p: argparse.ArgumentParser) -> None:
    older_option(p)
    p.add_argument(
        "--dry-run", action="store_true", help="delete nothing; list the files that would go"
    )


def du_options(p: argparse.ArgumentParser) -> None:
    older_option(p)
    p.add_argument(
        "--project-limit",
        type=int,
        metavar="BYTES",
        help="the project's storage limit, if not the service's 2.5 TB",
    )


def add_commands(command: Callable[..., Any], as_json: Any, human: Any) -> None:
    """Register ``merge`` and ``uploads`` (``command`` as in :func:`openaifs.cli.build_parser`)."""
    p = command("merge", cmd_merge, "write one openai:// file from several sources", as_json)
    p.add_argument("dest", metavar="DEST", help="openai://<purpose>/<filename>")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="local files and openai:// files")
    p.add_argument("--overwrite", choices=("replace", "keep", "error"), help="as for cp")
    p.add_argument("--expires-after", type=int, metavar="SECONDS", help="the file expires")
    p = command(
        "uploads",
        cmd_uploads,
        "interrupted uploads that the same put resumes (journals in $XDG_CACHE_HOME/openaifs)",
        as_json,
        human,
    )
    p.add_argument("--clear", action="store_true", help="cancel them and remove their journals")
