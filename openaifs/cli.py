"""The ``openaifs`` command line: ``ls``, ``versions``, ``info``, ``cat``, ``cp``/``put``/``get``,
``merge``, ``rm``, ``du``, ``uploads``, ``serve`` and ``demo``.

The API key comes from ``$OPENAI_API_KEY`` only: a key given as a flag would be kept in shell
history and shown to every user by ``ps``. The service address is ``--base-url`` (before or
after the command) or ``$OPENAI_BASE_URL``.

Exit codes: 0 success, 1 the operation failed, 2 bad usage, 130 interrupted. An error is one
line on stderr, ``openaifs: <Type>: <message>``, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from fsspec.callbacks import Callback

from openaifs.errors import builtin_name
from openaifs.progress import TransferBar

PREFIX = "openai://"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Files transferred at once by ``cp``/``put``/``get`` of many files.
TRANSFER_WORKERS = 4


class UsageError(Exception):
    """The command line asks for something that makes no sense (exit code 2)."""


# -- helpers ------------------------------------------------------------------------------


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


# -- listings -----------------------------------------------------------------------------


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


def cmd_ls(args: argparse.Namespace) -> int:
    from openaifs.paths import has_magic

    fs = _filesystem(args)
    path = args.path or PREFIX
    if has_magic(path):
        entries = sorted(fs.glob(path, detail=True).values(), key=lambda e: e["name"])
        if not entries:
            raise FileNotFoundError(f"{path}: nothing matches")
    elif _resolve(path).is_file_id or (_resolve(path).filename is not None and not fs.isdir(path)):
        entries = [fs.info(path, refresh=True)]
    else:
        entries = fs.ls(path, detail=True, refresh=True)
    if args.older_than is not None:
        from openaifs.cli_practices import older

        entries = older(fs, entries, args.older_than)
    if args.json:
        _print_json(entries)
    elif args.long:
        _print_table(entries, args, by_id=False)
    else:
        for e in entries:
            print(e["name"] + ("/" if e["type"] == "directory" else ""))
    return EXIT_OK


def cmd_versions(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    if _resolve(args.path).is_root:
        raise UsageError("versions needs a purpose, a file path or a file id, not openai://")
    entries = fs.ls(args.path, detail=True, refresh=True, versions=True)
    if args.json:
        _print_json(entries)
    else:
        _print_table(entries, args, by_id=True)
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    info = fs.info(args.path, refresh=True)
    if args.json:
        _print_json(info)
        return EXIT_OK
    for key, value in info.items():
        if key in ("created_at", "expires_at") and value is not None:
            value = f"{value} ({_when(value)} UTC)"
        print(f"{key:>10}: {'-' if value is None else value}")
    return EXIT_OK


def cmd_cat(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    out = sys.stdout.buffer
    sys.stdout.flush()
    for path in args.paths:
        fs.get_file(path, None, outfile=out)
    out.flush()
    return EXIT_OK


# -- rm -----------------------------------------------------------------------------------


def _confirm(question: str) -> bool:
    """Ask on the terminal; only an explicit yes counts."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        print(file=sys.stderr)  # end of input: leave the terminal on a new line
    return answer.strip().lower() in ("y", "yes")


def cmd_rm(args: argparse.Namespace) -> int:
    from openaifs.cli_practices import rm_dry_run, usage_rows

    fs = _filesystem(args)
    whole = [p for p in args.paths if _resolve(p).is_root or _resolve(p).is_purpose]
    if whole and not args.recursive:
        raise IsADirectoryError(
            f"{_shown(whole[0])}: is a purpose; use -r to delete every file in it"
        )
    options = {"recursive": args.recursive, "older_than": args.older_than}
    if args.dry_run:
        return rm_dry_run(fs, args, options)
    # An age filter is the deliberate selection; only an unfiltered purpose-wide delete asks.
    if whole and not args.yes and args.older_than is None:
        if not sys.stdin.isatty():
            raise UsageError(
                f"deleting every file in {_shown(whole[0])} needs --yes "
                "(stdin is not a terminal to confirm on)"
            )
        counted: list[str] = []
        for path in whole:
            _, summary = usage_rows(fs, path)
            counted.append(
                f"{summary['files']} files ({_human(summary['size'])}) in {_shown(path)}"
            )
        if not _confirm(f"Delete {'; '.join(counted)}?"):
            print("openaifs: nothing deleted", file=sys.stderr)
            return EXIT_FAILED
    if not args.recursive:
        for path in args.paths:
            resolved = _resolve(path)
            if resolved.filename and fs.isdir(path) and not fs.isfile(path):
                raise IsADirectoryError(f"{_shown(path)}: is a folder; use -r to delete its files")
    fs.rm(list(args.paths), confirm=bool(whole), **options)
    return EXIT_OK


# -- cp, put, get -------------------------------------------------------------------------


def _progress_wanted(args: argparse.Namespace) -> bool:
    # By default only for a person at a terminal: output piped or redirected means a
    # script, whose logs a bar would fill.
    interactive = sys.stderr.isatty() and sys.stdout.isatty()
    wanted = args.progress if args.progress is not None else interactive
    if not wanted:
        return False
    try:
        import tqdm  # noqa: F401
    except ImportError:
        if args.progress:
            print(
                "openaifs: progress bars need tqdm: pip install 'openaifs[cli]'",
                file=sys.stderr,
            )
        return False
    return True


def _check_source(fs: Any, source: str, from_remote: bool, recursive: bool) -> None:
    """Refuse a source the command cannot copy as asked, before anything moves."""
    from openaifs.paths import has_magic

    if from_remote:
        resolved = _resolve(source)
        if resolved.is_root:
            raise UsageError(f"{source}: copy from one purpose (openai://<purpose>), not the root")
        if not recursive and not has_magic(source) and fs.isdir(source):
            raise IsADirectoryError(f"{_shown(source)}: is a folder; use -r to copy its files")
        return
    if os.path.isdir(source):
        if not recursive:
            raise IsADirectoryError(f"{source}: is a directory; use -r to copy its files")
    elif not os.path.exists(source) and not has_magic(source):
        raise FileNotFoundError(f"{source}: no such file or directory")


def _plan(fs: Any, args: argparse.Namespace) -> list[tuple[str, str, int]]:
    """Which file goes where, by fsspec's rules (a trailing "/" on a source copies what it
    holds; without one, into an existing folder, the source's own name is kept), as
    (source, destination, size); checks the direction the command allows."""
    from openaifs import transfer

    sources, dest = list(args.sources), args.dest
    remote = {_remote(s) for s in sources}
    if len(remote) > 1:
        raise UsageError("sources must be all local paths or all openai:// paths")
    from_remote, to_remote = remote.pop(), _remote(dest)
    if args.command == "put" and (from_remote or not to_remote):
        raise UsageError("put uploads: SOURCE... are local paths, DEST an openai:// path")
    if args.command == "get" and (not from_remote or to_remote):
        raise UsageError("get downloads: SOURCE... are openai:// paths, DEST a local path")
    if not from_remote and not to_remote:
        raise UsageError("one side of a copy must be an openai:// path")
    if to_remote:
        target = _resolve(dest)
        if target.is_root or target.is_file_id:
            raise UsageError(f"{dest}: copy to a purpose, a folder or openai://<purpose>/<name>")
    if len(sources) > 1 and not dest.endswith(("/", os.sep)):
        dest += "/"  # several sources: DEST is a folder, as with cp
    direction = "copy" if from_remote and to_remote else "get" if from_remote else "put"
    items: list[tuple[str, str, int]] = []
    for source in sources:
        _check_source(fs, source, from_remote, args.recursive)
        for src, dst in transfer.plan(fs, source, dest, args.recursive, None, direction=direction):
            size = fs.info(src)["size"] if from_remote else os.path.getsize(src)
            src = PREFIX + src if from_remote else src
            dst = PREFIX + dst if to_remote else dst
            items.append((src, dst, size))
    seen: dict[str, str] = {}
    for src, dst, _ in items:
        if dst in seen:
            raise UsageError(f"{seen[dst]} and {src} would both be copied to {dst}")
        seen[dst] = src
    return items


def _as_typed(path: str, typed: list[str]) -> str:
    """A local path as the user would type it: relative to the current folder when they
    typed relative paths (the plan makes every local path absolute)."""
    if _remote(path) or all(os.path.isabs(t) or _remote(t) for t in typed):
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def _transfer_one(
    fs: Any,
    source: str,
    dest: str,
    size: int,
    callback: Callback,
    options: dict[str, Any],
    resume: bool = True,
) -> dict[str, Any]:
    """Copy one file; return what the JSON report says of it."""
    if _remote(source) and _remote(dest):
        fs.cp_file(source, dest, callback=callback, **options)
    elif _remote(dest):
        fs.put_file(source, dest, callback=callback, resume=resume, **options)
    else:
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        fs.get_file(source, dest, callback=callback)
    report = {"source": source, "destination": dest, "size": size}
    if _remote(dest):
        report["id"] = fs.info(dest)["id"]
    return report


def cmd_cp(args: argparse.Namespace) -> int:
    from fsspec.callbacks import DEFAULT_CALLBACK

    from openaifs.transfer import run_each

    fs = _filesystem(args)
    options: dict[str, Any] = {}
    if args.overwrite:
        options["overwrite"] = args.overwrite
    if args.expires_after is not None:
        from openaifs.limits import MAX_EXPIRES_AFTER, MIN_EXPIRES_AFTER

        if not MIN_EXPIRES_AFTER <= args.expires_after <= MAX_EXPIRES_AFTER:
            raise UsageError(
                f"--expires-after must be between {MIN_EXPIRES_AFTER} (an hour) and "
                f"{MAX_EXPIRES_AFTER} (30 days) seconds, not {args.expires_after}"
            )
        options["expires_after"] = args.expires_after
    if options and not _remote(args.dest):
        raise UsageError("--overwrite and --expires-after apply to openai:// destinations only")
    items = _plan(fs, args)
    if not items:
        print("openaifs: no files to copy", file=sys.stderr)
        return EXIT_OK
    desc = os.path.basename(items[0][0].rstrip("/")) if len(items) == 1 else f"{len(items)} files"
    progress = TransferBar(_progress_wanted(args), sum(size for _, _, size in items), desc)
    reports: dict[tuple[str, str], dict[str, Any]] = {}

    def one(source: str, dest: str, size: int) -> None:
        share = progress.share()
        reports[source, dest] = _transfer_one(
            fs, source, dest, size, share, options, not args.no_resume
        )

    try:
        run_each(one, items, DEFAULT_CALLBACK, TRANSFER_WORKERS)
    finally:
        progress.close()
    typed = [*args.sources, args.dest]
    ordered = [
        {
            **r,
            "source": _as_typed(r["source"], typed),
            "destination": _as_typed(r["destination"], typed),
        }
        for r in (reports[source, dest] for source, dest, _ in items)
    ]
    if args.json:
        _print_json(ordered)
    elif not args.quiet:
        for r in ordered:
            suffix = f"  ({r['id']})" if "id" in r else ""
            print(f"{r['source']} -> {r['destination']}{suffix}")
    return EXIT_OK


# -- serve, demo --------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Hand the arguments after ``serve`` to the server's own command line (imported only
    now: it is heavy, and no other command needs it)."""
    try:
        from openaifs.server.cli import main as serve
    except ImportError as exc:
        raise ImportError(
            f"the local server needs its extra: pip install 'openaifs[server]' ({exc})"
        ) from exc
    return serve(args.serve_args)


def cmd_demo(args: argparse.Namespace) -> int:
    from openaifs.demo import main as demo

    return demo(main)


# -- the parser ---------------------------------------------------------------------------


def _global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    """Options accepted before and after the command (``default``: SUPPRESS on commands, so
    that a value given before the command is not reset)."""
    parser.add_argument(
        "--base-url",
        default=default if default is argparse.SUPPRESS else None,
        metavar="URL",
        help="API base URL (default: $OPENAI_BASE_URL, then https://api.openai.com/v1); "
        "the key is always read from $OPENAI_API_KEY",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="show tracebacks and debug logging",
    )


def build_parser() -> argparse.ArgumentParser:
    from openaifs import cli_practices as practices
    from openaifs.version import __version__

    parser = argparse.ArgumentParser(
        prog="openaifs",
        description="The OpenAI file store as a file system. Paths: openai://, "
        "openai://<purpose>, openai://<purpose>/<folder>/<filename>, openai://file-<id>. "
        "The API key is read from $OPENAI_API_KEY (never from the command line).",
        epilog="Exit codes: 0 ok, 1 failed, 2 bad usage, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"openaifs {__version__}")
    _global_options(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="machine-readable output")
    human = argparse.ArgumentParser(add_help=False)
    human.add_argument(
        "-H", "--human", action="store_true", help="sizes in kB, MB, GB (powers of 1000)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Callable[..., int], text: str, *parents: Any) -> Any:
        p = sub.add_parser(name, parents=[common, *parents], help=text, description=text)
        p.set_defaults(func=func)
        return p

    p = command("ls", cmd_ls, "list purposes, the files of a purpose, or files", as_json, human)
    p.add_argument("path", nargs="?", help="default openai://; globs (quoted) allowed")
    p.add_argument("-l", "--long", action="store_true", help="size, date, id, purpose, name")
    practices.older_option(p)

    p = command("versions", cmd_versions, "every file of a name, newest first", as_json, human)
    p.add_argument("path", help="openai://<purpose>/<filename> (or a purpose: all its files)")

    p = command("info", cmd_info, "the details of one file or purpose", as_json)
    p.add_argument("path")

    p = command("cat", cmd_cat, "write files' content to stdout")
    p.add_argument("paths", nargs="+", metavar="path")

    for name, text in (
        ("cp", "copy files: local to openai://, openai:// to local, or openai:// to openai://"),
        ("put", "upload local files (or, with -r, folders) to openai://"),
        ("get", "download openai:// files (or, with -r, folders and purposes) to a local path"),
    ):
        p = command(name, cmd_cp, text, as_json)
        p.add_argument("sources", nargs="+", metavar="SOURCE")
        p.add_argument("dest", metavar="DEST")
        p.add_argument("-r", "--recursive", action="store_true", help="folders and purposes")
        p.add_argument(
            "--overwrite",
            choices=("replace", "keep", "error"),
            help="when DEST's name exists: replace it (default), keep both, or fail",
        )
        p.add_argument(
            "--expires-after", type=int, metavar="SECONDS", help="new files expire after this"
        )
        p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
        p.add_argument(
            "--no-resume",
            action="store_true",
            help="an interrupted upload is cancelled, not kept for the same command to resume",
        )
        p.add_argument(
            "--progress",
            dest="progress",
            action="store_true",
            default=None,
            help="show a progress bar on stderr (default: when stdout and stderr are terminals)",
        )
        p.add_argument(
            "--no-progress", dest="progress", action="store_false", help="never show one"
        )

    p = command("rm", cmd_rm, "delete files (every file of a name)", as_json, human)
    p.add_argument("paths", nargs="+", metavar="path")
    p.add_argument(
        "-r", "--recursive", action="store_true", help="needed for a folder or a whole purpose"
    )
    p.add_argument(
        "-y", "--yes", action="store_true", help="confirm a purpose-wide delete without asking"
    )
    practices.rm_options(p)

    p = command(
        "du", practices.cmd_du, "bytes used, older files of a name included", as_json, human
    )
    p.add_argument("path", nargs="?", help="default openai://")
    p.add_argument("-s", "--summarize", action="store_true", help="only the total")
    practices.du_options(p)
    practices.add_commands(command, as_json, human)

    p = sub.add_parser(
        "serve",
        add_help=False,
        help="run the local server (prints its URL first; see openaifs serve --help)",
    )
    p.add_argument("serve_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_serve, base_url=None, debug=False)

    command("demo", cmd_demo, "a tour of openaifs on a throwaway in-process local server")
    return parser


# -- entry point --------------------------------------------------------------------------


def _print_warning(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
    print(f"openaifs: {category.__name__}: {_one_line(str(message))}", file=sys.stderr)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fix(exc: Exception, args: argparse.Namespace) -> str:
    """What to set or pass to get past ``exc``, named as a shell user types it ('' if the
    message already says it)."""
    status = getattr(exc, "status", None)
    if status == 401:
        return "check the key in OPENAI_API_KEY"
    if status == 403:
        return "the key in OPENAI_API_KEY lacks access (check its project and permissions)"
    if status == 404 and "Invalid URL" in str(exc):
        return "check --base-url (or OPENAI_BASE_URL): it usually ends in /v1"
    if isinstance(exc, (ConnectionError, TimeoutError)) and status is None:
        return "check --base-url (or OPENAI_BASE_URL) and that the service is reachable"
    if isinstance(exc, FileExistsError) and getattr(args, "overwrite", None) == "error":
        return "--overwrite replace (or keep) writes anyway"
    return ""


def _error_line(exc: Exception, args: argparse.Namespace) -> str:
    """The one line an error prints: ``openaifs: <Type>: <message>; <fix>``."""
    message = _one_line(str(exc)) or "(no message)"
    fix = _fix(exc, args)
    return f"openaifs: {builtin_name(exc)}: {message}" + (f"; {fix}" if fix else "")


def _after_serve(argv: list[str]) -> list[str] | None:
    """The arguments after ``serve`` if that is the command (they are the server's), else None."""
    i = 0
    while i < len(argv) and (
        argv[i] in ("--debug", "--base-url") or argv[i].startswith("--base-url=")
    ):
        i += 2 if argv[i] == "--base-url" else 1
    return argv[i + 1 :] if argv[i : i + 1] == ["serve"] else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        serve_args = _after_serve(argv)
        if serve_args is not None:
            args = argparse.Namespace(serve_args=serve_args, func=cmd_serve, debug=False)
        else:
            args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    if args.debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("openaifs").setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings():
            # A warning is a line of its own, as errors are (no file and line number).
            warnings.simplefilter("always")
            warnings.showwarning = _print_warning
            return args.func(args)
    except SystemExit as done:  # the server's own command line: --help or bad usage
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("openaifs: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``openaifs cat ... | head``): not an error of ours.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is not a real file (tests)
            pass
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        print(_error_line(exc, args), file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
