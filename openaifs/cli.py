"""The ``openaifs`` command line: ``ls``, ``info``, ``cat``, ``cp``/``put``/``get``, ``rm``,
``du``, ``versions``, ``serve`` and ``demo``.

Exit codes: 0 success, 1 the operation failed, 2 bad usage, 130 interrupted. Errors are
one line on stderr, never a traceback (``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

PREFIX = "openai://"


def _filesystem(args: argparse.Namespace) -> Any:
    from openaifs.core import OpenAIFileSystem

    options: dict[str, Any] = {"skip_instance_cache": True}
    if args.base_url:
        options["base_url"] = args.base_url
    return OpenAIFileSystem(**options)


def _remote(path: str) -> bool:
    return path.startswith(PREFIX)


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _when(ts: int | None) -> str:
    if ts is None:
        return "-"
    return datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


def _progress(args: argparse.Namespace, size_hint: int | None = None) -> Any:
    """A tqdm progress bar callback, when wanted and available."""
    from fsspec.callbacks import DEFAULT_CALLBACK

    wanted = args.progress if args.progress is not None else sys.stderr.isatty()
    if not wanted:
        return DEFAULT_CALLBACK
    try:
        from fsspec.callbacks import TqdmCallback
    except ImportError:
        return DEFAULT_CALLBACK
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return DEFAULT_CALLBACK
    return TqdmCallback(
        tqdm_kwargs={"unit": "B", "unit_scale": True, "unit_divisor": 1024, "file": sys.stderr}
    )


def _print_entries(entries: list[dict[str, Any]], args: argparse.Namespace) -> None:
    if args.json:
        print(json.dumps(entries, indent=2))
        return
    for e in entries:
        if not args.long:
            print(e["name"] + ("/" if e["type"] == "directory" else ""))
        elif e["type"] == "directory":
            print(f"{'DIR':>10}  {'':16}  {'':29}  {e['name']}/")
        else:
            size = _human(e["size"]) if args.human else str(e["size"])
            print(f"{size:>10}  {_when(e.get('created_at'))}  {e.get('id', ''):29}  {e['name']}")


def cmd_ls(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    path = args.path or PREFIX
    if fs.isfile(path):
        entries = [fs.info(path)]
    else:
        entries = fs.ls(path, detail=True, refresh=True)
    _print_entries(entries, args)
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    entries = fs.ls(args.path, detail=True, refresh=True, versions=True)
    args.long = True
    _print_entries(entries, args)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    info = fs.info(args.path, refresh=True)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            print(f"{key:>11}: {value}")
    return 0


def cmd_cat(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    out = sys.stdout.buffer
    for path in args.paths:
        with fs.open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                out.write(chunk)
    out.flush()
    return 0


def cmd_cp(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    sources, dest = args.sources, args.dest
    options = {}
    if getattr(args, "overwrite", None):
        options["overwrite"] = args.overwrite
    if getattr(args, "expires_after", None):
        options["expires_after"] = args.expires_after
    remote_src = [_remote(s) for s in sources]
    if all(remote_src) and _remote(dest):
        for src in sources:
            target = dest if not fs.isdir(dest) else f"{dest.rstrip('/')}/{src.rsplit('/', 1)[-1]}"
            fs.pipe_file(target, fs.cat_file(src), **options)
        return 0
    if any(remote_src) and not all(remote_src):
        raise ValueError("sources must be all local or all openai:// paths")
    single = len(sources) == 1
    if all(remote_src):
        callback = _progress(args)
        if single and fs.isfile(sources[0]):
            fs.get_file(sources[0], _local_target(dest, sources[0]), callback=callback)
        else:
            fs.get(sources if not single else sources[0], dest, recursive=args.recursive)
        return 0
    if not _remote(dest):
        raise ValueError(f"{dest!r}: one side of a copy must be an openai:// path")
    callback = _progress(args)
    if single and os.path.isfile(sources[0]):
        target = dest
        if fs._resolve(dest).is_purpose:
            target = f"{dest.rstrip('/')}/{os.path.basename(sources[0])}"
        fs.put_file(sources[0], target, callback=callback, **options)
    else:
        fs.put(sources if not single else sources[0], dest, recursive=args.recursive, **options)
    return 0


def _local_target(dest: str, src: str) -> str:
    if dest.endswith(os.sep) or os.path.isdir(dest):
        return os.path.join(dest, src.rstrip("/").rsplit("/", 1)[-1])
    return dest


def cmd_rm(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    purpose_wide = [
        p for p in args.paths if fs._resolve(p).filename is None and not fs._resolve(p).is_file_id
    ]
    confirm = False
    if purpose_wide:
        if not args.recursive:
            raise IsADirectoryError(
                f"{purpose_wide[0]}: is a purpose; use -r to delete all its files"
            )
        if args.yes:
            confirm = True
        elif sys.stdin.isatty():
            answer = input(f"Delete every file in {', '.join(purpose_wide)}? [y/N] ")
            confirm = answer.strip().lower() in ("y", "yes")
            if not confirm:
                print("nothing deleted", file=sys.stderr)
                return 1
        else:
            raise PermissionError(
                f"{purpose_wide[0]}: deleting a whole purpose needs --yes "
                "(or a terminal to confirm)"
            )
    fs.rm(args.paths, recursive=args.recursive, confirm=confirm)
    return 0


def cmd_du(args: argparse.Namespace) -> int:
    fs = _filesystem(args)
    path = args.path or PREFIX
    if args.summarize:
        total = fs.du(path, total=True)
        print(f"{_human(total) if args.human else total}\t{path}")
        return 0
    sizes = fs.du(path, total=False)
    if args.json:
        print(json.dumps(sizes, indent=2))
        return 0
    for name, size in sizes.items():
        print(f"{_human(size) if args.human else size}\t{name}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from openaifs.server.cli import run

    return run(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from openaifs.demo import main as demo

    return demo()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openaifs", description="The OpenAI file store as a file system."
    )
    parser.add_argument("--base-url", help="API base URL (default: $OPENAI_BASE_URL or OpenAI's)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")
    progress = argparse.ArgumentParser(add_help=False)
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ls", parents=[common], help="list purposes, files, or one file")
    p.add_argument("path", nargs="?")
    p.add_argument("-l", "--long", action="store_true", help="size, date, id and name")
    p.add_argument("-H", "--human", action="store_true", help="sizes in KiB, MiB, ...")
    p.set_defaults(func=cmd_ls)

    p = sub.add_parser("versions", parents=[common], help="every file of one name, newest first")
    p.add_argument("path")
    p.add_argument("-H", "--human", action="store_true")
    p.set_defaults(func=cmd_versions)

    p = sub.add_parser("info", parents=[common], help="details of one path")
    p.add_argument("path")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("cat", help="write files' content to stdout")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_cat)

    for name, text in (("cp", "copy files"), ("put", "upload"), ("get", "download")):
        p = sub.add_parser(name, parents=[progress], help=text)
        p.add_argument("sources", nargs="+", metavar="SRC")
        p.add_argument("dest", metavar="DEST")
        p.add_argument("-r", "--recursive", action="store_true")
        p.add_argument("--overwrite", choices=("replace", "keep", "error"))
        p.add_argument("--expires-after", type=int, metavar="SECONDS")
        p.set_defaults(func=cmd_cp)

    p = sub.add_parser("rm", help="delete files (every file of a name)")
    p.add_argument("paths", nargs="+")
    p.add_argument("-r", "--recursive", action="store_true", help="needed for a whole purpose")
    p.add_argument("-y", "--yes", action="store_true", help="confirm a purpose-wide delete")
    p.set_defaults(func=cmd_rm)

    p = sub.add_parser("du", parents=[common], help="disk usage")
    p.add_argument("path", nargs="?")
    p.add_argument("-s", "--summarize", action="store_true", help="one total")
    p.add_argument("-H", "--human", action="store_true")
    p.set_defaults(func=cmd_du)

    p = sub.add_parser("serve", help="run the local server")
    try:
        from openaifs.server.cli import build_parser as serve_options
    except ImportError:  # the server extra is not installed
        p.set_defaults(func=_no_server)
    else:
        serve_options(p)
        p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="a tour against a throwaway local server")
    p.set_defaults(func=cmd_demo)
    return parser


def _no_server(args: argparse.Namespace) -> int:
    raise ImportError("the local server needs its extra: pip install 'openaifs[server]'")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("openaifs: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if args.debug:
            raise
        print(f"openaifs: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
