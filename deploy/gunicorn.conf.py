"""gunicorn settings for the survey service: ``gunicorn -c gunicorn.conf.py 'survey:create_app()'``.

Sync workers: each request is a short transaction, and the database is the limit, not the
worker count. Command-line flags override these (the tests pass --bind and --workers).
"""

import multiprocessing
import os

bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")
# 2 x cores + 1, the usual start for sync workers; each holds at most one database
# connection at a time (see docs/deploy.md for what that means for PostgreSQL).
workers = int(os.environ.get("SURVEY_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 30
graceful_timeout = 10
# A worker is replaced after this many requests (with jitter): no slow leak lives for weeks.
max_requests = 2000
max_requests_jitter = 200
# No access log: gunicorn's line holds the path, and a ballot path (/b/<token>) or a receipt
# code beside a time is the one record that could be set beside the votes. The app logs each
# request by its route pattern instead (survey/core/logs.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("SURVEY_LOG_LEVEL", "info").lower()
# nginx on the same host is the one proxy; the app's ProxyFix (SURVEY_TRUSTED_PROXIES=1) reads
# the forwarded headers, gunicorn need not.
forwarded_allow_ips = "127.0.0.1"
