"""The `papershelf` command: the one composition root that wires sync, feeds and server."""

from __future__ import annotations

import logging
import sys

import click

from sync import __version__
from sync.errors import PapershelfError

from . import (
    cli_check,
    cli_feeds,
    cli_init,
    cli_lists,
    cli_serve,
    cli_status,
    cli_style,
    cli_sync,
)

log = logging.getLogger(__name__)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="papershelf")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """Keep hand-curated markdown paper lists current."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for _module in (cli_init, cli_lists, cli_style, cli_check, cli_serve, cli_status, cli_sync, cli_feeds):
    _module.register(cli)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every failure becomes one readable line on stderr and an exit status."""
    try:
        # Without standalone mode click hands back ctx.exit codes instead of exiting.
        returned = cli.main(args=argv, prog_name="papershelf", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("papershelf: aborted", err=True)
        return 1
    except click.exceptions.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"papershelf: error: {exc.format_message()}{hint}", err=True)
        return 2
    except click.exceptions.ClickException as exc:
        click.echo(f"papershelf: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except PapershelfError as exc:
        click.echo(f"papershelf: error: {exc.message}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # the last line of defence: never a traceback to a user
        log.debug("unexpected error", exc_info=True)
        click.echo(
            f"papershelf: error: unexpected {type(exc).__name__}: {exc} (run with -vv for details)",
            err=True,
        )
        return 1
    return returned if isinstance(returned, int) else 0


if __name__ == "__main__":
    sys.exit(main())
