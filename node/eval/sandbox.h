/* sandbox.h - runs untrusted programs (a miner's code, its compiler run)
 * for CODE_GEN_BASE scoring (NODE-004), in a child process:
 *   - bubblewrap: new user/pid/net/ipc/uts/cgroup namespaces (no network
 *     at all), a read-only /usr (plus /etc/alternatives), a fresh /proc,
 *     /dev and /tmp, and one writable folder: the scratch dir at /scratch;
 *     nothing else of the host (no /etc, /home, /root, /work) is visible;
 *   - a libseccomp filter (handed to bwrap with --seccomp): sockets other
 *     than AF_UNIX, ptrace, mount, namespaces, keyrings, bpf, module and
 *     reboot calls kill the process; with no_fork also fork/vfork and
 *     clone without CLONE_THREAD (a fork bomb dies on its first fork);
 *   - rlimits: CPU seconds, address space, processes, file size, core 0;
 *   - a wall-clock limit (the whole process group is killed) and a cap on
 *     the bytes read back from stdout and stderr (more kills it).
 * What went wrong comes back as a violation with a reason, so scoring can
 * give zero and log it. */
#ifndef NM_EVAL_SANDBOX_H
#define NM_EVAL_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_sandbox_limits {
    int cpu_s;            /* RLIMIT_CPU; <= 0: 5 */
    uint64_t mem_bytes;   /* RLIMIT_AS; 0: 512 MiB */
    int procs;            /* RLIMIT_NPROC; <= 0: 64 (root ignores it: see no_fork) */
    uint64_t fsize_bytes; /* RLIMIT_FSIZE; 0: 1 MiB */
    int wall_ms;          /* <= 0: 10000 */
    size_t max_output;    /* stdout + stderr bytes kept; 0: 64 KiB; more is a violation */
    bool no_fork;         /* seccomp forbids new processes */
};

enum nm_sandbox_violation {
    NM_SANDBOX_OK = 0,
    NM_SANDBOX_WALL_TIME,  /* still running at the wall-clock limit */
    NM_SANDBOX_CPU_TIME,   /* SIGXCPU / SIGKILL from RLIMIT_CPU */
    NM_SANDBOX_SYSCALL,    /* a forbidden system call (SIGSYS from seccomp) */
    NM_SANDBOX_OUTPUT,     /* wrote more than max_output */
    NM_SANDBOX_FILE_SIZE,  /* SIGXFSZ: wrote a file past fsize_bytes */
    NM_SANDBOX_SETUP,      /* the sandbox itself could not start */
};

struct nm_sandbox_result {
    int exit_code;  /* when it exited */
    int signal;     /* when a signal ended it, else 0 */
    enum nm_sandbox_violation violation;
    char reason[160]; /* human reason when violation != OK */
    char *out;        /* stdout (malloc'd, NUL-terminated, up to max_output) */
    size_t out_len;
    char *err;        /* stderr, likewise */
    size_t err_len;
    int64_t wall_ms;
};
void nm_sandbox_result_fini(struct nm_sandbox_result *r);

/* Runs argv (argv[0] looked up in the sandbox's PATH) with cwd /scratch,
 * scratch_dir (host path) mounted there read-write, stdin empty. Returns 0
 * when it ran (see res: exit_code, signal, violation), or NM_E_IO when the
 * child could not be created (res->reason says why). */
int nm_sandbox_run(const char *scratch_dir, const char *const argv[],
                   const struct nm_sandbox_limits *lim, struct nm_sandbox_result *res);
/* The same program, no sandbox: plain fork + exec with the same pipes and
 * wall limit (for the overhead benchmark). */
int nm_sandbox_run_plain(const char *cwd, const char *const argv[],
                         const struct nm_sandbox_limits *lim, struct nm_sandbox_result *res);

/* A fresh scratch dir under $TMPDIR (or /tmp) into out; removed with
 * nm_sandbox_scratch_remove (recursively). */
int nm_sandbox_scratch_new(char *out, size_t cap);
void nm_sandbox_scratch_remove(const char *dir);

#endif
