"""Tests for the delivery planner."""
