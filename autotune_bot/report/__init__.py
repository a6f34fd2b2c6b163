"""Renderers of analysis reports (terminal text, JSON)."""
