"""Sample package for the analysis tests."""
