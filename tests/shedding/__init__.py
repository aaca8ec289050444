"""Tests for sentinel.shedding."""
