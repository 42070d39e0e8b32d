"""Scrapy settings for portal-monitor (``scrapy.cfg`` points here).

Only Scrapy's own settings live here. Every knob of ours is a ``MONITOR_*`` setting, declared with its
default and validation in ``monitor/config.py`` (``MonitorSettings``) and read from ``-s``, then the
environment, then that default; ``monitor.addon.MonitorAddon`` applies the ones Scrapy needs
(User-Agent with ``MONITOR_CONTACT``, robots.txt, concurrency).
"""

from monitor.config import environment_value

BOT_NAME = "portal-monitor"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "monitor.commands"
ADDONS = {"monitor.addon.MonitorAddon": 0}

# robots.txt: obeyed by default. Government portals are public information that the official rules
# require to be accessible, but a portal's administrator may still ask crawlers to stay away from
# parts of it (search endpoints, dynamic pages); the monitor identifies itself and respects that.
# A blocked homepage is recorded as error "robots" (not a failure of the portal). Supervising
# offices that have the mandate to check every page set ROBOTSTXT_OBEY=False.
ROBOTSTXT_OBEY = True  # MONITOR_ROBOTSTXT_OBEY=0 turns it off (monitor.addon)

# Politeness: portals are often small servers; at most 2 requests at once per host, AutoThrottle.
CONCURRENT_REQUESTS = 32  # MONITOR_CONCURRENT_REQUESTS
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # MONITOR_CONCURRENT_PER_DOMAIN
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
# read before any crawler exists, so straight from the environment
LOG_LEVEL = environment_value("MONITOR_LOG_LEVEL", "INFO")
DEPTH_PRIORITY = 1  # breadth-first: every portal's homepage before anyone's deep pages
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
FEED_EXPORT_ENCODING = "utf-8"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# a resumed crawl (-s JOBDIR=…) drops the requests its stopped run had queued (monitor/resume.py);
# nothing is fetched from an internal address (monitor/guard.py; after HttpProxyMiddleware, 750)
DOWNLOADER_MIDDLEWARES = {"monitor.resume.StaleRequestsMiddleware": 50,
                          "monitor.guard.PrivateAddressGuard": 760}

ITEM_PIPELINES = {
    "pipelines.dates.DatesPipeline": 100,
    "pipelines.elements.ElementsPipeline": 200,
    "pipelines.content.ContentPipeline": 250,
    "pipelines.reposts.RepostsPipeline": 300,
    "pipelines.portals.PortalCrawlPipeline": 800,
    "pipelines.snapshots.SnapshotsPipeline": 900,
}

# scrapy-playwright: switched on per crawl by monitor.rendering when chromium is present
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",  # MONITOR_CHROMIUM (monitor.rendering)
    "headless": True,
    # the launch options that work on Debian's chromium here (as root, no GPU), plus the switches that keep
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
