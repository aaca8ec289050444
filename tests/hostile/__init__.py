"""Hostile clients over real HTTP: slow bodies, floods, spelling games, full stores (issue #12)."""
