"""Bundled sample data, written by us: fictional but realistic notices from Norrbotten buyers."""
