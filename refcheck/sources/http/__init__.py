"""The HTTP edge every source shares: session, transport, retry policy, rate limits, cache,
replay.

:mod:`~refcheck.sources.http.service` holds the session owner, the settings of a second
source and one way to send a request and read its answer (timeouts, the one redirect policy,
secrets only to their own origin, answers cached once validated);
:mod:`~refcheck.sources.http.transport` the transport under every session (answers bounded in
size and total time, requests that Ctrl-C can call off);
:mod:`~refcheck.sources.http.retry` the retry policy (tenacity, behind it);
:mod:`~refcheck.sources.http.breaker` the circuit breaker that stops asking a service that
cannot be reached;
:mod:`~refcheck.sources.http.limits` the rate and concurrency limits;
:mod:`~refcheck.sources.http.cache` the persistent cache (the only module that touches its
database); :mod:`~refcheck.sources.http.replay` recorded exchanges for offline runs. No
service's own keys appear here.
"""
