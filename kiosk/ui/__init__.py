"""The touchscreen kiosk (Kivy): home, tap-in, fault report, today/month, IT mode.

Only ``kiosk.ui.app`` and the screen folders import Kivy; ``model``, ``telex`` and
``worker`` are plain Python so the rules behind the screens are testable without a
display. The UI talks to the agent core only, through one worker thread.
"""
