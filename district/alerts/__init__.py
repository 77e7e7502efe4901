"""Alerts that surface by themselves, and the daily e-mail digest."""
