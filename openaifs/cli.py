"""The ``openaifs`` command line: ``ls``, ``versions``, ``info``, ``cat``, ``cp``/``put``/``get``,
``rm``, ``du``, ``serve`` and ``demo``.

The API key comes from ``$OPENAI_API_KEY`` only: a key given as a flag would be kept in shell
history and shown to every user by ``ps``. The service address is ``--base-url`` (before or
after the command) or ``$OPENAI_BASE_URL``.

Exit codes: 0 success, 1 the operation failed, 2 bad usage, 130 interrupted. An error is one
line on stderr, ``openaifs: <Type>: <message>``, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fsspec.callbacks import Callback

from openaifs.errors import builtin_name

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

    return OpenAIFileSystem(base_url=args.base_url, skip_instance_cache=True)


def _remote(path: str) -> bool:
    return path.startswith(PREFIX)


def _resolve(path: str) -> Any:
    from openaifs.paths import parse_path

    return parse_path(path)


def _shown(path: str) -> str:
    """``path`` as the user would type it: with the protocol."""
    return PREFIX + _resolve(path).unresolve()


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
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
    """The name a downloaded or copied file takes: its filename, or its id if the filename
    cannot be one path segment."""
    from openaifs.paths import is_valid_filename

    filename = entry.get("filename") or ""
    return filename if is_valid_filename(filename) else entry["id"]


# -- listings -----------------------------------------------------------------------------


def _print_table(rows: list[dict[str, Any]], args: argparse.Namespace, *, by_id: bool) -> None:
    """Long listing: size, created (UTC), id, purpose, name; columns aligned."""
    table = []
    for e in rows:
        if e["type"] == "directory":
            table.append(("-", "-", "-", e["name"], e["name"] + "/"))
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
    elif _resolve(path).filename is not None or _resolve(path).is_file_id:
        entries = [fs.info(path, refresh=True)]
    else:
        entries = fs.ls(path, detail=True, refresh=True)
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


def _usage_rows(fs: Any, path: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What ``du`` shows for ``path``: one row per child, and the row of ``path`` itself.

    Every file counts, older files of a name included: they all take space in the store.
    """
    resolved = _resolve(path)
    shown = _shown(path)

    def total(name: str, files: list[dict[str, Any]]) -> dict[str, Any]:
        return {"name": name, "size": sum(f["size"] for f in files), "files": len(files)}

    if resolved.is_root:
        rows = []
        for purpose in fs.ls(PREFIX, detail=False, refresh=True):
            files = fs.ls(purpose, detail=True, versions=True)
            if files:
                rows.append(total(PREFIX + purpose, files))
        summary = {
            "name": shown,
            "size": sum(r["size"] for r in rows),
            "files": sum(r["files"] for r in rows),
        }
        return rows, summary
    if resolved.is_purpose:
        by_name: dict[str, list[dict[str, Any]]] = {}
        for f in fs.ls(path, detail=True, refresh=True, versions=True):
            by_name.setdefault(f"{PREFIX}{f['purpose']}/{_local_name(f)}", []).append(f)
        rows = [total(name, files) for name, files in sorted(by_name.items())]
        everything = [f for files in by_name.values() for f in files]
        return rows, total(shown, everything)
    return [], total(shown, fs.ls(path, detail=True, refresh=True, versions=True))


def cmd_du(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    path = args.path or PREFIX
    rows, summary = _usage_rows(fs, path)
    if args.json:
        _print_json({**summary, **({} if args.summarize else {"entries": rows})})
        return EXIT_OK
    for row in [*([] if args.summarize else rows), summary]:
        print(f"{_size(row['size'], args)}\t{row['name']}")
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
    fs = _filesystem(args)
    whole = [p for p in args.paths if _resolve(p).is_root or _resolve(p).is_purpose]
    if whole and not args.recursive:
        raise IsADirectoryError(
            f"{_shown(whole[0])}: is a purpose; use -r to delete every file in it"
        )
    if whole and not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(
                f"deleting every file in {_shown(whole[0])} needs --yes "
                "(stdin is not a terminal to confirm on)"
            )
        counted: list[str] = []
        for path in whole:
            _, summary = _usage_rows(fs, path)
            counted.append(
                f"{summary['files']} files ({_human(summary['size'])}) in {_shown(path)}"
            )
        if not _confirm(f"Delete {'; '.join(counted)}?"):
            print("openaifs: nothing deleted", file=sys.stderr)
            return EXIT_FAILED
    fs.rm(list(args.paths), recursive=args.recursive, confirm=bool(whole))
    return EXIT_OK


# -- cp, put, get -------------------------------------------------------------------------


class _Share(Callback):
    """One file's share of a transfer: its bytes go to the one bar of the whole transfer."""

    def __init__(self, progress: _Progress) -> None:
        super().__init__()
        self._progress = progress
        self._sent = 0

    def call(self, *args: Any, **kwargs: Any) -> None:
        delta, self._sent = self.value - self._sent, self.value
        if delta:
            self._progress.add(delta)


class _Progress:
    """A byte-counting progress bar (fsspec's ``TqdmCallback``) for a whole transfer; a no-op
    when disabled. Safe to update from several threads."""

    def __init__(self, enabled: bool, total: int, desc: str) -> None:
        self._lock = threading.Lock()
        self._bar: Any = None
        if enabled:
            from fsspec.callbacks import TqdmCallback

            self._bar = TqdmCallback(
                size=total,
                tqdm_kwargs={
                    "desc": desc,
                    "unit": "B",
                    "unit_scale": True,
                    "unit_divisor": 1024,
                    "file": sys.stderr,
                    "leave": True,
                },
            )
            self._bar.call()  # show the bar at once, even before the first byte

    def share(self) -> Callback:
        return _Share(self)

    def add(self, n: int) -> None:
        if self._bar is not None:
            with self._lock:
                self._bar.relative_update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress_wanted(args: argparse.Namespace) -> bool:
    wanted = args.progress if args.progress is not None else sys.stderr.isatty()
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


@dataclass
class Transfer:
    """One file to copy: from ``source`` to ``dest`` (``openai://`` paths or local paths)."""

    source: str
    dest: str
    size: int


def _local_sources(sources: Sequence[str], recursive: bool) -> list[tuple[str, str, int]]:
    """(local path, name it takes, size) for every local file the sources name."""
    found = []
    for source in sources:
        if os.path.isdir(source):
            if not recursive:
                raise IsADirectoryError(f"{source}: is a directory; use -r to copy its files")
            for folder, dirs, files in os.walk(source):
                dirs.sort()
                for name in sorted(files):
                    local = os.path.join(folder, name)
                    found.append((local, name, os.path.getsize(local)))
        elif os.path.exists(source):
            found.append((source, os.path.basename(source), os.path.getsize(source)))
        else:
            raise FileNotFoundError(f"{source}: no such file or directory")
    return found


def _remote_sources(fs: Any, sources: Sequence[str], recursive: bool) -> list[tuple[str, str, int]]:
    """(openai:// path, name it takes, size) for every file the sources name."""
    from openaifs.paths import has_magic

    found = []
    for source in sources:
        resolved = _resolve(source)
        if resolved.is_root:
            raise UsageError(f"{source}: copy from one purpose (openai://<purpose>), not the root")
        if resolved.is_purpose:
            if not recursive:
                raise IsADirectoryError(f"{_shown(source)}: is a purpose; use -r to copy its files")
            entries = fs.ls(source, detail=True, refresh=True)
        elif resolved.filename is not None and has_magic(resolved.filename):
            entries = list(fs.glob(source, detail=True).values())
            if not entries:
                raise FileNotFoundError(f"{_shown(source)}: nothing matches")
        else:
            entries = [fs.info(source, refresh=True)]
        for e in sorted(entries, key=lambda e: e["name"]):
            found.append((PREFIX + e["name"], _local_name(e), e["size"]))
    return found


def _plan(fs: Any, args: argparse.Namespace) -> list[Transfer]:
    """Which file goes where; checks the direction the command allows."""
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
    if from_remote:
        found = _remote_sources(fs, sources, args.recursive)
    else:
        found = _local_sources(sources, args.recursive)
    if not found:
        return []
    if to_remote:
        target = _resolve(dest)
        if target.is_root or target.is_file_id:
            raise UsageError(f"{dest}: copy to a purpose or to openai://<purpose>/<filename>")
        if target.is_purpose:
            pairs = [(src, f"{PREFIX}{target.purpose}/{name}", size) for src, name, size in found]
        elif len(found) == 1 and not dest.endswith("/"):
            pairs = [(found[0][0], _shown(dest), found[0][2])]
        else:
            raise UsageError(f"{dest}: copying several files needs a purpose as destination")
    else:
        from openaifs.paths import has_magic

        expands = any(
            _resolve(s).is_purpose or has_magic(_resolve(s).filename or "") for s in sources
        )
        if len(found) > 1 or expands or dest.endswith(("/", os.sep)) or os.path.isdir(dest):
            os.makedirs(dest, exist_ok=True)
            pairs = [(src, os.path.join(dest, name), size) for src, name, size in found]
        else:
            pairs = [(found[0][0], dest, found[0][2])]
    seen: dict[str, str] = {}
    for src, dst, _ in pairs:
        if dst in seen:
            raise UsageError(f"{seen[dst]} and {src} would both be copied to {dst}")
        seen[dst] = src
    return [Transfer(src, dst, size) for src, dst, size in pairs]


def _copy_remote(fs: Any, item: Transfer, callback: Callback, options: dict[str, Any]) -> None:
    """Stream one file from the store into the store, through this machine."""
    with (
        fs.open(item.source, "rb") as src,
        fs.open(item.dest, "wb", size=item.size, **options) as dst,
    ):
        while chunk := src.read(4 << 20):
            dst.write(chunk)
            callback.relative_update(len(chunk))


def _transfer_one(
    fs: Any, item: Transfer, callback: Callback, options: dict[str, Any]
) -> dict[str, Any]:
    """Copy one file; return what the JSON report says of it."""
    if _remote(item.source) and _remote(item.dest):
        _copy_remote(fs, item, callback, options)
    elif _remote(item.dest):
        fs.put_file(item.source, item.dest, callback=callback, **options)
    else:
        fs.get_file(item.source, item.dest, callback=callback)
    report = {"source": item.source, "destination": item.dest, "size": item.size}
    if _remote(item.dest):
        report["id"] = fs.info(item.dest)["id"]
    return report


def _run_all(
    func: Callable[[Transfer], dict[str, Any]], items: list[Transfer]
) -> list[dict[str, Any]]:
    """Run ``func`` on each item, a few at a time (one file: in this thread, so that Ctrl-C
    reaches the transfer and cancels it)."""
    if len(items) == 1:
        return [func(items[0])]
    pool = cf.ThreadPoolExecutor(min(len(items), TRANSFER_WORKERS), "openaifs-cli")
    try:
        futures = [pool.submit(func, item) for item in items]
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def cmd_cp(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    items = _plan(fs, args)
    if not items:
        print("openaifs: no files to copy", file=sys.stderr)
        return EXIT_OK
    options: dict[str, Any] = {}
    if args.overwrite:
        options["overwrite"] = args.overwrite
    if args.expires_after is not None:
        options["expires_after"] = args.expires_after
    if options and not _remote(args.dest):
        raise UsageError("--overwrite and --expires-after apply to openai:// destinations only")
    desc = (
        os.path.basename(items[0].source.rstrip("/")) if len(items) == 1 else f"{len(items)} files"
    )
    progress = _Progress(_progress_wanted(args), sum(i.size for i in items), desc)
    try:
        reports = _run_all(lambda item: _transfer_one(fs, item, progress.share(), options), items)
    finally:
        progress.close()
    if args.json:
        _print_json(reports)
    elif not args.quiet:
        for r in reports:
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

    return demo()


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
    from openaifs.version import __version__

    parser = argparse.ArgumentParser(
        prog="openaifs",
        description="The OpenAI file store as a file system. Paths: openai://, "
        "openai://<purpose>, openai://<purpose>/<filename>, openai://file-<id>. "
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
    human.add_argument("-H", "--human", action="store_true", help="sizes in KiB, MiB, ...")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Callable[..., int], text: str, *parents: Any) -> Any:
        p = sub.add_parser(name, parents=[common, *parents], help=text, description=text)
        p.set_defaults(func=func)
        return p

    p = command("ls", cmd_ls, "list purposes, the files of a purpose, or files", as_json, human)
    p.add_argument("path", nargs="?", help="default openai://; globs (quoted) allowed")
    p.add_argument("-l", "--long", action="store_true", help="size, date, id, purpose, name")

    p = command("versions", cmd_versions, "every file of a name, newest first", as_json, human)
    p.add_argument("path", help="openai://<purpose>/<filename> (or a purpose: all its files)")

    p = command("info", cmd_info, "the details of one file or purpose", as_json)
    p.add_argument("path")

    p = command("cat", cmd_cat, "write files' content to stdout")
    p.add_argument("paths", nargs="+", metavar="path")

    for name, text in (
        ("cp", "copy files: local to openai://, openai:// to local, or openai:// to openai://"),
        ("put", "upload local files (or, with -r, folders) to openai://"),
        ("get", "download openai:// files (or, with -r, purposes) to a local path"),
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
            "--progress",
            dest="progress",
            action="store_true",
            default=None,
            help="show a progress bar on stderr (default: when stderr is a terminal)",
        )
        p.add_argument(
            "--no-progress", dest="progress", action="store_false", help="never show one"
        )

    p = command("rm", cmd_rm, "delete files (every file of a name)")
    p.add_argument("paths", nargs="+", metavar="path")
    p.add_argument("-r", "--recursive", action="store_true", help="needed for a whole purpose")
    p.add_argument(
        "-y", "--yes", action="store_true", help="confirm a purpose-wide delete without asking"
    )

    p = command("du", cmd_du, "bytes used, older files of a name included", as_json, human)
    p.add_argument("path", nargs="?", help="default openai://")
    p.add_argument("-s", "--summarize", action="store_true", help="only the total")

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


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
        message = _one_line(str(exc)) or "(no message)"
        print(f"openaifs: {builtin_name(exc)}: {message}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
