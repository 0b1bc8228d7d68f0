"""Blueprints, one per audience."""
