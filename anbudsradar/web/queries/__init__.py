"""Read queries behind the pages and the API; each returns typed rows, never ORM objects to templates."""
