"""The classroom program on the Pi: detector, journal, agent, touchscreen and the `classroom` CLI."""

__version__ = "0.1.0"
