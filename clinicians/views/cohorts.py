"""Stub: replaced by the owner of cohorts."""
