"""Audit events: who did what to which object, when and why."""
