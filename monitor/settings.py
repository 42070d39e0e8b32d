"""Scrapy settings for portal-monitor (``scrapy.cfg`` points here).

Every knob of ours is a ``MONITOR_*`` setting. ``MONITOR_REGISTRY``, ``MONITOR_DB`` and ``MONITOR_NOW``
are read from ``-s``, then from environment variables of the same names, then default to the shipped
registry and ``data/monitor.db``: the module reads the environment, and ``-s`` (command-line priority)
overrides it. Every other ``MONITOR_*`` default may also come from the environment.
"""

import os

from monitor.paths import DEFAULT_DB, REGISTRY_CSV
from monitor.settings_defaults import MONITOR_DEFAULTS
from monitor import __version__

BOT_NAME = "portal-monitor"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "monitor.commands"


def _env(name, default):
    return os.environ.get(name, default)


MONITOR_REGISTRY = _env("MONITOR_REGISTRY", str(REGISTRY_CSV))
MONITOR_DB = _env("MONITOR_DB", str(DEFAULT_DB))
MONITOR_NOW = _env("MONITOR_NOW", "")
#: host suffixes accepted in a registry besides .gov.cn (comma list), e.g. for a private test fleet
MONITOR_ALLOW_HOSTS = _env("MONITOR_ALLOW_HOSTS", "")
#: who runs the crawler; sent in the User-Agent so a portal's administrator can reach the operator
MONITOR_CONTACT = _env("MONITOR_CONTACT", "set MONITOR_CONTACT to your office's e-mail")
#: how deep to follow column links from the homepage (1: the columns the homepage links to)
MONITOR_COLUMN_DEPTH = int(_env("MONITOR_COLUMN_DEPTH", "1"))
#: most pages fetched per portal and crawl (homepage, columns, footer scripts); columns beyond it
#: are recorded as discovered but not fetched, so they are unknown rather than stale
MONITOR_MAX_PAGES_PER_PORTAL = int(_env("MONITOR_MAX_PAGES_PER_PORTAL", "30"))
#: most columns discovered per page (keeps a link farm from flooding the queue)
MONITOR_MAX_COLUMNS_PER_PAGE = int(_env("MONITOR_MAX_COLUMNS_PER_PAGE", "40"))
#: same-host footer scripts/iframes fetched when the homepage HTML shows no error-report entry
MONITOR_MAX_FOOTER_RESOURCES = int(_env("MONITOR_MAX_FOOTER_RESOURCES", "4"))
#: JS rendering through scrapy-playwright: on (when chromium exists), off
MONITOR_RENDER = _env("MONITOR_RENDER", "on")
MONITOR_CHROMIUM = _env("MONITOR_CHROMIUM", "/usr/bin/chromium")
#: rows buffered before the store writes them in one transaction
MONITOR_BATCH_SIZE = int(_env("MONITOR_BATCH_SIZE", "200"))
#: a running crawl whose heartbeat is older than this many seconds is considered dead (aborted)
MONITOR_HEARTBEAT_STALE = int(_env("MONITOR_HEARTBEAT_STALE", "900"))

# the official rules' thresholds (monitor/settings_defaults.py); an environment variable of the
# same name overrides a default, ``-s`` overrides both
for _name, _default in MONITOR_DEFAULTS.items():
    globals()[_name] = os.environ.get(_name, _default)
#: probe rounds in which at least this share of portals failed at once are invalid (our network)
MONITOR_PROBE_INVALID_SHARE = float(_env("MONITOR_PROBE_INVALID_SHARE", "0.5"))
MONITOR_PROBE_INVALID_MIN_PORTALS = int(_env("MONITOR_PROBE_INVALID_MIN_PORTALS", "4"))
#: visits older than this are rolled up per portal and day (visit_days) and deleted
MONITOR_VISIT_RETENTION_DAYS = int(_env("MONITOR_VISIT_RETENTION_DAYS", "30"))

#: where the statecouncil spider reads releases (scheme and host; the sandbox serves http://www.gov.cn)
MONITOR_GOVCN_BASE = _env("MONITOR_GOVCN_BASE", "https://www.gov.cn")
#: most releases taken per statecouncil crawl
MONITOR_GOVCN_MAX_RELEASES = int(_env("MONITOR_GOVCN_MAX_RELEASES", "300"))
#: repost matcher score threshold (0-1), see monitor/match
MONITOR_REPOST_THRESHOLD = float(_env("MONITOR_REPOST_THRESHOLD", "0.88"))

USER_AGENT = (f"portal-monitor/{__version__} (government website monitoring; "
              f"+contact: {MONITOR_CONTACT})")

# robots.txt: obeyed by default. Government portals are public information that the official rules
# require to be accessible, but a portal's administrator may still ask crawlers to stay away from
# parts of it (search endpoints, dynamic pages); the monitor identifies itself and respects that.
# A blocked homepage is recorded as error "robots" (not a failure of the portal). Supervising
# offices that have the mandate to check every page set ROBOTSTXT_OBEY=False.
ROBOTSTXT_OBEY = _env("MONITOR_ROBOTSTXT_OBEY", "1") not in ("0", "false", "False", "")

# Politeness: portals are often small servers; at most 2 requests at once per host, AutoThrottle.
CONCURRENT_REQUESTS = int(_env("MONITOR_CONCURRENT_REQUESTS", "32"))
CONCURRENT_REQUESTS_PER_DOMAIN = int(_env("MONITOR_CONCURRENT_PER_DOMAIN", "2"))
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0
# The official availability rule: a visit fails when the homepage has not loaded after 15 s.
DOWNLOAD_TIMEOUT = 15
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 1
# redirects are followed by the spider itself, so an off-host redirect is recorded, not followed
REDIRECT_ENABLED = False
METAREFRESH_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPERROR_ALLOW_ALL = True
DNS_TIMEOUT = 10
REACTOR_THREADPOOL_MAXSIZE = 20
LOG_LEVEL = _env("MONITOR_LOG_LEVEL", "INFO")
DEPTH_PRIORITY = 1  # breadth-first: every portal's homepage before anyone's deep pages
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
FEED_EXPORT_ENCODING = "utf-8"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

ITEM_PIPELINES = {
    "pipelines.dates.DatesPipeline": 100,
    "pipelines.elements.ElementsPipeline": 200,
    "pipelines.reposts.RepostsPipeline": 300,
    "pipelines.snapshots.SnapshotsPipeline": 900,
}

# scrapy-playwright: switched on per crawl by monitor.rendering when chromium is present
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": MONITOR_CHROMIUM,
    "headless": True,
    # the launch options that work on Debian's chromium here (STYLE.md), plus the switches that keep
    # the browser from phoning home (sign-in, updates, field trials) through the crawl's proxy
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
             "--no-default-browser-check", "--disable-default-apps", "--disable-extensions",
             "--disable-domain-reliability", "--disable-client-side-phishing-detection",
             "--disable-breakpad", "--metrics-recording-only", "--disable-field-trial-config",
             "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,"
             "CertificateTransparencyComponentUpdater,DialMediaRouteProvider,AccountConsistency,"
             "ChromeWhatsNewUI,InterestFeedContentSuggestions,PrivacySandboxSettings4",
             "--no-pings", "--password-store=basic", "--use-mock-keychain"],
}
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 15_000
