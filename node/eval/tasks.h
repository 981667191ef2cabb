/* tasks.h - the CODE_GEN_BASE task set (NODE-004): programming tasks in
 * Python and C, each a prompt with a parameter {P}, a reference solution
 * and a signature kind from which hidden tests are generated.
 *
 * Every epoch gives every task a variant: P drawn from the task's range
 * with the epoch's seed, so an answer cannot be memorised; the hidden
 * tests compare the candidate with the reference on inputs drawn from the
 * same seed (eval.c). The public set is compiled in (tasks_public.c); the
 * held-out set lives in a file miners never get
 * (node/eval/tasks/held_out.tasks, loaded by the validator). */
#ifndef NM_EVAL_TASKS_H
#define NM_EVAL_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the entry function is called; the hidden tests follow from it.
 *   I_I   f(int) -> int            C: long f(long x)
 *   II_I  f(int, int) -> int       C: long f(long a, long b)
 *   S_I   f(str) -> int            C: long f(const char *s)
 *   A_I   f(list of int) -> int    C: long f(const long *xs, long n)
 *   S_S   f(str) -> str            (Python only) */
enum nm_task_sig { NM_SIG_I_I, NM_SIG_II_I, NM_SIG_S_I, NM_SIG_A_I, NM_SIG_S_S };

struct nm_task {
    const char *id;       /* "py-add-p" */
    const char *language; /* "python" or "c" */
    enum nm_task_sig sig;
    const char *entry;     /* the function the prompt asks for */
    const char *prompt;    /* with {P} */
    const char *reference; /* with {P} */
    int p_min, p_max;      /* range of P */
    int in_min, in_max;    /* range of integer inputs (and array elements) */
};

extern const struct nm_task nm_tasks_public[];
extern const size_t nm_tasks_public_count;

/* A task set: the public tasks, plus held-out ones once loaded. */
struct nm_task_set {
    struct nm_task *tasks;
    size_t count;
    size_t held_out_from; /* tasks[held_out_from..] are held out */
    char *storage;        /* text the held-out tasks point into */
};

/* The public set only. */
int nm_task_set_init(struct nm_task_set *set);
/* Adds the held-out tasks of a file (format in docs/subnets/code-gen-base.md).
 * NM_E_INVAL with "FILE:LINE: reason" in err for a malformed file. */
int nm_task_set_load_held_out(struct nm_task_set *set, const char *path, char *err,
                              size_t cap);
void nm_task_set_fini(struct nm_task_set *set);

/* One epoch's variant of a task. */
struct nm_task_variant {
    const struct nm_task *task;
    long p;
    char prompt[1024];
    char reference[2048];
    char input_json[1280]; /* the InferRequest input: {"prompt":...,"language":...} */
};

/* P from (seed, task id); the prompt and reference with P filled in. */
int nm_task_variant_make(const struct nm_task *t, uint64_t seed, struct nm_task_variant *v);
/* Fills {P} of tmpl with p into out. NM_E_TOO_BIG when it does not fit. */
int nm_task_render(const char *tmpl, long p, char *out, size_t cap);
/* The public task whose prompt, with some P in its range, is prompt, and
 * that P; NULL when none. */
const struct nm_task *nm_task_match(const char *prompt, const char *language, long *p_out);
/* FNV-1a 64 of a string, mixed with seed (for seeded choices). */
uint64_t nm_task_hash(uint64_t seed, const char *s);

#endif
