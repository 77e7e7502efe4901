"""The ``classroom`` subcommands, one module per area (see ``kiosk/cli.py``)."""
