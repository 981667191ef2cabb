/* sandbox.c - bubblewrap + libseccomp + rlimits around one untrusted
 * program; pipes for its output, a wall clock, a process-group kill. */
#include "node/eval/sandbox.h"

#include "node/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BWRAP "/usr/bin/bwrap"
#define MAX_ARGS 64

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void nm_sandbox_result_fini(struct nm_sandbox_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* System calls no test needs; each kills the process (SIGSYS). */
static const int forbidden[] = {
    SCMP_SYS(ptrace),        SCMP_SYS(mount),          SCMP_SYS(umount2),
    SCMP_SYS(unshare),       SCMP_SYS(setns),          SCMP_SYS(pivot_root),
    SCMP_SYS(chroot),        SCMP_SYS(bpf),            SCMP_SYS(keyctl),
    SCMP_SYS(add_key),       SCMP_SYS(request_key),    SCMP_SYS(init_module),
    SCMP_SYS(finit_module),  SCMP_SYS(delete_module),  SCMP_SYS(kexec_load),
    SCMP_SYS(reboot),        SCMP_SYS(perf_event_open), SCMP_SYS(process_vm_readv),
    SCMP_SYS(process_vm_writev), SCMP_SYS(userfaultfd), SCMP_SYS(swapon),
    SCMP_SYS(swapoff),       SCMP_SYS(acct),           SCMP_SYS(settimeofday),
};

/* The compiled filter in a memfd for bwrap --seccomp FD; -1 on failure. */
static int seccomp_program(bool no_fork)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return -1;
    int rc = 0;
    const uint32_t kill = SCMP_ACT_KILL_PROCESS;
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0] && !rc; i++)
        rc = seccomp_rule_add(ctx, kill, forbidden[i], 0);
    /* no network: only AF_UNIX sockets */
    if (!rc)
        rc = seccomp_rule_add(ctx, kill, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    if (!rc)
        rc = seccomp_rule_add(ctx, kill, SCMP_SYS(socketpair), 1,
                              SCMP_A0(SCMP_CMP_NE, AF_UNIX));
    if (no_fork && !rc) {
        rc = seccomp_rule_add(ctx, kill, SCMP_SYS(fork), 0);
        if (!rc)
            rc = seccomp_rule_add(ctx, kill, SCMP_SYS(vfork), 0);
        if (!rc) /* threads are fine, processes are not */
            rc = seccomp_rule_add(ctx, kill, SCMP_SYS(clone), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
        if (!rc) /* clone3 hides its flags: make libc fall back to clone */
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    }
    int fd = rc ? -1 : memfd_create("nm-seccomp", 0);
    if (fd >= 0 && (seccomp_export_bpf(ctx, fd) != 0 || lseek(fd, 0, SEEK_SET) != 0)) {
        close(fd);
        fd = -1;
    }
    seccomp_release(ctx);
    return fd;
}

static void set_limits(const struct nm_sandbox_limits *lim)
{
    struct rlimit r;
    r.rlim_cur = (rlim_t)lim->cpu_s;
    r.rlim_max = (rlim_t)lim->cpu_s + 1; /* SIGXCPU first, SIGKILL a second later */
    setrlimit(RLIMIT_CPU, &r);
    r.rlim_cur = r.rlim_max = (rlim_t)lim->mem_bytes;
    setrlimit(RLIMIT_AS, &r);
    r.rlim_cur = r.rlim_max = (rlim_t)lim->procs;
    setrlimit(RLIMIT_NPROC, &r);
    r.rlim_cur = r.rlim_max = (rlim_t)lim->fsize_bytes;
    setrlimit(RLIMIT_FSIZE, &r);
    r.rlim_cur = r.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &r);
}

static void limits_default(const struct nm_sandbox_limits *in, struct nm_sandbox_limits *out)
{
    *out = in ? *in : (struct nm_sandbox_limits){0};
    if (out->cpu_s <= 0)
        out->cpu_s = 5;
    if (!out->mem_bytes)
        out->mem_bytes = (uint64_t)512 << 20;
    if (out->procs <= 0)
        out->procs = 64;
    if (!out->fsize_bytes)
        out->fsize_bytes = (uint64_t)1 << 20;
    if (out->wall_ms <= 0)
        out->wall_ms = 10000;
    if (!out->max_output)
        out->max_output = (size_t)64 << 10;
}

struct capture {
    char *buf;
    size_t len;
};

static int capture_add(struct capture *c, const char *data, size_t n)
{
    char *nb = realloc(c->buf, c->len + n + 1);
    if (!nb)
        return -1;
    memcpy(nb + c->len, data, n);
    c->buf = nb;
    c->len += n;
    c->buf[c->len] = '\0';
    return 0;
}

/* Reads the child's stdout/stderr until both close, the output cap or the
 * wall deadline; then reaps it. */
static void supervise(pid_t pid, int out_fd, int err_fd, const struct nm_sandbox_limits *lim,
                      int64_t start, struct nm_sandbox_result *res)
{
    struct capture cap[2] = {{0}};
    struct pollfd p[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    int open_fds = 2;
    int64_t deadline = start + lim->wall_ms;
    while (open_fds > 0 && res->violation == NM_SANDBOX_OK) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            res->violation = NM_SANDBOX_WALL_TIME;
            snprintf(res->reason, sizeof res->reason, "still running after %d ms (wall limit)",
                     lim->wall_ms);
            break;
        }
        int n = poll(p, 2, (int)left);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2 && n > 0; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[16384];
            ssize_t r = read(p[i].fd, buf, sizeof buf);
            if (r <= 0) {
                if (r < 0 && errno == EINTR)
                    continue;
                close(p[i].fd);
                p[i].fd = -1;
                open_fds--;
                continue;
            }
            if (cap[0].len + cap[1].len + (size_t)r > lim->max_output) {
                res->violation = NM_SANDBOX_OUTPUT;
                snprintf(res->reason, sizeof res->reason, "wrote more than %zu bytes of output",
                         lim->max_output);
                break;
            }
            capture_add(&cap[i], buf, (size_t)r);
        }
    }
    /* once the output is closed the wall limit still holds */
    int status = 0;
    for (;;) {
        pid_t w = res->violation ? 0 : waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (res->violation || now_ms() >= deadline) {
            if (!res->violation) {
                res->violation = NM_SANDBOX_WALL_TIME;
                snprintf(res->reason, sizeof res->reason,
                         "still running after %d ms (wall limit)", lim->wall_ms);
            }
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        usleep(1000);
    }
    for (int i = 0; i < 2; i++)
        if (p[i].fd >= 0)
            close(p[i].fd);
    res->wall_ms = now_ms() - start;
    res->out = cap[0].buf ? cap[0].buf : strdup("");
    res->out_len = cap[0].len;
    res->err = cap[1].buf ? cap[1].buf : strdup("");
    res->err_len = cap[1].len;
    if (WIFEXITED(status)) {
        res->exit_code = WEXITSTATUS(status);
        /* bwrap reports a signal death of its child as 128 + N */
        if (res->exit_code > 128 && res->exit_code < 128 + 65)
            res->signal = res->exit_code - 128;
    } else if (WIFSIGNALED(status)) {
        res->signal = WTERMSIG(status);
    }
    if (res->violation)
        return;
    if (res->signal == SIGSYS) {
        res->violation = NM_SANDBOX_SYSCALL;
        snprintf(res->reason, sizeof res->reason,
                 "made a forbidden system call (network, new process or escape attempt)");
    } else if (res->signal == SIGXCPU ||
               (res->signal == SIGKILL && res->wall_ms >= (int64_t)lim->cpu_s * 1000)) {
        res->violation = NM_SANDBOX_CPU_TIME;
        snprintf(res->reason, sizeof res->reason, "used more than %d s of CPU", lim->cpu_s);
    } else if (res->signal == SIGXFSZ) {
        res->violation = NM_SANDBOX_FILE_SIZE;
        snprintf(res->reason, sizeof res->reason, "wrote a file larger than %llu bytes",
                 (unsigned long long)lim->fsize_bytes);
    }
}

/* Forks argv with the limits; bwrap when sandboxed. */
static int run(const char *dir, const char *const argv[], const struct nm_sandbox_limits *in,
               bool sandboxed, struct nm_sandbox_result *res)
{
    memset(res, 0, sizeof *res);
    struct nm_sandbox_limits lim;
    limits_default(in, &lim);
    const char *args[MAX_ARGS + 48];
    int n = 0, sfd = -1;
    char sfd_text[16];
    if (sandboxed) {
        if ((sfd = seccomp_program(lim.no_fork)) < 0) {
            res->violation = NM_SANDBOX_SETUP;
            snprintf(res->reason, sizeof res->reason, "cannot build the seccomp filter");
            return NM_E_IO;
        }
        snprintf(sfd_text, sizeof sfd_text, "%d", sfd);
        static const char *const fixed[] = {
            BWRAP, "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink",
            "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin",
            "/sbin", "--ro-bind", "/etc/alternatives", "/etc/alternatives", "--proc", "/proc",
            "--dev", "/dev", "--tmpfs", "/tmp", "--unshare-all", "--die-with-parent",
            "--new-session", "--clearenv", "--setenv", "PATH", "/usr/bin", "--setenv", "HOME",
            "/scratch", "--setenv", "LANG", "C.UTF-8", "--chdir", "/scratch"};
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
            args[n++] = fixed[i];
        args[n++] = "--bind", args[n++] = dir, args[n++] = "/scratch";
        args[n++] = "--seccomp", args[n++] = sfd_text;
    }
    for (int i = 0; argv[i]; i++) {
        if (i >= MAX_ARGS) {
            if (sfd >= 0)
                close(sfd);
            res->violation = NM_SANDBOX_SETUP;
            snprintf(res->reason, sizeof res->reason, "too many arguments");
            return NM_E_INVAL;
        }
        args[n++] = argv[i];
    }
    args[n] = NULL;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        if (sfd >= 0)
            close(sfd);
        goto fail;
    }
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]), close(out[1]);
        if (sfd >= 0)
            close(sfd);
        goto fail;
    }
    int64_t start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        set_limits(&lim);
        if (!sandboxed && chdir(dir) != 0)
            _exit(126);
        signal(SIGPIPE, SIG_DFL);
        execv(args[0], (char *const *)args);
        execvp(args[0], (char *const *)args);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    if (sfd >= 0)
        close(sfd);
    if (pid < 0) {
        close(out[0]), close(err[0]);
        goto fail;
    }
    supervise(pid, out[0], err[0], &lim, start, res);
    if (sandboxed && res->exit_code == 1 && !res->violation &&
        strncmp(res->err, "bwrap:", 6) == 0) {
        res->violation = NM_SANDBOX_SETUP;
        snprintf(res->reason, sizeof res->reason, "%.150s", res->err);
    }
    return 0;
fail:
    res->violation = NM_SANDBOX_SETUP;
    snprintf(res->reason, sizeof res->reason, "cannot start the sandbox: %s", strerror(errno));
    return NM_E_IO;
}

int nm_sandbox_run(const char *scratch_dir, const char *const argv[],
                   const struct nm_sandbox_limits *lim, struct nm_sandbox_result *res)
{
    return run(scratch_dir, argv, lim, true, res);
}

int nm_sandbox_run_plain(const char *cwd, const char *const argv[],
                         const struct nm_sandbox_limits *lim, struct nm_sandbox_result *res)
{
    return run(cwd, argv, lim, false, res);
}

int nm_sandbox_scratch_new(char *out, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    if (snprintf(out, cap, "%s/nm-sbx.XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)cap)
        return NM_E_TOO_BIG;
    return mkdtemp(out) ? 0 : NM_E_IO;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void nm_sandbox_scratch_remove(const char *dir)
{
    if (dir && *dir)
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
