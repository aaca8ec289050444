"""Shared test helpers: real services and real servers, never mocks."""
