/// Pure math: E-model voice quality, Erlang C capacity, latency and jitter statistics.
