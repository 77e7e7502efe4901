"""The core benchmark still runs (tiny sizes; no timing is asserted, only that it prints its table)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_core_runs_tiny(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_core.py"), "--tiny", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    for measure in ("durable append p50 / p99", "bare write+fdatasync", "late / early ratio",
                    "bytes the journal writes per event", "per school day", "detector per reading"):
        assert measure in result.stdout, measure
    assert list(tmp_path.iterdir()) == []  # it cleans up after itself
