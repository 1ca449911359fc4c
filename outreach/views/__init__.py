"""Outreach pages: public ones in .public, staff tools in .staff."""
