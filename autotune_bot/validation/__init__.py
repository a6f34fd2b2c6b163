"""Validating a proposed change: A/B runs, their statistics, constraints and evidence labels."""
