"""Models for reports."""
