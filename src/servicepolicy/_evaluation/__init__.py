"""Ticket evaluation: replay, rules, measurement, compensation, outcomes and results."""
