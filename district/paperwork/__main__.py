"""``python -m district.paperwork``: the paperwork export without the ``district`` CLI wiring."""

from district.paperwork.cli import export_paperwork

if __name__ == "__main__":
    export_paperwork()
