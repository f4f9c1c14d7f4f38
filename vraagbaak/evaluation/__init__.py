"""Measuring the search: quality on question files, speed on real and synthetic data."""
