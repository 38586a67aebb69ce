// GnuTLS arrives in the agent only as a dependency of libcurl's librtmp (RTMPS) and of OpenLDAP, protocols the
// agent never uses (its TLS is OpenSSL's), yet GnuTLS's library constructor initialises it in every process that
// loads it: its algorithms, p11-kit and the system's trust modules, about 0.9 MB of a check's peak
// (docs/performance.md). The constructor first asks `_gnutls_global_init_skip()`, a weak function GnuTLS exports
// so that a program can answer it: the agent exports this definition (Package.swift, `--export-dynamic-symbol`),
// and the dynamic loader binds GnuTLS's call to it. GnuTLS still initialises itself if anything calls
// `gnutls_global_init`, as OpenLDAP does before it uses TLS. Unlike GNUTLS_NO_IMPLICIT_INIT, nothing reaches the
// commands the agent runs.
/// Asked by GnuTLS's library constructor: 1 skips its initialisation.
int _gnutls_global_init_skip(void);
int _gnutls_global_init_skip(void) { return 1; }
