"""A catalogue of common split-core CT clamps, so a technician picks a model, not numbers.

``turns_ratio`` is the secondary turns (primary amps per secondary amp). A
current-output clamp needs a burden resistor on the board (``builtin_burden`` False);
a voltage-output clamp has one inside and is rated in amps per volt.

Suggested burden for an MCP3008 at 3.3 V (bias 1.65 V): the peak secondary voltage at
the rated current must stay under ~1.5 V, so ``burden ≤ 1.5 / (rated × √2 / turns)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.errors import BadSetting


@dataclass(frozen=True)
class CtModel:
    """One clamp model: name, rated primary amps, turns ratio, burden inside or not."""

    name: str
    rated_amps: float
    turns_ratio: float
    builtin_burden: bool
    amps_per_volt: float | None = None  # for voltage-output clamps
    suggested_burden_ohms: float | None = None  # for current-output clamps at 3.3 V

    @property
    def calibrated_range_amps(self) -> tuple[float, float]:
        """Where a 10-bit ADC reads this clamp within 2 %: 5 % to 80 % of its rating.

        Below 5 % the signal is a few ADC counts and noise dominates; above 80 % a peaky
        (harmonic-rich) current may clip at the rails.
        """
        return (0.05 * self.rated_amps, 0.8 * self.rated_amps)

    def scale(self, burden_ohms: float | None = None) -> float:
        """Primary amps per volt at the ADC with this clamp (and ``burden_ohms`` if it needs one)."""
        if self.amps_per_volt is not None:
            return self.amps_per_volt
        burden = burden_ohms if burden_ohms is not None else self.suggested_burden_ohms
        if burden is None or burden <= 0:
            raise BadSetting(f"clamp {self.name} needs a burden resistor; set burden_ohms (e.g. 33)")
        return self.turns_ratio / burden


CATALOGUE: dict[str, CtModel] = {
    m.name: m
    for m in (
        # YHDC SCT-013 family: the -000 is current output; the others have a burden inside, 1 V at rating.
        CtModel("SCT-013-000", 100.0, 2000.0, False, suggested_burden_ohms=22.0),
        CtModel("SCT-013-005", 5.0, 1800.0, True, amps_per_volt=5.0),
        CtModel("SCT-013-010", 10.0, 1800.0, True, amps_per_volt=10.0),
        CtModel("SCT-013-015", 15.0, 1800.0, True, amps_per_volt=15.0),
        CtModel("SCT-013-020", 20.0, 1800.0, True, amps_per_volt=20.0),
        CtModel("SCT-013-030", 30.0, 1800.0, True, amps_per_volt=30.0),
        CtModel("SCT-013-050", 50.0, 2000.0, True, amps_per_volt=50.0),
        CtModel("SCT-013-060", 60.0, 2000.0, True, amps_per_volt=60.0),
        CtModel("SCT-013-100", 100.0, 2000.0, True, amps_per_volt=100.0),
        # Smaller clamps sized for classroom loads (a few amps): better resolution.
        CtModel("SCT-010T-D", 10.0, 1000.0, False, suggested_burden_ohms=100.0),
        CtModel("ZMCT103C", 5.0, 1000.0, False, suggested_burden_ohms=200.0),
        # OpenEnergyMonitor's own clamp (current output, 100 A : 50 mA).
        CtModel("OEM-100A", 100.0, 2000.0, False, suggested_burden_ohms=22.0),
    )
}


def ct_model(name: str) -> CtModel:
    """The catalogue entry for ``name`` (case-insensitive); raises :class:`BadSetting` if unknown."""
    for key, model in CATALOGUE.items():
        if key.lower() == name.strip().lower():
            return model
    known = ", ".join(CATALOGUE)
    raise BadSetting(f"unknown CT clamp model {name!r}; known: {known}")
