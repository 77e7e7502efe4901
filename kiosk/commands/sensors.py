"""``classroom sensors`` (a live per-channel table for wiring checks) and ``classroom calibrate``.

Both read the configured sources (or the simulated board with ``--simulate``). Run
them with the agent stopped (``sudo systemctl stop classroom``): the sensors and the
journal have one user at a time.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from hardware.ct_catalogue import CATALOGUE
from hardware.polling import Health
from hardware.reading import Reading
from kiosk.agent import Agent, detector_for
from kiosk.calibration import CalibrationRejected, Proposal, propose, write_levels
from kiosk.clock import SystemClock
from kiosk.commands.common import KIND_LABELS, config_option, journal_dir_of, journal_option, load
from kiosk.config import RoomConfig
from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from kiosk.journal import Journal
from kiosk.sources import Sources, build_sources

STATE_LABELS = {"on": N_("on"), "off": N_("off"), "missing": N_("missing")}
STATE_STYLES = {"on": "green", "off": "white", "missing": "yellow"}
PROBLEM_LABELS = {
    "unplugged": N_("CT unplugged"),
    "bias": N_("bias fault"),
    "clipped": N_("clipping"),
    "io": N_("no answer from the ADC"),
    "slow": N_("sampling too slow"),
    "nodata": N_("no samples"),
}
SOURCE_LABELS = {"gpio": N_("current switch"), "mcp3008": N_("CT via MCP3008"), "serial": N_("serial board"),
                 "replay": N_("replay"), "simulator": N_("simulator")}


def problem_label(reason: str) -> str:
    """A sensor problem word from :mod:`hardware` or the board, in the user's language."""
    return _(PROBLEM_LABELS[reason]) if reason in PROBLEM_LABELS else reason


class LiveView:
    """Readings in, a table of channel / device / amps / detector state / sensor problem out."""

    def __init__(self, config: RoomConfig, health: Health, *, simulated: bool = False) -> None:
        self.config = config
        self.health = health
        self.simulated = simulated
        self.detector = detector_for(config)
        self.seen: dict[int, float] = {}
        self.rejected = 0
        self._lock = threading.Lock()

    def feed(self, reading: Reading) -> None:
        """Take one reading (thread-safe)."""
        with self._lock:
            try:
                self.detector.feed(reading)
            except KioskError:
                self.rejected += 1
                return
            self.seen[reading.channel] = time.monotonic()

    def table(self) -> Table:
        """The table as it is now."""
        with self._lock:
            self.detector.tick(time.time())
            states = self.detector.states()
            amps = self.detector.last_amps()
            seen = dict(self.seen)
        problems = self.health.snapshot()
        table = Table(title=_("Sensors of room {room}").format(room=self.config.room.code))
        for header in (_("Channel"), _("Device"), _("Source"), _("Amps"), _("State"), _("Last reading"),
                       _("Sensor problem")):
            table.add_column(header)
        now = time.monotonic()
        for device in sorted(self.config.devices, key=lambda d: d.channel):
            ch = device.channel
            state = states.get(ch, "missing")
            source = "serial" if self.simulated else device.source
            last = amps.get(ch)
            table.add_row(
                str(ch),
                _(KIND_LABELS[device.kind]),
                _(SOURCE_LABELS[source]),
                "—" if last is None else f"{last:.3f}",
                f"[{STATE_STYLES[state]}]{_(STATE_LABELS[state])}[/]",
                "—" if ch not in seen else _("{s:.0f} s ago").format(s=now - seen[ch]),
                f"[red]{problem_label(problems[ch])}[/]" if ch in problems else "",
            )
        return table


def _start(config: RoomConfig, simulate: bool, stop: threading.Event) -> Sources:
    return build_sources(config, clock=SystemClock(), stop=stop, simulate=simulate)


def _consume(sources: Sources, on_reading: object) -> threading.Thread:
    def run() -> None:
        for reading in sources:
            on_reading(reading)  # type: ignore[operator]

    thread = threading.Thread(target=run, name="sensors", daemon=True)
    thread.start()
    return thread


@click.command(help=_("Show live per-channel readings with the detector's state, for wiring checks."))
@config_option
@click.option("--simulate", is_flag=True, help=_("Read from a simulated board over a pseudo-terminal."))
@click.option("--seconds", type=click.FloatRange(min=0.5), default=None,
              help=_("Stop after this many seconds (default: until Ctrl+C)."))
def sensors(config_path: Path, simulate: bool, seconds: float | None) -> None:
    config = load(config_path)
    stop = threading.Event()
    sources = _start(config, simulate, stop)
    view = LiveView(config, sources.health, simulated=simulate)
    _consume(sources, view.feed)
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        with Live(view.table(), refresh_per_second=2, console=Console()) as live:
            while deadline is None or time.monotonic() < deadline:
                if stop.wait(0.5):
                    break
                live.update(view.table())
    except KeyboardInterrupt:
        pass
    finally:
        sources.close()


class Collector:
    """Keeps the readings of each channel that arrive while it is asked to listen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listening: dict[int, deque[float]] = {}

    def feed(self, reading: Reading) -> None:
        with self._lock:
            buf = self._listening.get(reading.channel)
            if buf is not None:
                buf.append(reading.amps)

    def collect(self, channel: int, seconds: float, stop: threading.Event) -> list[float]:
        """The readings of ``channel`` over the next ``seconds``."""
        with self._lock:
            self._listening[channel] = deque(maxlen=10000)
        stop.wait(seconds)
        with self._lock:
            return list(self._listening.pop(channel))


def _clamp_table() -> Table:
    table = Table(title=_("Common CT clamps"))
    for header in (_("Model"), _("Rated amps"), _("Turns"), _("Burden"), _("Calibrated range")):
        table.add_column(header)
    for model in CATALOGUE.values():
        low, high = model.calibrated_range_amps
        burden = _("built in") if model.builtin_burden else f"{model.suggested_burden_ohms:g} Ω"
        table.add_row(model.name, f"{model.rated_amps:g} A", f"{model.turns_ratio:g}", burden,
                      f"{low:g}-{high:g} A")
    return table


def _measure(device_label: str, channel: int, collector: Collector, seconds: float,
             stop: threading.Event) -> tuple[list[float], list[float]]:
    click.prompt(_("Switch OFF the {device} on channel {channel} (plugged in, on standby), then press Enter").format(
        device=device_label, channel=channel), default="", show_default=False)
    click.echo(_("Measuring standby for {s:.0f} s…").format(s=seconds))
    standby = collector.collect(channel, seconds, stop)
    click.prompt(_("Switch ON the {device} on channel {channel}, then press Enter").format(
        device=device_label, channel=channel), default="", show_default=False)
    click.echo(_("Measuring on for {s:.0f} s…").format(s=seconds))
    on = collector.collect(channel, seconds, stop)
    return standby, on


@click.command(help=_("Measure each device's standby and on current, propose thresholds, write them."))
@config_option
@journal_option
@click.option("--simulate", is_flag=True, help=_("Read from a simulated board over a pseudo-terminal."))
@click.option("--seconds", type=click.FloatRange(min=1.0), default=15.0, show_default=True,
              help=_("How long to measure each level."))
@click.option("--channel", "channels", type=int, multiple=True, help=_("Only this channel (repeatable)."))
@click.option("--yes", is_flag=True, help=_("Write the result without asking."))
@click.option("--list-clamps", is_flag=True, help=_("Print the catalogue of common CT clamps and exit."))
def calibrate(config_path: Path, journal_dir: Path | None, simulate: bool, seconds: float,
              channels: tuple[int, ...], yes: bool, list_clamps: bool) -> None:
    console = Console()
    if list_clamps:
        console.print(_clamp_table())
        return
    config = load(config_path)
    devices = [d for d in config.devices if not channels or d.channel in channels]
    if not devices:
        raise click.ClickException(_("no device on the channels given"))
    stop = threading.Event()
    collector = Collector()
    sources = _start(config, simulate, stop)
    _consume(sources, collector.feed)
    proposals: list[Proposal] = []
    try:
        for device in devices:
            label = _(KIND_LABELS[device.kind])
            if device.source == "gpio" and not simulate:
                click.echo(_("Channel {channel} is a current switch: standby 0, on 1; nothing to measure.").format(
                    channel=device.channel))
                continue
            standby, on = _measure(label, device.channel, collector, seconds, stop)
            problem = sources.health.snapshot().get(device.channel)
            if problem:
                click.secho(_("Channel {channel}: sensor problem: {problem}").format(
                    channel=device.channel, problem=problem_label(problem)), fg="red")
                continue
            try:
                proposal = propose(device.channel, standby, on, on_fraction=config.detector.on_fraction,
                                   off_fraction=config.detector.off_fraction)
            except CalibrationRejected as exc:
                click.secho(_("Channel {channel} rejected: {error}").format(channel=device.channel, error=exc),
                            fg="red")
                continue
            click.echo(_("Channel {channel}: standby {standby} A, on {on} A; on above {up} A, off below {down} A").format(
                channel=device.channel, standby=proposal.standby_amps, on=proposal.on_amps,
                up=proposal.on_threshold_amps, down=proposal.off_threshold_amps))
            proposals.append(proposal)
    finally:
        sources.close()
    if not proposals:
        raise click.ClickException(_("nothing calibrated; the configuration is unchanged"))
    if not yes and not click.confirm(_("Write these levels to {path}?").format(path=config_path), default=True):
        return
    new_config = write_levels(config_path, proposals)
    clock = SystemClock()
    journal = Journal.open(journal_dir_of(new_config, journal_dir), tz=new_config.tz, clock=clock)
    try:
        agent = Agent(new_config, journal, clock)
        for p in proposals:
            agent.record_calibration(channel=p.channel, standby_amps=p.standby_amps, on_amps=p.on_amps)
    finally:
        journal.close()
    click.echo(_("Saved {n} calibration(s) to {path} and the journal.").format(n=len(proposals), path=config_path))
