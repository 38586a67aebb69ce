// Wrappers for OpenSSL 3 macros that Swift cannot import.
#ifndef HOMEREADY_OPENSSL_SHIM_H
#define HOMEREADY_OPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

static inline long homeready_ssl_set_sni(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline int homeready_ssl_ctx_set_min_proto(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long homeready_bio_do_connect(BIO *bio) {
    return BIO_do_connect(bio);
}
static inline long homeready_bio_set_conn_hostname(BIO *bio, const char *hostport) {
    return BIO_set_conn_hostname(bio, hostport);
}
static inline int homeready_tls1_2_version(void) { return TLS1_2_VERSION; }
static inline int homeready_tls1_version(void) { return TLS1_VERSION; }

#endif
