// What Swift cannot call for a TUN device: the TUNSETIFF ioctl (a function-like macro and a union in struct
// ifreq), prctl (variadic) and clock_nanosleep with an absolute monotonic deadline in one call.
// Only those live here; reading and writing packets is plain read(2)/write(2) from Swift.
#ifndef HOMEREADY_TUN_SHIM_H
#define HOMEREADY_TUN_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <linux/if_tun.h>

/// Opens (creating it when it does not exist) the layer-3 TUN device `name` without packet information headers.
/// Returns the file descriptor, or -errno.
static inline int homeready_tun_open(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

/// Lowers this thread's timer slack so sleeps end within microseconds of their deadline. Returns 0 or -errno.
static inline int homeready_tun_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0) == 0 ? 0 : -errno;
}

/// CLOCK_MONOTONIC now, in nanoseconds.
static inline uint64_t homeready_tun_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

/// Sleeps until CLOCK_MONOTONIC reads `deadline` nanoseconds (returns at once when it has passed).
static inline void homeready_tun_sleep_until(uint64_t deadline) {
    struct timespec until;
    until.tv_sec = (time_t)(deadline / 1000000000ull);
    until.tv_nsec = (long)(deadline % 1000000000ull);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {}
}

#endif
