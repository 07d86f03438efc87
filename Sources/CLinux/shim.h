#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The number of CPUs this process may run on (its affinity mask, so `taskset -c 0` gives 1).
/// `sched_getaffinity` and `CPU_COUNT` need `_GNU_SOURCE`, which Swift's Glibc module does not set,
/// so this asks the kernel directly.
static inline int drover_available_cpu_count(void) {
    unsigned long mask[64] = {0};
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
    if (bytes <= 0) return 1;
    int count = 0;
    for (long i = 0; i < bytes / (long)sizeof(unsigned long); i++) count += __builtin_popcountl(mask[i]);
    return count > 0 ? count : 1;
}

/// `accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC)`; `accept4` is a GNU extension that
/// Swift's Glibc module does not declare. `address` receives the peer's address (`length` in/out).
static inline int drover_accept_nonblocking(int fd, struct sockaddr *address, socklen_t *length) {
    return (int)syscall(SYS_accept4, fd, (void *)address, (void *)length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#include <spawn.h>

/// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np` and 2.29's
/// `posix_spawn_file_actions_addchdir_np`, which `spawn.h` declares only under `_GNU_SOURCE`:
/// a child started with them inherits no descriptor past the three standard ones, whatever the
/// parent has open, and starts in its own directory.
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions, const char *__restrict path);
