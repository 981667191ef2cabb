/* tasks.c - task sets: the compiled-in public tasks, held-out tasks from a
 * file, per-epoch variants ({P} from the seed) and prompt matching. */
#include "node/eval/tasks.h"

#include "node/errors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t nm_task_hash(uint64_t seed, const char *s)
{
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    /* splitmix64 finaliser: FNV alone leaves the low bits weak */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

int nm_task_render(const char *tmpl, long p, char *out, size_t cap)
{
    char num[32];
    int nl = snprintf(num, sizeof num, "%ld", p);
    size_t o = 0;
    for (const char *s = tmpl; *s;) {
        if (strncmp(s, "{P}", 3) == 0) {
            if (o + (size_t)nl >= cap)
                return NM_E_TOO_BIG;
            memcpy(out + o, num, (size_t)nl);
            o += (size_t)nl;
            s += 3;
        } else {
            if (o + 1 >= cap)
                return NM_E_TOO_BIG;
            out[o++] = *s++;
        }
    }
    out[o] = '\0';
    return 0;
}

int nm_task_variant_make(const struct nm_task *t, uint64_t seed, struct nm_task_variant *v)
{
    memset(v, 0, sizeof *v);
    v->task = t;
    uint64_t span = (uint64_t)((long)t->p_max - t->p_min) + 1;
    v->p = t->p_min + (long)(nm_task_hash(seed, t->id) % span);
    int rc = nm_task_render(t->prompt, v->p, v->prompt, sizeof v->prompt);
    if (rc || (rc = nm_task_render(t->reference, v->p, v->reference, sizeof v->reference)))
        return rc;
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "prompt", v->prompt);
    cJSON_AddStringToObject(in, "language", t->language);
    rc = cJSON_PrintPreallocated(in, v->input_json, sizeof v->input_json, false)
             ? 0
             : NM_E_TOO_BIG;
    cJSON_Delete(in);
    return rc;
}

const struct nm_task *nm_task_match(const char *prompt, const char *language, long *p_out)
{
    for (size_t i = 0; i < nm_tasks_public_count; i++) {
        const struct nm_task *t = &nm_tasks_public[i];
        if (strcmp(t->language, language) != 0)
            continue;
        const char *mark = strstr(t->prompt, "{P}");
        size_t pre = mark ? (size_t)(mark - t->prompt) : strlen(t->prompt);
        if (strncmp(prompt, t->prompt, pre) != 0)
            continue;
        long p = 0;
        if (mark) {
            char *end;
            errno = 0;
            p = strtol(prompt + pre, &end, 10);
            if (errno || end == prompt + pre || p < t->p_min || p > t->p_max)
                continue;
        }
        char again[1024];
        if (nm_task_render(t->prompt, p, again, sizeof again) == 0 &&
            strcmp(again, prompt) == 0) {
            *p_out = p;
            return t;
        }
    }
    return NULL;
}

int nm_task_set_init(struct nm_task_set *set)
{
    memset(set, 0, sizeof *set);
    set->tasks = malloc(nm_tasks_public_count * sizeof *set->tasks);
    if (!set->tasks)
        return NM_E_NOMEM;
    memcpy(set->tasks, nm_tasks_public, nm_tasks_public_count * sizeof *set->tasks);
    set->count = set->held_out_from = nm_tasks_public_count;
    return 0;
}

void nm_task_set_fini(struct nm_task_set *set)
{
    free(set->tasks);
    free(set->storage);
    memset(set, 0, sizeof *set);
}

static int sig_parse(const char *s, enum nm_task_sig *out)
{
    static const char *const names[] = {"I_I", "II_I", "S_I", "A_I", "S_S"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum nm_task_sig)i;
            return 0;
        }
    return NM_E_INVAL;
}

/* The held-out file, one block per task:
 *   task ID LANGUAGE SIG ENTRY P_MIN P_MAX IN_MIN IN_MAX
 *   prompt TEXT WITH {P}
 *   reference
 *   ...code lines...
 *   end
 * Blank lines and lines starting with '#' between blocks are skipped. The
 * file's text is kept in set->storage and the tasks point into it. */
int nm_task_set_load_held_out(struct nm_task_set *set, const char *path, char *err,
                              size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "%.200s: %s", path, strerror(errno));
        return NM_E_IO;
    }
    char *text = malloc(1 << 20);
    size_t len = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!text)
        return NM_E_NOMEM;
    text[len] = '\0';
    size_t added = 0, slots = 64;
    struct nm_task *tasks = realloc(set->tasks, (set->count + slots) * sizeof *tasks);
    if (!tasks) {
        free(text);
        return NM_E_NOMEM;
    }
    set->tasks = tasks;
    int line_no = 0, rc = 0;
    char *save = NULL;
    struct nm_task *t = NULL;
    enum { OUTSIDE, HEADER_DONE, IN_REFERENCE } st = OUTSIDE;
    char *ref_start = NULL;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        line_no++;
        if (st == IN_REFERENCE) {
            if (strcmp(line, "end") == 0) {
                *line = '\0'; /* the reference ends before "end" */
                t->reference = ref_start;
                set->count++, added++;
                st = OUTSIDE;
            } else if (nl) {
                *nl = '\n';
            }
        } else if (st == HEADER_DONE) {
            if (strncmp(line, "prompt ", 7) == 0 && !t->prompt) {
                t->prompt = line + 7;
            } else if (strcmp(line, "reference") == 0 && t->prompt) {
                ref_start = nl ? nl + 1 : line + strlen(line);
                st = IN_REFERENCE;
            } else {
                snprintf(err, cap, "%.200s:%d: expected \"prompt TEXT\" then \"reference\"",
                         path, line_no);
                rc = NM_E_INVAL;
                break;
            }
        } else if (*line && *line != '#') {
            if (added >= slots) {
                snprintf(err, cap, "%.200s:%d: more than %zu tasks", path, line_no, slots);
                rc = NM_E_INVAL;
                break;
            }
            t = &set->tasks[set->count];
            memset(t, 0, sizeof *t);
            char *w[9];
            int n = 0;
            for (char *tok = strtok_r(line, " \t", &save); tok && n < 9;
                 tok = strtok_r(NULL, " \t", &save))
                w[n++] = tok;
            if (n != 9 || strcmp(w[0], "task") != 0 || sig_parse(w[3], &t->sig) != 0 ||
                (strcmp(w[2], "python") != 0 && strcmp(w[2], "c") != 0)) {
                snprintf(err, cap,
                         "%.200s:%d: expected \"task ID python|c I_I|II_I|S_I|A_I|S_S ENTRY "
                         "P_MIN P_MAX IN_MIN IN_MAX\"",
                         path, line_no);
                rc = NM_E_INVAL;
                break;
            }
            t->id = w[1], t->language = w[2], t->entry = w[4];
            t->p_min = atoi(w[5]), t->p_max = atoi(w[6]);
            t->in_min = atoi(w[7]), t->in_max = atoi(w[8]);
            if (t->p_min > t->p_max || t->in_min > t->in_max) {
                snprintf(err, cap, "%.200s:%d: a range's minimum is above its maximum", path,
                         line_no);
                rc = NM_E_INVAL;
                break;
            }
            st = HEADER_DONE;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!rc && st != OUTSIDE) {
        snprintf(err, cap, "%.200s: the last task has no \"end\" line", path);
        rc = NM_E_INVAL;
    }
    if (rc) {
        set->count -= added;
        free(text);
        return rc;
    }
    free(set->storage); /* one held-out file at a time */
    set->storage = text;
    return 0;
}
