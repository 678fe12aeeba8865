"""Tests for the delivery app."""
