"""Scrapy spiders: ``portal`` (homepage + columns), ``probe`` (availability), ``statecouncil``
(State Council releases from www.gov.cn)."""
