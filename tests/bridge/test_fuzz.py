"""Fuzz (hypothesis): random bytes, truncated frames, wrong checksums, endless lines at the host.

No exception escapes the parser or the host's decoder, and memory stays bounded: the
line buffer never holds more than its cap, whatever arrives.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_bridge.host import SerialBridge
from firmware_bridge.linebuffer import LineBuffer
from firmware_bridge.protocol import MAX_LINE, BadFrame, Frame, encode, parse_line

GOOD = encode("D", [("id", "PICO-1"), ("seq", "5"), ("t", "100"), ("iv", "5000"), ("c1", "1.2500"), ("c2", "!bias")])
OEM = b"MSG:117,Vrms:229.65,P1:312,P2:0,E1:1523,E2:0,T1:23.50,pulse:0\r\n"

fragments = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([GOOD, OEM, b"\n", b"\r\n", b"$CR1,D,", b"*", b"{", b"MSG:", b":", b","]),
    st.builds(lambda n: GOOD[:n], st.integers(0, len(GOOD))),  # truncated frames
    st.builds(lambda i, b: GOOD[:i] + bytes([b]) + GOOD[i + 1:], st.integers(1, len(GOOD) - 8),
              st.integers(0, 255)),  # one byte flipped: a wrong checksum
    st.builds(lambda n: b"x" * n, st.integers(0, 5000)),  # endless lines
)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_line_never_raises(raw: bytes) -> None:
    assert isinstance(parse_line(raw), Frame | BadFrame)


@settings(max_examples=300, deadline=None)
@given(st.builds(lambda i, b: GOOD[:i] + bytes([b]) + GOOD[i + 1:], st.integers(1, len(GOOD) - 8),
                 st.integers(0, 255)))
def test_a_flipped_byte_never_passes_as_other_values(raw: bytes) -> None:
    got = parse_line(raw)
    if isinstance(got, Frame) and got.kind == "data":
        assert raw == GOOD  # the byte flipped to itself


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragments, max_size=40))
def test_host_stream_no_crash_bounded_memory(chunks: list[bytes]) -> None:
    bridge = SerialBridge("/dev/fuzz", {1: 1, 2: 2}, dialect="oem", wall=lambda: 1.0)
    for chunk in chunks:
        for reading in bridge.feed_bytes(chunk):
            assert reading.channel in (1, 2) and reading.amps >= 0
        assert bridge._lines.pending <= MAX_LINE


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=3000), max_size=20), st.integers(16, 600))
def test_line_buffer_cap_holds(chunks: list[bytes], cap: int) -> None:
    buffer = LineBuffer(cap)
    for chunk in chunks:
        for line in buffer.feed(chunk):
            assert len(line) <= cap and b"\n" not in line
        assert buffer.pending <= cap
