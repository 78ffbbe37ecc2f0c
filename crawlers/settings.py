"""Scrapy settings of the crawlers. Every value that differs from Scrapy's default says why.

`anbudsradar crawl` starts from these, with DATABASE_URL and USER_AGENT read from the environment
(anbudsradar.config, crawlers.config); `--fast` and `-s NAME=VALUE` override them.
"""

from __future__ import annotations

from anbudsradar.config import load_settings
from crawlers.config import load_crawl_settings

# Scrapy's project plumbing (no defaults to differ from): the bot's name and where the spiders are.
BOT_NAME = "anbudsradar"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- Politeness -------------------------------------------------------------------------------
# Default "Scrapy/VERSION (+https://scrapy.org)": site owners must see who crawls and how to
# reach them, so the User-Agent names Anbudsradar and the contact (ANBUDSRADAR_CRAWL_CONTACT).
USER_AGENT = load_crawl_settings().user_agent()
# Default False: public bodies say in robots.txt what may be crawled, and we do as they say.
ROBOTSTXT_OBEY = True
# Default False: adapt the pace to each server's response times instead of a fixed rate.
AUTOTHROTTLE_ENABLED = True
# Default 5 s: 2 s is already gentle for the first requests, before latencies are known.
AUTOTHROTTLE_START_DELAY = 2.0
# Default 0: never less than a second between two requests to one host (AutoThrottle's floor).
DOWNLOAD_DELAY = 1.0
# Default 8: municipal and advertisement-database servers are small; two at a time per host.
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Default True: no source needs a session, and cookies would make requests differ per run.
COOKIES_ENABLED = False
# Default {"Accept-Language": "en", ...}: the sources are Swedish; ask for Swedish first.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "sv,en;q=0.8",
}

# --- Retries: all in crawlers.middlewares.PoliteRetryMiddleware ----------------------------------
# Default: Scrapy's RetryMiddleware, which neither waits for Retry-After nor checks gzip bodies.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,  # replaced by the one below
    "crawlers.middlewares.PoliteRetryMiddleware": 550,
}
# Default 2: three retries (four attempts) ride out a short outage of a small server.
RETRY_TIMES = 3
# Scrapy's default: a body shorter than its Content-Length raises ResponseDataLossError, which
# the retry middleware retries (instead of handing a cut package or page to a spider).
DOWNLOAD_FAIL_ON_DATALOSS = True
# Ours: seconds before the first retry of a 429/5xx without Retry-After or of a network error
# (timeout, refused or dropped connection), doubled each attempt.
RETRY_BACKOFF_BASE = 2.0
# Ours: the longest Retry-After we wait for; a longer one gives the request up for this run.
RETRY_AFTER_MAX = 300.0
# Default: Scrapy's RFPDupeFilter, which drops a redirect back to a URL already asked for without a
# word, so a redirect loop looked like a source with nothing new; now it ends at REDIRECT_MAX_TIMES
# and is recorded as a failed fetch of the source.
DUPEFILTER_CLASS = "crawlers.middlewares.RedirectAwareDupeFilter"
# Default 1 GB: the largest thing fetched is a daily package (some tens of MB); refuse the absurd.
DOWNLOAD_MAXSIZE = 512 * 1024 * 1024
# Default 32 MB: daily packages are this big by nature; warn only above 128 MB.
DOWNLOAD_WARNSIZE = 128 * 1024 * 1024

# --- Storage ------------------------------------------------------------------------------------
# Default 100: Scrapy starts that many asyncio tasks per response to run items through the
# pipelines in parallel; ours are synchronous (storage has its own thread), so the tasks only cost
# time (a third of a local crawl at 100).
CONCURRENT_ITEMS = 1
# Default none: parse (crawlers.parsers), keep what the source's filter wants, store (models).
ITEM_PIPELINES = {
    "crawlers.pipelines.ParsePipeline": 100,
    "crawlers.pipelines.FilterPipeline": 200,
    "crawlers.pipelines.StorePipeline": 300,
}
# Ours: the database (any SQLAlchemy URL): the environment's, or the default SQLite file.
DATABASE_URL = load_settings().database_url
# Ours: outcomes stored per transaction (models.store commits once per batch).
STORE_BATCH_SIZE = 200

# --- Source endpoints (settings, so that tests and the demo point them at 127.0.0.1) ------------
TED_SEARCH_API_URL = "https://api.ted.europa.eu/v3/notices/search"
TED_NOTICE_XML_URL = "https://ted.europa.eu/en/notice/{publication_number}/xml"
TED_DAILY_PACKAGE_URL = "https://ted.europa.eu/packages/daily/{issue}"
TED_RELEASE_CALENDAR_URL = "https://ted.europa.eu/en/release-calendar/-/download/file/CSV/{year}"

# --- Output ---------------------------------------------------------------------------------------
# Default None (JSON exports escape non-ASCII): Swedish text stays readable in exported feeds.
FEED_EXPORT_ENCODING = "utf-8"
# Default DEBUG: a line per request drowns the summary of a crawl of thousands of notices.
LOG_LEVEL = "INFO"
# Default True: `anbudsradar crawl` prints its own table per source (and stores it in crawl_run);
# Scrapy's dump of every counter is there with -s STATS_DUMP=True.
STATS_DUMP = False
# Default on: nobody needs a telnet console into a crawl, and it opens a port.
TELNETCONSOLE_ENABLED = False
# Default True: an HTTP server per crawl that runs code sent to it (token-protected) and writes job
# files; a scheduled crawl needs neither, and it is one more open port.
REMOTE_CONTROL_ENABLED = False
