"""Tests for sentinel.health."""
