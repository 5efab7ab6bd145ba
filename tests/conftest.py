"""Shared pytest configuration: the local server fixtures from openaifs.testing."""

pytest_plugins = ["openaifs.testing"]
