"""Core commands: replay, scenario, lessons, simulate, demo, check-config."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
from babel.numbers import format_decimal
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

import criteria
from kiosk.agent import Agent
from kiosk.clock import ReplayClock, SystemClock
from kiosk.commands.common import config_option, journal_dir_of, journal_option, load, print_report
from kiosk.config import load_config
from kiosk.errors import ReadingsError, TimeWentBackwards, UnknownChannel
from kiosk.i18n import _, language
from kiosk.journal import Journal
from kiosk.readings_csv import ReadingsFile
from kiosk.report import report_dict, room_verdicts
from kiosk.scenario import run_scenario
from kiosk.simulate import simulate as simulate_room

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "examples" / "room.toml"


@click.command(help=_("Feed a readings CSV (plain or gzip) through the detector into the journal."))
@click.argument("readings", type=click.Path(path_type=Path, dir_okay=False))
@config_option
@journal_option
@click.option("--skip-bad", is_flag=True, help=_("Skip bad rows (counted) instead of stopping."))
def replay(readings: Path, config_path: Path, journal_dir: Path | None, skip_bad: bool) -> None:
    config = load(config_path)
    clock = ReplayClock(boot_id="replay")
    journal = Journal.open(journal_dir_of(config, journal_dir), tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    source = ReadingsFile(readings, skip_bad=skip_bad)
    count = 0
    first_seq = journal.last_seq + 1
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(_("replaying"), total=None)
        try:
            for reading in source:
                clock.advance(reading.time)
                if count == 0:
                    agent.start()
                try:
                    agent.process(reading)
                except UnknownChannel:
                    known = ", ".join(str(c) for c in agent.detector.channels)
                    raise ReadingsError(_("{path}: line {line}: channel {channel} is not in the room configuration (configured: {known})").format(
                        path=readings, line=source.line, channel=reading.channel, known=known)) from None
                except TimeWentBackwards:
                    raise ReadingsError(_("{path}: line {line}: time goes backwards on channel {channel}").format(
                        path=readings, line=source.line, channel=reading.channel)) from None
                count += 1
                if count % 20000 == 0:
                    progress.update(task, description=_("replaying: {n} readings").format(n=count))
            agent.end_of_readings()
        finally:
            journal.close()
    events = journal.last_seq - first_seq + 1
    click.echo(_("{n} readings replayed, {events} events journalled, {skipped} bad rows skipped").format(
        n=count, events=max(events, 0), skipped=source.skipped))


@click.group(help=_("Scenario folders: a room, its readings and tap-ins."))
def scenario() -> None:
    pass


@scenario.command("run", help=_("Replay scenario folders and print every lesson's verdict."))
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON (one object per folder)."))
@click.option("--local", is_flag=True, help=_("Core only: no district server."))
@click.option("--journal", "journal_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help=_("Keep the journal in this folder instead of a temporary one."))
def scenario_run(folders: tuple[Path, ...], as_json: bool, local: bool, journal_dir: Path | None) -> None:
    runner = run_scenario
    if not local:
        try:
            from kiosk.scenario_remote import run_scenario_via_district
        except ImportError:
            pass
        else:
            runner = run_scenario_via_district  # type: ignore[assignment]
    for folder in folders:
        report = runner(folder, journal_dir=journal_dir)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            print_report(report, title=f"{report.get('scenario', folder.name)}")


@click.command(help=_("Print the local lesson report of a month from the journal."))
@click.option("--month", default=None, help=_("YYYY-MM (default: this month)."))
@config_option
@journal_option
@click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
def lessons(month: str | None, config_path: Path, journal_dir: Path | None, as_json: bool) -> None:
    config = load(config_path)
    clock = SystemClock()
    journal = Journal.open(journal_dir_of(config, journal_dir), tz=config.tz, clock=clock, readonly=True)
    last = journal.last_event()
    now = max(clock.wall(), last["at"] if last else 0.0) if month is None else None
    if month is None:
        month = dt.datetime.fromtimestamp(clock.wall(), config.tz).strftime("%Y-%m")
    try:
        first, final = criteria.month_bounds(month)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    start = dt.datetime.combine(first, dt.time(0), tzinfo=config.tz).timestamp()
    end = dt.datetime.combine(final + dt.timedelta(days=1), dt.time(0), tzinfo=config.tz).timestamp()
    events = journal.events(start_at=start, until_at=end)
    until = now if now is not None else (last["at"] if last else start)
    verdicts = room_verdicts(config, events, first_date=first, last_date=final, until_at=until)
    report = report_dict(config, verdicts)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report, title=f"{config.room.name} — {month}")


def _monday(value: str | None) -> dt.date:
    if value is None:
        today = dt.date.today()
        return today - dt.timedelta(days=today.weekday())
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("expected a date YYYY-MM-DD"), param_hint="--week") from None
    return day - dt.timedelta(days=day.weekday())


@click.command(help=_("Generate a realistic week of a room's readings as a scenario folder."))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              default=EXAMPLE_CONFIG, show_default=True, help=_("Room configuration TOML file."))
@click.option("--week", default=None, help=_("Any date of the week to simulate (default: this week)."))
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--interval", "interval_s", type=click.FloatRange(1, 10), default=5.0, show_default=True,
              help=_("Seconds between samples."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
def simulate(config_path: Path, week: str | None, seed: int, interval_s: float, out_dir: Path) -> None:
    config = load_config(config_path)
    scenario_data = simulate_room(config, out_dir, monday=_monday(week), seed=seed, interval_s=interval_s)
    click.echo(_("{n} readings written to {path}").format(n=scenario_data["readings_count"], path=out_dir))


@click.command(help=_("Simulate a week of the demo room, replay it into a journal, print the verdicts."))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              default=EXAMPLE_CONFIG, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("var/demo"), show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--week", default="2026-11-16", show_default=True)
@click.option("--live", "live_s", type=click.IntRange(0, 3600), default=15, show_default=True,
              help=_("Then run the live agent on a simulated board for this many seconds (0: skip)."))
def demo(config_path: Path, out_dir: Path, seed: int, week: str, live_s: int) -> None:
    config = load_config(config_path)
    console = Console()
    scenario_dir = out_dir / "scenario"
    journal_dir = out_dir / "journal"
    shutil.rmtree(journal_dir, ignore_errors=True)
    started = time.monotonic()
    data = simulate_room(config, scenario_dir, monday=_monday(week), seed=seed)
    console.print(_("Simulated {n} readings of room {room} ({school}) for the week of {week}.").format(
        n=data["readings_count"], room=config.room.name, school=config.school.name, week=_monday(week)))
    report = run_scenario(scenario_dir, journal_dir=journal_dir)
    journal_files = sorted(journal_dir.glob("*.jsonl"))
    size = sum(p.stat().st_size for p in journal_files)
    console.print(_("Replayed through the detector into {files} day files ({events} events, {kb:.1f} KB) in {path}.").format(
        files=len(journal_files), events=report["journal_events"], kb=size / 1024, path=journal_dir))
    print_report(report, console=console, title=f"{config.room.name} — {config.school.name}")
    console.print(_("Took {s} s.").format(s=format_decimal(round(time.monotonic() - started, 1), locale=language())))
    if live_s > 0:
        _live(config_path, out_dir / "live-journal", live_s, console)


def _live(config_path: Path, journal_dir: Path, seconds: int, console: Console) -> None:
    """The live path: the agent reading a simulated board over a pseudo-terminal (real pyserial)."""
    shutil.rmtree(journal_dir, ignore_errors=True)
    console.print(_("Live: the agent reads a simulated sensor board over a pseudo-terminal for {s} s…").format(s=seconds))
    command = [sys.executable, "-m", "kiosk", "run", "--config", str(config_path), "--journal", str(journal_dir),
               "--simulate", "--headless"]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as agent:
        deadline = time.monotonic() + seconds
        with console.status("") as status:
            while time.monotonic() < deadline and agent.poll() is None:
                events = _journal_lines(journal_dir)
                status.update(_("live journal: {n} events").format(n=len(events)))
                time.sleep(0.5)
        agent.send_signal(signal.SIGTERM)
        _out, err = agent.communicate(timeout=30)
    if agent.returncode not in (0, -signal.SIGTERM):
        console.print(_("the live agent stopped with an error:") + f"\n{err.strip()[-2000:]}", style="red")
        return
    events = _journal_lines(journal_dir)
    counts: dict[str, int] = {}
    for event in events:
        counts[event["type"]] = counts.get(event["type"], 0) + 1
    console.print(_("Live journal in {path}: {n} events ({kinds}).").format(
        path=journal_dir, n=len(events), kinds=", ".join(f"{k} {v}" for k, v in sorted(counts.items()))))


def _journal_lines(journal_dir: Path) -> list[dict[str, Any]]:
    clock = ReplayClock(boot_id="demo-reader")
    if not journal_dir.is_dir():
        return []
    journal = Journal.open(journal_dir, tz=dt.UTC, clock=clock, readonly=True)
    try:
        return list(journal)
    finally:
        journal.close()


@click.command("check-config", help=_("Validate a room configuration file and print a summary."))
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def check_config(path: Path) -> None:
    config = load_config(path)
    click.echo(_("{path}: OK — {school}, {room} ({type}), {devices} devices, {lessons} weekly lessons, target {target}").format(
        path=path, school=config.school.name, room=config.room.name, type=config.room.type,
        devices=len(config.devices), lessons=len(config.timetable), target=f"{config.target:.0%}"))
    sys.stdout.flush()
