"""``python -m kiosk`` is the ``classroom`` command."""

from kiosk.cli import main

main()
