"""``openaifs serve``: argument parsing and the serving loop."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from .app import base_url, start
from .config import Settings
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
        help="accept only this bearer key (repeatable; each key is its own project)",
    )
    parser.add_argument(
        "--azure",
        action="store_true",
        help="also serve the API as Azure OpenAI does: /openai/...?api-version=, api-key header",
    )
    parser.add_argument(
        "--enable-controls", action="store_true", help="serve the test controls at /_openaifs/"
    )
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to each request")
    parser.add_argument(
        "--per-connection-bps",
        type=int,
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
        parser.add_argument(flag, type=int, default=default, metavar="BYTES", help=text)
    parser.add_argument(
        "--upload-expiry-seconds",
        type=int,
        default=defaults.upload_expiry_seconds,
        help="lifetime of an Upload",
    )


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
        honour_range=args.honour_range,
    )


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM; print the base URL as the first line of stdout."""
    if args.data_dir is None:
        print(
            "openaifs: no --data-dir given: files are kept in memory and lost on exit",
            file=sys.stderr,
            flush=True,
        )
    state = ServerState(
        args.data_dir,
        api_keys=args.api_keys,
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
    return run(parser.parse_args(argv))
