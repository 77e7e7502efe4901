"""The paperwork schools keep: a room's usage log and monthly device evaluation, a school's
self-assessment summary; as XLSX (openpyxl) and A4 PDF (reportlab, DejaVu) with the
Vietnamese administrative header."""
