"""The `nudge` command: `lsp`, `check`, `eval` and `stats`."""

from __future__ import annotations

import argparse
import logging
import sys

from nudge import __version__

# These log whole protocol messages and HTTP bodies at INFO or DEBUG, document text included;
# Nudge's own log lines carry lengths, offsets and hashes, never the text.
TEXT_LOGGERS = ("pygls", "anthropic", "httpx", "httpcore")


def configure_logging(level: str) -> None:
    """Log to stderr at `level`, but only warnings from libraries that log document text."""
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    for name in TEXT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _lsp(args: argparse.Namespace) -> int:
    from nudge.lsp.server import create_server

    configure_logging(args.log_level)
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

    from nudge import check, evaluate, telemetry

    commands = (
        ("check", check, "check files or folders and print findings"),
        ("eval", evaluate, "measure a critic on a labelled span-JSONL set"),
        ("stats", telemetry, "acceptance rates, tokens and cost from telemetry"),
    )
    for name, module, summary in commands:
        command = sub.add_parser(name, help=summary)
        module.add_arguments(command)
        command.set_defaults(func=module.run)
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
