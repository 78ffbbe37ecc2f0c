"""Reference data shipped with the project (Swedish municipalities with their counties and NUTS-3 codes)."""
