"""Tests for sentinel.headers."""
