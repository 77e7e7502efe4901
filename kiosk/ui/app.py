"""The kiosk app: screens, the worker thread, card reader, dimming, the lesson prompt.

``run_app(agent, stop)`` runs on the main thread while the agent runs in its own; the
agent's listeners tell the app something changed, and every read or write of the
journal goes through :class:`~kiosk.ui.worker.Worker`. Widgets change only on the
main thread (the worker posts back through ``Clock.schedule_once``).
"""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import Any

# isort: off
from kiosk.ui import boot  # noqa: F401 - Kivy settings before Kivy is imported
# isort: on

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.factory import Factory  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import BooleanProperty, NumericProperty, StringProperty  # noqa: E402
from kivy.uix.floatlayout import FloatLayout  # noqa: E402
from kivy.uix.screenmanager import NoTransition, ScreenManager  # noqa: E402

from kiosk.agent import Agent  # noqa: E402
from kiosk.commands.common import DEFAULT_CONFIG  # noqa: E402
from kiosk.i18n import _, language, set_language  # noqa: E402
from kiosk.ui import model  # noqa: E402
from kiosk.ui.display import Backlight  # noqa: E402
from kiosk.ui.fonts import install_font  # noqa: E402
from kiosk.ui.widgets import BG  # noqa: E402
from kiosk.ui.worker import Worker  # noqa: E402

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
SCREENS = ("home", "tapin", "fault", "report", "itmode", "itcal", "itenrol")
ENTER_KEYS = (13, 271)  # Return and keypad Enter, as a USB card reader sends them
REFRESH_S = 2.0
MONTH_REFRESH_S = 60.0


class KioskRoot(FloatLayout):
    """The window's root: the screens, a message line, the dimming veil. Sees every touch first."""

    def on_touch_down(self, touch: Any) -> bool:
        app = App.get_running_app()
        if app is not None and app.woke_by_touch():
            return True  # the touch that wakes the screen does nothing else
        return bool(super().on_touch_down(touch))


class KioskApp(App):
    """The classroom touchscreen. ``agent`` is the running core; ``stop`` ends the program."""

    lang = StringProperty("vi")
    s = NumericProperty(1.0)  # scale: 1.0 at 800×480, 1.6 at 1280×800
    telex = BooleanProperty(True)
    veil = NumericProperty(0.0)  # opacity of the dimming veil
    message = StringProperty("")
    is_message_error = BooleanProperty(False)
    prompt = StringProperty("")
    blank_timeout_s = NumericProperty(120.0)
    brightness = NumericProperty(100.0)

    def __init__(self, agent: Agent, stop: threading.Event | None = None, *, syncer: Any = None,
                 backlight: Backlight | None = None, config_path: Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title = "Classroom"
        self.agent = agent
        self.stop_event = stop or threading.Event()
        self.syncer = syncer
        self.backlight = backlight or Backlight()
        self.config_path = config_path or DEFAULT_CONFIG  # the room TOML that IT-mode calibration rewrites
        self.worker = Worker(post=lambda fn: Clock.schedule_once(lambda _dt: fn(), 0))
        self.lang = language()
        self.home_state: model.HomeState | None = None
        self.month_state: model.MonthState | None = None
        self.keyboard_target: Any = None
        self.card_buffer = ""
        self._idle_s = 0.0
        self._is_dirty = True
        self._faults_dirty = True
        self._since_refresh_s = 0.0
        self._since_month_s = MONTH_REFRESH_S
        self._prompted: tuple[Any, int] | None = None
        self._message_event: Any = None
        self.screens: dict[str, Any] = {}

    # --- building ------------------------------------------------------------------
    def build(self) -> Any:
        install_font()
        Window.clearcolor = BG
        Builder.load_file(str(HERE / "widgets.kv"))
        Builder.load_file(str(HERE / "app.kv"))
        self.manager = ScreenManager(transition=NoTransition())
        for name in SCREENS:
            view_module = importlib.import_module(f"kiosk.ui.{name}.view")
            Builder.load_file(str(HERE / name / f"{name}.kv"))
            view = view_module.View(name=name)
            self.screens[name] = view
            self.manager.add_widget(view)
        root = Factory.KioskRoot()
        root.ids.holder.add_widget(self.manager)
        return root

    def on_start(self) -> None:
        Window.bind(on_resize=self._rescale, on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        self._rescale(Window, *Window.size)
        self.agent.listeners.append(self._on_agent_event)
        Clock.schedule_interval(self._tick, 0.5)
        self.refresh(month=True)

    def on_stop(self) -> None:
        if self._on_agent_event in self.agent.listeners:
            self.agent.listeners.remove(self._on_agent_event)
        self.worker.shutdown()

    def _rescale(self, _window: Any, width: int, height: int) -> None:
        self.s = max(0.6, min(width / 800.0, height / 480.0))

    # --- navigation and messages -----------------------------------------------------
    def go(self, name: str) -> None:
        """Show screen ``name``; its controller refreshes what it shows."""
        self.close_keyboard()
        self.manager.current = name
        self.screens[name].controller.on_show()

    def tr(self, message: str) -> str:
        """``message`` in the kiosk's language (for scripts and controllers)."""
        return _(message)

    def show_message(self, text: str, *, is_error: bool = False, seconds: float = 5.0) -> None:
        """A line at the bottom of the screen for a few seconds."""
        self.message = text
        self.is_message_error = is_error
        if self._message_event is not None:
            self._message_event.cancel()
        self._message_event = Clock.schedule_once(lambda _dt: setattr(self, "message", ""), seconds)

    def show_error(self, exc: BaseException) -> None:
        """A refused or failed action, in words (the core's messages are translated)."""
        self.show_message(str(exc), is_error=True, seconds=8.0)

    def set_lang(self, lang: str) -> None:
        """Switch the language of every screen at once."""
        set_language(lang)
        self.lang = lang
        self.message = ""  # it was in the other language
        for view in self.screens.values():
            view.controller.on_language()

    # --- data ----------------------------------------------------------------------------
    def refresh(self, *, month: bool = False) -> None:
        """Read the home state (and the month) on the worker; screens update when it arrives."""
        self._since_refresh_s = 0.0
        self._is_dirty = False
        faults = None if month or self._faults_dirty or self.home_state is None else self.home_state.open_faults
        self._faults_dirty = False
        self.worker.submit(lambda: model.home_state(self.agent, faults), self._got_home, self.show_error)
        if month:
            self._since_month_s = 0.0
            self.worker.submit(lambda: model.month_state(self.agent), self._got_month, self.show_error)
            self.worker.submit(lambda: model.setup_problem(self.agent), self._got_setup_problem, self.show_error)

    def _got_home(self, state: model.HomeState) -> None:
        self.home_state = state
        self._check_prompt(state)
        self.screens["home"].controller.show(state)

    def _got_month(self, state: model.MonthState) -> None:
        self.month_state = state
        self.screens["home"].controller.show_month(state)

    def _got_setup_problem(self, problem: str | None) -> None:
        if problem:
            # kept on screen until the next check, a minute on, finds it fixed
            self.show_message(_("Setup problem: {problem} — IT staff: run classroom doctor").format(problem=problem),
                              is_error=True, seconds=MONTH_REFRESH_S + 5)

    def _on_agent_event(self, event: dict[str, Any]) -> None:
        """Called on the agent's thread: only flag, the UI thread refreshes."""
        is_person = event.get("type") in ("tapin", "exempt", "tapin_undone", "fault", "fault_closed")
        is_fault = event.get("type") in ("fault", "fault_closed")

        def mark(_dt: float) -> None:
            self._is_dirty = True
            self._faults_dirty = self._faults_dirty or is_fault
            if is_person:
                self._since_month_s = MONTH_REFRESH_S

        Clock.schedule_once(mark, 0)

    def _tick(self, dt: float) -> None:
        if self.stop_event.is_set():
            self.stop()
            return
        self._since_refresh_s += dt
        self._since_month_s += dt
        if self._since_month_s >= MONTH_REFRESH_S:
            self.refresh(month=True)
        elif self._is_dirty or self._since_refresh_s >= REFRESH_S:
            if self.worker.pending == 0:
                self.refresh()
        self._idle_s += dt
        if self._idle_s >= self.blank_timeout_s and self.veil == 0:
            self.dim()

    # --- the lesson prompt ----------------------------------------------------------------
    def _check_prompt(self, state: model.HomeState) -> None:
        period = state.period
        if state.tap is not None or period is None or state.tap_period is None:
            self.prompt = ""
            return
        key = state.tap_period
        self.prompt = _("Period {period} is starting: tap “Start lesson”").format(period=key[1])
        if self._prompted != key:
            self._prompted = key
            if self.manager.current == "home":
                self.wake()

    # --- dimming ------------------------------------------------------------------------
    def dim(self) -> None:
        """Darken the screen after inactivity (veil, and the backlight where there is one)."""
        self.veil = 0.85
        self.worker.submit(lambda: self.backlight.set_percent(min(self.brightness, 10.0)))
        if self.manager.current not in ("home",):
            self.go("home")

    def wake(self) -> None:
        """Full brightness again."""
        self._idle_s = 0.0
        if self.veil:
            self.veil = 0.0
            self.worker.submit(lambda: self.backlight.set_percent(self.brightness))

    def woke_by_touch(self) -> bool:
        """Note a touch; True when it only woke the screen."""
        was_dim = self.veil > 0
        self.card_buffer = ""
        self.wake()
        return was_dim

    def set_brightness(self, percent: float) -> None:
        """Backlight level in percent (10-100), applied on the worker."""
        self.brightness = max(10.0, min(100.0, percent))
        self.worker.submit(lambda: self.backlight.set_percent(self.brightness))

    # --- the on-screen keyboard -------------------------------------------------------------
    def open_keyboard(self, target: Any) -> None:
        """Send the keyboard's keys to ``target(key)`` until ``done``."""
        self.keyboard_target = target

    def close_keyboard(self) -> None:
        """Forget the keyboard's target."""
        self.keyboard_target = None

    def keyboard_press(self, key: str) -> None:
        """A key of the on-screen keyboard was tapped."""
        if key == "telex":
            self.telex = not self.telex
            return
        if self.keyboard_target is not None:
            self.keyboard_target(key)

    # --- the card reader (a USB keyboard typing the card id, then Enter) ----------------------
    def _on_textinput(self, _window: Any, text: str) -> None:
        self.card_buffer = (self.card_buffer + text)[-64:]

    def _on_key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        if key not in ENTER_KEYS:
            return False
        card, self.card_buffer = self.card_buffer.strip(), ""
        if card:
            self.wake()
            self.screens["tapin"].controller.tap_card(card)
            return True
        return False


def load_syncer() -> Any:
    """``kiosk.syncer`` when another part of the program provides it, else None."""
    try:
        return importlib.import_module("kiosk.syncer")
    except ImportError:
        return None


def run_app(agent: Agent, stop: threading.Event, config_path: Path | None = None) -> None:
    """Run the touchscreen on the main thread until the window closes or ``stop`` is set."""
    app = KioskApp(agent, stop, syncer=load_syncer(), config_path=config_path)
    app.run()
