"""``openaifs serve``: argument parsing and the serving loop."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from .app import base_url, start
from .config import MAX_SETTING, Settings
from .keys import KEYS_VARIABLE, KeySourceError, gather_keys
from .state import ServerState


def build_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to ``parser`` (a top-level parser or a sub-command's)."""
    defaults = Settings()
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind; 0 picks a free one")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", help="keep files here, crash-safely (default: in memory)")
    where.add_argument(
        "--in-memory", action="store_true", help="keep everything in memory (the default)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        metavar="KEY",
        help=(
            "accept this bearer key (repeatable; each key is its own project). It shows in ps:"
            f" prefer --api-key-file or {KEYS_VARIABLE}"
        ),
    )
    parser.add_argument(
        "--api-key-file",
        action="append",
        default=[],
        dest="api_key_files",
        metavar="PATH",
        help="accept the keys in PATH: one a line, blank lines and # comments ignored (repeatable)",
    )
    parser.add_argument(
        "--azure",
        action="store_true",
        help="also serve the API as Azure OpenAI does: /openai/...?api-version=, api-key header",
    )
    parser.add_argument(
        "--enable-controls", action="store_true", help="serve the test controls at /_openaifs/"
    )
    parser.add_argument("--latency-ms", type=_number, default=0, help="delay added to each request")
    parser.add_argument(
        "--per-connection-bps",
        type=_whole,
        default=0,
        help="bytes per second each way on each connection (0: unlimited)",
    )
    parser.add_argument(
        "--honour-range", action="store_true", help="answer single byte ranges with 206"
    )
    sizes = [
        ("--max-file-size", defaults.max_file_size, "largest file for POST /files"),
        ("--max-upload-size", defaults.max_upload_size, "largest declared Upload"),
        ("--max-part-size", defaults.max_part_size, "largest Upload part"),
        ("--max-batch-size", defaults.max_batch_size, "largest batch input file"),
    ]
    for flag, default, text in sizes:
        parser.add_argument(flag, type=_whole, default=default, metavar="BYTES", help=text)
    parser.add_argument(
        "--processing-seconds",
        type=_whole,
        default=defaults.processing_seconds,
        metavar="N",
        help="a new file is 'uploaded' for N seconds, then 'processed' (default 0: at once)",
    )
    parser.add_argument(
        "--upload-expiry-seconds",
        type=_whole,
        default=defaults.upload_expiry_seconds,
        help="lifetime of an Upload",
    )


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SETTING:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, not {text!r}")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_SETTING:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be a number >= 0, not {text!r}")
    return value


def settings_from(args: argparse.Namespace) -> Settings:
    """Return the :class:`Settings` given by parsed arguments."""
    return Settings(
        latency_ms=args.latency_ms,
        per_connection_bps=args.per_connection_bps,
        max_file_size=args.max_file_size,
        max_upload_size=args.max_upload_size,
        max_part_size=args.max_part_size,
        max_batch_size=args.max_batch_size,
        upload_expiry_seconds=args.upload_expiry_seconds,
        processing_seconds=args.processing_seconds,
        honour_range=args.honour_range,
    )


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM; print the base URL as the first line of stdout.

    Raises
    ------
    KeySourceError
        If ``--api-key-file`` or ``OPENAIFS_SERVER_API_KEYS`` cannot be used (before serving).
    """
    keys = gather_keys(args.api_keys, args.api_key_files)
    if args.data_dir is None:
        print(
            "openaifs: no --data-dir given: files are kept in memory and lost on exit",
            file=sys.stderr,
            flush=True,
        )
    state = ServerState(
        args.data_dir,
        api_keys=keys,
        settings=settings_from(args),
        enable_controls=args.enable_controls,
    )
    try:
        asyncio.run(_serve(state, args.host, args.port, args.azure))
    finally:
        state.close()
    return 0


async def _serve(state: ServerState, host: str, port: int, azure: bool) -> None:
    runner, bound = await start(state, host, port, azure_paths=azure)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(base_url(host, bound), flush=True)
    if azure:
        endpoint = base_url(host, bound).removesuffix("/v1")
        print(f"openaifs: Azure OpenAI endpoint {endpoint}", file=sys.stderr, flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m openaifs.server``."""
    parser = argparse.ArgumentParser(
        prog="openaifs serve", description="A local server for the OpenAI Files and Uploads APIs."
    )
    build_parser(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except KeySourceError as exc:
        # One line naming the source (never a key): the usage text would not help here.
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
