"""A microcontroller that samples CT clamps and reports RMS currents over USB serial."""
