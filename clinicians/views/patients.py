"""Stub: replaced by the owner of the clinician's patient pages."""
