"""`python -m papershelf`: the `papershelf` command, where the environment's scripts are not on PATH."""

import sys

from papershelf.server.cli import main

if __name__ == "__main__":
    sys.exit(main())
