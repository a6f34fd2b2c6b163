"""Forges: where proposals are published (local branches and drafts, or GitHub)."""
