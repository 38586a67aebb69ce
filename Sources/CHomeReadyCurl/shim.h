// Typed wrappers for libcurl's variadic calls, which Swift cannot import.
// Only what Swift cannot call lives here; everything else is used directly.
#ifndef HOMEREADY_CURL_SHIM_H
#define HOMEREADY_CURL_SHIM_H

#include <curl/curl.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>

typedef size_t (*homeready_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*homeready_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow,
                                                curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode homeready_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode homeready_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode homeready_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode homeready_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode homeready_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode homeready_curl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                                                homeready_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode homeready_curl_easy_setopt_progress_callback(CURL *handle,
                                                                    homeready_curl_progress_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}
static inline CURLcode homeready_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode homeready_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode homeready_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode homeready_curl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode homeready_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode homeready_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

typedef int (*homeready_curl_sockopt_callback)(void *context, curl_socket_t fd, curlsocktype purpose);
/// Sets CURLOPT_SOCKOPTFUNCTION: called with each new socket, so the caller can follow its TCP counters.
static inline CURLcode homeready_curl_easy_setopt_sockopt_callback(CURL *handle, homeready_curl_sockopt_callback value) {
    return curl_easy_setopt(handle, CURLOPT_SOCKOPTFUNCTION, value);
}

typedef int (*homeready_curl_closesocket_callback)(void *context, curl_socket_t fd);
/// Sets CURLOPT_CLOSESOCKETFUNCTION: the callback must close `fd` itself.
static inline CURLcode homeready_curl_easy_setopt_closesocket_callback(CURL *handle, homeready_curl_closesocket_callback value) {
    return curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, value);
}

/// Initialises libcurl once, before any transfer thread starts (as CURL_GLOBAL_DEFAULT).
static inline CURLcode homeready_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}
/// libcurl's error text for a code, never NULL.
static inline const char *homeready_curl_strerror(CURLcode code) {
    return curl_easy_strerror(code);
}
/// Accessors for CURLMsg's union, which Swift reads awkwardly.
static inline CURL *homeready_curl_msg_easy(CURLMsg *message) { return message->easy_handle; }
static inline int homeready_curl_msg_is_done(CURLMsg *message) { return message->msg == CURLMSG_DONE; }
static inline CURLcode homeready_curl_msg_result(CURLMsg *message) { return message->data.result; }

/// The socket of a handle's current connection (CURLINFO_ACTIVESOCKET), -1 when none.
static inline int homeready_curl_active_socket(CURL *handle) {
    curl_socket_t socket = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK) return -1;
    return socket == CURL_SOCKET_BAD ? -1 : (int)socket;
}
/// Bytes the peer acknowledged (acked != 0) or bytes received on a TCP socket, from the kernel's TCP_INFO
/// (RFC 4898 counters): what actually crossed the link, not what sits in socket buffers. -1 when unknown.
static inline long long homeready_tcp_bytes(int fd, int acked) {
#ifdef __linux__
    // Read into a raw buffer: glibc's struct tcp_info stops before these counters and <linux/tcp.h> clashes with
    // glibc's headers in Swift's module map. Offsets are the kernel UAPI's (stable ABI since Linux 4.1/4.2):
    // tcpi_bytes_acked at 120, tcpi_bytes_received at 128 (TCP_INFO = 11, IPPROTO_TCP = 6).
    unsigned char info[256];
    socklen_t length = sizeof(info);
    memset(info, 0, sizeof(info));
    if (getsockopt(fd, 6, 11, info, &length) != 0) return -1;
    size_t offset = acked ? 120 : 128;
    if (length < offset + 8) return -1;
    uint64_t value;
    memcpy(&value, info + offset, sizeof(value));
    return (long long)value;
#else
    (void)fd; (void)acked;
    return -1;
#endif
}

#endif
