"""Outreach: newsletter, contact requests, coverage (models added by the outreach work)."""
