/// Network measurement of the home link: throughput, latency (idle and under load), jitter, loss, DNS and TLS
/// times, and voice quality, judged against the profile.
