"""``python -m refcheck``: the same as the ``refcheck`` command."""

from refcheck.cli import main

main()
