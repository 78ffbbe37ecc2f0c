"""The crawling layer: spiders fetch (crawlers.spiders), parsers read (crawlers.parsers), pipelines store."""
