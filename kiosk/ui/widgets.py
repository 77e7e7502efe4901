"""Shared kiosk widgets (layout in ``widgets.kv``): buttons, tiles, the share bar, the keyboard."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

# Colours: dark background, light text, one strong colour per kind of action.
BG = (0.086, 0.129, 0.169, 1)
CARD = (0.133, 0.192, 0.247, 1)
GREEN = (0.153, 0.588, 0.329, 1)
ORANGE = (0.855, 0.420, 0.102, 1)
BLUE = (0.184, 0.420, 0.690, 1)
GREY = (0.306, 0.365, 0.420, 1)
RED = (0.780, 0.200, 0.200, 1)
STATE_COLORS = {"on": GREEN, "off": GREY, "missing": RED}
STATUS_COLORS = {"used": GREEN, "not_used": RED, "no_data": (0.75, 0.6, 0.1, 1), "exempt": BLUE}


class KButton(ButtonBehavior, Label):
    """A big flat button with a coloured background; darker while pressed."""

    bg_color = ColorProperty(BLUE)
    is_selected = BooleanProperty(False)
    action = StringProperty("")


class Card(BoxLayout):
    """A rounded panel."""

    bg_color = ColorProperty(CARD)


class Tile(BoxLayout):
    """One device: name, live state, minutes used this lesson; red edge while a fault is open."""

    kind_text = StringProperty("")
    state = StringProperty("missing")
    state_text = StringProperty("")
    minutes_text = StringProperty("")
    fault_text = StringProperty("")
    state_color = ColorProperty(GREY)


class ShareBar(Widget):
    """This month's share (0-1) as a bar with the target as a white tick."""

    share = NumericProperty(0.0)
    target = NumericProperty(0.9)
    bar_color = ColorProperty(GREEN)


class Keyboard(BoxLayout):
    """An on-screen keyboard: letter rows, delete, Telex on/off, space, done.

    Keys call ``app.keyboard_press(key)``; the app hands each key to the field that
    opened the keyboard. With Telex on, that field composes Vietnamese (``kiosk.ui.telex``).
    """

    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")

    def on_kv_post(self, base_widget: Any) -> None:
        """Build the key rows once (each key's look is the ``<KeyButton>`` rule)."""
        from kivy.factory import Factory

        for row in self.rows:
            line = Factory.KeyRow()
            for key in row:
                line.add_widget(Factory.KeyButton(text=key, action=key))
            if row == self.rows[-1]:
                line.add_widget(Factory.KeyBackspace())
            self.add_widget(line)
        self.add_widget(Factory.KeyBottomRow())


class ReportRow(BoxLayout):
    """One lesson in a list: what (left), its status (right, coloured), device minutes below."""

    left_text = StringProperty("")
    right_text = StringProperty("")
    detail_text = StringProperty("")
    status_color = ColorProperty(GREY)


class FaultRow(BoxLayout):
    """An open fault in IT mode with its close button."""

    text = StringProperty("")
    seq = NumericProperty(0)
