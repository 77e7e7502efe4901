"""The one wire schema both ends import (``sync.schema``), and the Pi's upload client."""
