"""Benchmarks that measure rates side by side in one run; the CLI under `anbudsradar bench` calls them."""
