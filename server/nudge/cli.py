"""The `nudge` command: `lsp`, `check`, `eval` and `stats`."""

from __future__ import annotations

import argparse
import logging
import sys

from nudge import __version__


def _lsp(args: argparse.Namespace) -> int:
    from nudge.lsp.server import create_server

    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    server = create_server()
    if args.tcp is not None:
        server.start_tcp(args.host, args.tcp)
    else:
        server.start_io()
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="nudge", description=__doc__)
    parser.add_argument("--version", action="version", version=f"nudge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    lsp = sub.add_parser("lsp", help="serve the Language Server Protocol (stdio by default)")
    lsp.add_argument("--stdio", action="store_true", help="serve over stdio (the default)")
    lsp.add_argument("--tcp", type=int, metavar="PORT", help="serve over TCP on PORT instead")
    lsp.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    lsp.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING"))
    lsp.set_defaults(func=_lsp)

    from nudge import check

    check_parser = sub.add_parser("check", help="check files or folders and print findings")
    check.add_arguments(check_parser)
    check_parser.set_defaults(func=check.run)

    try:
        from nudge import evaluate
    except ImportError:
        evaluate = None  # type: ignore[assignment]
    if evaluate is not None:
        eval_parser = sub.add_parser("eval", help="measure a critic on a labelled span-JSONL set")
        evaluate.add_arguments(eval_parser)
        eval_parser.set_defaults(func=evaluate.run)

    try:
        from nudge import telemetry
    except ImportError:
        telemetry = None  # type: ignore[assignment]
    if telemetry is not None and hasattr(telemetry, "add_arguments"):
        stats = sub.add_parser("stats", help="acceptance rates, tokens and cost from telemetry")
        telemetry.add_arguments(stats)
        stats.set_defaults(func=telemetry.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `nudge` command line."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
