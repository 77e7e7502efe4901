"""Systemd units, Pi provisioning and first boot, server service files."""
