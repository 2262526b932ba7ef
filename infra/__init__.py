"""Deployment template and the local embedded stack."""
