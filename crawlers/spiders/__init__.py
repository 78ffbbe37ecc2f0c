"""The spiders, one per source kind; a source in sources.yaml names its kind and so its spider."""
