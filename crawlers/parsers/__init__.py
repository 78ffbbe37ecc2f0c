"""Pure parsers: published notice bytes -> `NoticeRecord`s, one module per format, no Scrapy import."""
