"""Error classes recorded for every failed fetch."""

import pytest
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)

from monitor.fetching import classify_failure, classify_response

JIASULE = (b"<html><body><script>document.cookie=('__jsl_clearance=1566;max-age=3600;path=/');"
           b"location.href=location.pathname+location.search</script></body></html>")
RUISHU = b'<html><head><meta content="x"><script>$_ts=window["$_ts"];if(!$_ts)$_ts={};</script></head></html>'


@pytest.mark.parametrize("squid, expected", [
    ("ERR_DNS_FAIL 0", "dns"), ("ERR_CONNECT_FAIL 111", "refused"), ("ERR_READ_TIMEOUT 0", "timeout"),
    ("ERR_SECURE_CONNECT_FAIL 71", "tls"), ("ERR_ZERO_SIZE_OBJECT 0", "reset")])
def test_proxy_errors_map_to_the_direct_classes(squid, expected):
    assert classify_response(503, {"x-squid-error": squid}, b"<html>squid</html>") == expected


def test_challenge_pages_are_blocked_not_content():
    assert classify_response(521, {}, JIASULE) == "blocked"
    assert classify_response(412, {}, RUISHU) == "blocked"
    assert classify_response(200, {}, JIASULE) == "blocked"


def test_real_pages_and_http_errors():
    page = "<html><body>河南省人民政府 document.cookie 说明</body></html>".encode() + b" " * 30000
    assert classify_response(200, {}, page) is None
    assert classify_response(404, {}, b"not found") == "http_4xx"
    assert classify_response(503, {}, b"busy") == "http_5xx"
    assert classify_response(301, {}, b"") is None


@pytest.mark.parametrize("exc, expected", [
    (CannotResolveHostError("x"), "dns"), (DownloadConnectionRefusedError("x"), "refused"),
    (DownloadTimeoutError("x"), "timeout"), (DownloadCancelledError("x"), "too_large"),
    (ResponseDataLossError("x"), "reset"), (IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (OSError("SSL routines: certificate verify failed"), "tls")])
def test_failures(exc, expected):
    assert classify_failure(exc) == expected
