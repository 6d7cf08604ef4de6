"""The `nudge` command: `lsp`, `check`, `review`, `eval`, `stats`, `tune` and `doctor`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from nudge import __version__

LSP_EXIT = [
    ("0", "the client shut the server down (shutdown, then exit), or closed its input"),
    ("1", "the client sent exit without shutdown"),
]


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
    from nudge.lsp.app import create_server

    configure_logging(args.log_level)
    server = create_server()
    if args.tcp is not None:
        server.start_tcp(args.host, args.tcp)
    else:
        server.start_io()
    return 0


COMMANDS = (  # name, the module with add_arguments() and run(), summary
    ("check", "nudge.check", "check files or folders and print findings"),
    ("review", "nudge.review_cli", "review a docs tree overnight through the Message Batches API"),
    ("eval", "nudge.evaluate", "measure a critic on a labelled span-JSONL set"),
    ("stats", "nudge.telemetry", "acceptance rates, tokens and cost from telemetry"),
    ("tune", "nudge.tune", "thresholds from pooled outcomes, with a back-test"),
    ("doctor", "nudge.doctor", "settings, model request shapes, and a live check of the key"),
)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand.

    Given the arguments, only the module of the command they name is imported (a
    `nudge check` in a pre-commit hook should not pay for `doctor`'s imports); the
    other commands are listed with their summaries all the same.
    """
    parser = argparse.ArgumentParser(prog="nudge", description=__doc__)
    parser.add_argument("--version", action="version", version=f"nudge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    from nudge.usage import epilog

    raw = argparse.RawDescriptionHelpFormatter
    lsp = sub.add_parser(
        "lsp",
        help="serve the Language Server Protocol (stdio by default)",
        formatter_class=raw,
        epilog=epilog(LSP_EXIT, "the Language Server Protocol (JSON-RPC) over stdio or TCP; "
                      "logs go to stderr"),
    )  # fmt: skip
    lsp.add_argument("--stdio", action="store_true", help="serve over stdio (the default)")
    lsp.add_argument("--tcp", type=int, metavar="PORT", help="serve over TCP on PORT instead")
    lsp.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    lsp.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING"))
    lsp.set_defaults(func=_lsp)

    named = next((a for a in argv or () if not a.startswith("-")), None)
    wanted = named if any(named == name for name, _, _ in COMMANDS) else None
    for name, module_name, summary in COMMANDS:
        command = sub.add_parser(name, help=summary, formatter_class=raw)
        if named == "lsp" or (wanted is not None and name != wanted):
            continue
        module = importlib.import_module(module_name)
        module.add_arguments(command)
        command.set_defaults(func=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `nudge` command line."""
    args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
