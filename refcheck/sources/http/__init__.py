"""The HTTP edge every source shares: session, retry policy, rate limits, cache, replay.

:mod:`~refcheck.sources.http.service` holds the session owner, the settings of a second
source and one way to send a request and read its answer (timeouts, redirects, secrets);
:mod:`~refcheck.sources.http.retry` the retry policy (tenacity, behind it);
:mod:`~refcheck.sources.http.breaker` the circuit breaker that stops asking a service that
cannot be reached;
:mod:`~refcheck.sources.http.limits` the rate and concurrency limits;
:mod:`~refcheck.sources.http.cache` the persistent cache (the only module that touches its
database); :mod:`~refcheck.sources.http.replay` recorded exchanges for offline runs. No
service's own keys appear here.
"""
