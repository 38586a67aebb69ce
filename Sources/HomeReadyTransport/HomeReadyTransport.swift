/// Swift over libcurl and OpenSSL: HTTP transfers with timing, TLS inspection, sockets.
