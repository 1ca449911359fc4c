"""Outreach services: the work behind the views and tasks, one module per job."""
