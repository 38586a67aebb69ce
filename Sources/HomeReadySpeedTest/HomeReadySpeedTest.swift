/// Server side of the speed test: HTTP endpoints and the UDP echo responder.
