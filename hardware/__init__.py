"""Current sensing on the Pi's own pins: current switches on GPIO, CT clamps through an MCP3008.

Every source yields the same :class:`hardware.reading.Reading` stream. This package
knows nothing of the journal, the UI, sync or the server. Importing it pulls in no
GPIO library; the sensor modules import gpiozero themselves.
"""

from hardware.reading import Reading

__all__ = ["Reading"]
