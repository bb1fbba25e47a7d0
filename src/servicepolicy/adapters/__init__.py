"""Helpdesk adapters: one module per helpdesk (none yet)."""
