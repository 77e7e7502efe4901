"""The Pi's append-only event journal: TinyDB over power-cut-safe day files."""

from kiosk.journal.journal import Journal
from kiosk.journal.storage import FileOps, JournalDB, JournalStorage

__all__ = ["FileOps", "Journal", "JournalDB", "JournalStorage"]
