"""Helpers every app may use; nothing here imports an app of the portal."""
