"""Turning validated changes into proposals (branches and pull requests) and keeping them tidy."""
