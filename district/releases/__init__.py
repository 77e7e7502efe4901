"""Releases of the classroom program and their staged rollout to the Pis."""
