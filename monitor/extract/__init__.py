"""Pure extractors over page text/HTML: no Scrapy, no SQLite, `now` passed in.

Every extractor takes a :class:`monitor.extract.page.Page` (bytes decoded once, tree parsed once and
shared) and returns plain data, never raising on bad input.
"""
