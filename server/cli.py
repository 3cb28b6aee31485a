"""The `papershelf` command: the one composition root that wires sync, feeds and server.

Commands load lazily: `papershelf add` imports the list-writing code and nothing of the feeds or
the server, and `papershelf --help` imports no command at all (it shows the short help kept in
`COMMANDS`, which `tests/test_cli_lazy.py` checks against the commands themselves).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from papershelf import __version__
from papershelf.sync.errors import PapershelfError

log = logging.getLogger(__name__)

#: The modules that add commands (each has `register(group)`), in help order.
COMMAND_MODULES = (
    "papershelf.server.cli_init",
    "papershelf.server.cli_lists",
    "papershelf.server.cli_style",
    "papershelf.server.cli_check",
    "papershelf.server.cli_serve",
    "papershelf.server.cli_status",
    "papershelf.server.cli_sync",
    "papershelf.server.cli_feeds",
)
#: Each command's module and short help, so that `--help` and a command import only what they
#: need. A command a module registers but this table lacks still runs (every module is then
#: loaded to find it); the test keeps the table true.
COMMANDS: dict[str, tuple[str, str]] = {
    "accept": ("papershelf.server.cli_feeds", "Add a candidate to its suggested (or the given) list and..."),
    "add": ("papershelf.server.cli_lists", "Add one paper to a section of a list, in the list's own style."),
    "candidates": ("papershelf.server.cli_feeds", "List candidates, best first, with their suggested list and..."),
    "check": ("papershelf.server.cli_check", "Lint lists: duplicates within and across lists, mojibake,..."),
    "init": ("papershelf.server.cli_init", "Make FOLDER (default: this one) the workspace papershelf..."),
    "parse": ("papershelf.server.cli_lists", "Show the parsed structure of one list: sections, entries..."),
    "poll": ("papershelf.server.cli_feeds", "Poll the feeds once (progress shown on a terminal) and..."),
    "reject": ("papershelf.server.cli_feeds", "Reject a candidate; it is written to..."),
    "serve": ("papershelf.server.cli_serve", "Run the HTTP server, the sync daemon and the feed scheduler..."),
    "snooze": ("papershelf.server.cli_feeds", "Put a pending candidate aside to decide later (only on this..."),
    "status": ("papershelf.server.cli_status", "Summarise the server, sync, feeds and queued clips (--json:..."),
    "style": ("papershelf.server.cli_style", "Show the entry style and placement learned from a list, and..."),
    "suggest": ("papershelf.server.cli_feeds", "Suggest where a paper belongs: ranked list and section,..."),
    "sync": ("papershelf.server.cli_sync", "Run the sync daemon alone (until Ctrl-C or SIGTERM), or..."),
    "token": ("papershelf.server.cli_serve", "Print the pairing token the browser extension needs (made..."),
}  # fmt: skip
#: Commands `--help` does not show (git runs them), by module.
HIDDEN_COMMANDS: dict[str, str] = {"merge-driver": "papershelf.server.cli_sync"}


def register_commands(module: str, group: click.Group) -> None:
    """Import the command module `module` (one of COMMAND_MODULES) and add its commands to
    `group`; each import is written out, so that tools and readers see it."""
    match module:
        case "papershelf.server.cli_init":
            from . import cli_init

            cli_init.register(group)
        case "papershelf.server.cli_lists":
            from . import cli_lists

            cli_lists.register(group)
        case "papershelf.server.cli_style":
            from . import cli_style

            cli_style.register(group)
        case "papershelf.server.cli_check":
            from . import cli_check

            cli_check.register(group)
        case "papershelf.server.cli_serve":
            from . import cli_serve

            cli_serve.register(group)
        case "papershelf.server.cli_status":
            from . import cli_status

            cli_status.register(group)
        case "papershelf.server.cli_sync":
            from . import cli_sync

            cli_sync.register(group)
        case "papershelf.server.cli_feeds":
            from . import cli_feeds

            cli_feeds.register(group)
        case _:
            raise ValueError(f"no command module {module}")


def help_limit(names: list[str], width: int) -> int:
    """How long a short help may be in the command list (as click's own groups count it)."""
    return width - 6 - max(len(name) for name in names)


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: set[str] = set()

    def load(self, module: str) -> None:
        """Import one command module and let it register its commands (once)."""
        if module not in self._loaded:
            self._loaded.add(module)
            register_commands(module, self)

    def load_all(self) -> None:
        """Import every command module."""
        for module in COMMAND_MODULES:
            self.load(module)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, without importing any command."""
        return sorted(set(COMMANDS) | set(HIDDEN_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported now (all modules for a name the table lacks)."""
        if cmd_name not in self.commands:
            module = (
                COMMANDS[cmd_name][0] if cmd_name in COMMANDS else HIDDEN_COMMANDS.get(cmd_name)
            )
            if module is not None:
                self.load(module)
            if cmd_name not in self.commands:
                self.load_all()
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `--help`, from the table (commands already loaded speak for
        themselves)."""
        names = [n for n in self.list_commands(ctx) if n not in HIDDEN_COMMANDS]
        limit = help_limit(names, formatter.width)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, COMMANDS[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="papershelf")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """Keep hand-curated markdown paper lists current."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


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
