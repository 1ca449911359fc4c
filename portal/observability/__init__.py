"""What an operator watches: `/health/` for load balancers, Prometheus metrics at `/metrics`, and the
submission and release ids carried into every log line (web and worker).

- `context`: the ids of the submission, release and task in hand (contextvars), and the logging
  filter that adds them to each record;
- `middleware`: per request, the ids from the URL and the request counters;
- `metrics`: the counters and histograms (requests, Celery tasks) and the `/metrics` view;
- `state`: gauges read at each scrape (submissions by status, oldest waiting review, latest release,
  queue lengths, worker heartbeats);
- `health`: the checks behind `/health/`;
- `tasks`: the heartbeat each queue's worker writes.
"""
