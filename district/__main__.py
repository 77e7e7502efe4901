"""``python -m district`` runs the ``district`` command."""

from district.cli import main

main()
