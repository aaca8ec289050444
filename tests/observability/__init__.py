"""Tests for sentinel.observability."""
