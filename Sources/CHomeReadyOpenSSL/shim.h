// Wrappers for OpenSSL 3 macros that Swift cannot import.
#ifndef HOMEREADY_OPENSSL_SHIM_H
#define HOMEREADY_OPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/evp.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

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

/// An opaque handle to a peer chain, so Swift never names the stack type.
static inline void *homeready_ssl_peer_chain(const SSL *ssl) {
    return (void *)SSL_get_peer_cert_chain(ssl);
}
static inline int homeready_chain_count(void *chain) {
    return chain == NULL ? 0 : sk_X509_num((STACK_OF(X509) *)chain);
}
static inline X509 *homeready_chain_at(void *chain, int index) {
    return sk_X509_value((STACK_OF(X509) *)chain, index);
}
/// Verifies `leaf` with `chain` as untrusted intermediates against `store`, at the current time, without a
/// host name check. Returns the X509_V_* result (0 = ok).
static inline int homeready_verify_chain(X509_STORE *store, X509 *leaf, void *chain) {
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (ctx == NULL) return -1;
    int result = -1;
    if (X509_STORE_CTX_init(ctx, store, leaf, (STACK_OF(X509) *)chain) == 1) {
        if (X509_verify_cert(ctx) == 1) {
            result = X509_V_OK;
        } else {
            result = X509_STORE_CTX_get_error(ctx);
            if (result == X509_V_OK) result = -1;
        }
    }
    X509_STORE_CTX_free(ctx);
    return result;
}
/// Bytes pending in a memory BIO (the `BIO_pending` macro).
static inline long homeready_bio_pending(BIO *bio) {
    return (long)BIO_pending(bio);
}

/// Flags for RFC 2253 distinguished names (`CN=gw.example.com,O=Example`).
static inline unsigned long homeready_name_flags_rfc2253(void) {
    return XN_FLAG_RFC2253;
}
/// Loads a PEM CA bundle into a store; returns 1 on success.
static inline int homeready_store_load_file(X509_STORE *store, const char *path) {
    return X509_STORE_load_file(store, path);
}

#endif
