"""`papershelf` loads only the command it runs; its table of commands stays true."""

from __future__ import annotations

import subprocess
import sys

import click

from papershelf.server.cli import COMMAND_MODULES, COMMANDS, HIDDEN_COMMANDS, LazyGroup, help_limit


def test_the_table_names_every_command_with_its_module_and_short_help() -> None:
    """`--help` shows COMMANDS without importing the commands: it must say what they say."""
    found: dict[str, tuple[str, click.Command]] = {}
    for module in COMMAND_MODULES:
        group = LazyGroup()
        group.load(module)
        for name, command in group.commands.items():
            found[name] = (module, command)
    shown = {name: pair for name, pair in found.items() if not pair[1].hidden}
    limit = help_limit(sorted(shown), click.HelpFormatter().width)
    actual = {
        name: (module, cmd.get_short_help_str(limit)) for name, (module, cmd) in shown.items()
    }
    assert actual == COMMANDS, "update papershelf.server.cli.COMMANDS to what the commands say"
    hidden = {name: module for name, (module, cmd) in found.items() if cmd.hidden}
    assert hidden == HIDDEN_COMMANDS


def test_help_and_a_command_import_only_what_they_need() -> None:
    """`--help` imports no command module; `add --help` nothing of the feeds or the server."""
    probe = (
        "import sys\n"
        "from papershelf.server.cli import main\n"
        "main(sys.argv[1:])\n"
        "heavy = ('papershelf.feeds', 'sklearn', 'flask', 'git', 'papershelf.server.cli_lists',\n"
        "         'papershelf.server.cli_feeds')\n"
        "print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy)))\n"
    )
    plain = subprocess.run(
        [sys.executable, "-c", probe, "--help"], capture_output=True, text=True, check=True
    )
    assert plain.stdout.strip().endswith("[]"), plain.stdout[-300:]
    add = subprocess.run(
        [sys.executable, "-c", probe, "add", "--help"], capture_output=True, text=True, check=True
    )
    loaded = add.stdout.strip().splitlines()[-1]
    assert "papershelf.server.cli_lists" in loaded
    assert "sklearn" not in loaded and "'papershelf.feeds" not in loaded and "'git'" not in loaded


def test_an_unknown_command_is_a_usage_error() -> None:
    group = LazyGroup()
    ctx = click.Context(group)
    assert group.get_command(ctx, "no-such-command") is None
    assert group.get_command(ctx, "add") is not None


def test_a_server_without_feeds_holds_no_ranking_models(tmp_path) -> None:
    """The app imports the ranking code (scikit-learn, numpy, scipy) only when a request needs it."""
    root = tmp_path / "ws"
    (root / ".papershelf").mkdir(parents=True)
    (root / "a.md").write_text("# A\n\n## B\n\n- [X](https://arxiv.org/abs/2401.00001)\n")
    probe = (
        "import sys\n"
        "from papershelf.server.app import create_app\n"
        f"create_app({{'PAPERSHELF_WORKSPACE': {str(root)!r}}})\n"
        "heavy = ('sklearn', 'numpy', 'scipy', 'git', 'watchdog', 'apscheduler')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "             or m in ['papershelf.feeds.' + n for n in ('poll', 'rank', 'relevance', 'scheduler')]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout[-500:]
