"""The `ponder` command: a click group, and the one place errors become exit codes.

A user's mistake prints one line (`ponder: error: ...`) and exits non-zero; never a
traceback. Exit 1 for errors ponder found, 2 for bad command-line usage, 130 for Ctrl-C.
"""

from __future__ import annotations

import sys

import click

from ponder.cli.ask import ask
from ponder.cli.chat import chat
from ponder.cli.demo import demo
from ponder.cli.eval import eval_command
from ponder.cli.eval_report import eval_report
from ponder.cli.serve import serve
from ponder.cli.train import train
from ponder.errors import PonderError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ponder")
def cli():
    """ponder: o1-style reasoning for local models (think, answer, discard)."""


cli.add_command(ask)
cli.add_command(chat)
cli.add_command(demo)
cli.add_command(eval_command)
cli.add_command(eval_report)
cli.add_command(serve)
cli.add_command(train)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="ponder", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        fail(error.format_message(), error.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        fail("interrupted", 130)
    except PonderError as error:
        fail(str(error), 1)
    except BrokenPipeError:
        sys.exit(1)


def fail(message: str, code: int) -> None:
    print(f"ponder: error: {message}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
