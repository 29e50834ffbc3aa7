"""Models for scoring."""
