"""The district's policy as data: targets per school model and room type, and the rules' numbers.

Targets are policy, not constants (DOMAIN.md): the two presets below follow guidance
99/HD-PGD&ĐT (full e-school model) and the Gia Thượng partial-model plan; a district
or a school overrides any value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

DEVICE_KINDS = ("projector", "document_camera", "interactive_board", "audio")
ROOM_TYPES = (
    "regular_classroom",
    "it_room",
    "language_room",
    "multipurpose_room",
    "music_room",
    "art_room",
    "subject_room",
)
SCHOOL_MODELS = ("full", "partial")
LESSON_STATUSES = ("used", "not_used", "no_data", "exempt")
EXEMPT_REASONS = ("class_away", "exam", "outdoor")

_FULL_TARGETS = {
    "it_room": 1.0,
    "language_room": 1.0,
    "multipurpose_room": 1.0,
    "regular_classroom": 0.9,
    "music_room": 0.9,
    "art_room": 0.9,
    "subject_room": 0.9,
}
_PARTIAL_TARGETS = {
    "it_room": 1.0,
    "language_room": 1.0,
    "multipurpose_room": 0.5,
    "regular_classroom": 0.5,
    "music_room": 0.5,
    "art_room": 0.5,
    "subject_room": 0.5,
}


@dataclass(frozen=True)
class Policy:
    """Everything the verdict rules need that a district may decide.

    Attributes:
        model: the school model this policy was built for (``full`` or ``partial``).
        targets: share of lessons that must use IT equipment, per room type, 0.0-1.0.
        min_used_s: seconds of device use inside a lesson window that make it ``used``.
        no_data_fraction: a counted channel missing for more than this fraction of the
            window makes the lesson ``no_data`` (0.0-1.0).
        stale_s: a channel with no sample in this many seconds is missing.
        exempt_reasons: reasons a teacher may give for a lesson that did not need the room.
        counted_kinds: device kinds whose use counts towards ``used``.
    """

    model: str = "full"
    targets: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(_FULL_TARGETS))
    min_used_s: float = 300.0
    no_data_fraction: float = 0.5
    stale_s: float = 30.0
    exempt_reasons: tuple[str, ...] = EXEMPT_REASONS
    counted_kinds: tuple[str, ...] = DEVICE_KINDS

    def __post_init__(self) -> None:
        """Refuse values no district could mean (a policy arrives as data from the server)."""
        for room_type, share in self.targets.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"target {share} for {room_type} out of range 0.0-1.0")
        if self.min_used_s < 0:
            raise ValueError(f"min_used_s {self.min_used_s} must be 0 or more seconds")
        if not 0.0 <= self.no_data_fraction <= 1.0:
            raise ValueError(f"no_data_fraction {self.no_data_fraction} out of range 0.0-1.0")
        if self.stale_s <= 0:
            raise ValueError(f"stale_s {self.stale_s} must be above 0 seconds")

    def target_for(self, room_type: str) -> float:
        """The target share for ``room_type``; raises ``KeyError`` for an unknown type."""
        try:
            return self.targets[room_type]
        except KeyError:
            raise KeyError(f"no target for room type {room_type!r}") from None

    def with_overrides(
        self, *, targets: Mapping[str, float] | None = None, **values: object
    ) -> Policy:
        """A copy with some targets and/or rule values replaced (a school's overrides)."""
        merged = dict(self.targets)
        for room_type, share in (targets or {}).items():
            if room_type not in ROOM_TYPES:
                raise ValueError(f"unknown room type {room_type!r}; expected one of {ROOM_TYPES}")
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"target {share} for {room_type} out of range 0.0-1.0")
            merged[room_type] = float(share)
        return replace(self, targets=MappingProxyType(merged), **values)  # type: ignore[arg-type]


def preset(model: str) -> Policy:
    """The district preset for a school model: ``full`` or ``partial``.

    >>> preset("partial").target_for("regular_classroom")
    0.5
    """
    if model == "full":
        return Policy(model="full", targets=MappingProxyType(dict(_FULL_TARGETS)))
    if model == "partial":
        return Policy(model="partial", targets=MappingProxyType(dict(_PARTIAL_TARGETS)))
    raise ValueError(f"unknown school model {model!r}; expected one of {SCHOOL_MODELS}")
