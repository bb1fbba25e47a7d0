"""Tickets: the model, reading one from its JSON shape, and reading streams of them."""
