"""Tests for sentinel.csrf."""
