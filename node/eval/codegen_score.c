/* codegen_score.c - CODE_GEN_BASE scoring: hidden test inputs from the
 * seed, a Python and a C harness, candidate and reference run in the
 * sandbox, outputs compared here (never inside the sandbox, so a candidate
 * cannot print its own verdict). */
#include "node/eval/codegen_score.h"

#include "node/errors.h"
#include "node/eval/sandbox.h"
#include "node/schema_json/schema_json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TESTS_PER_TASK 8
#define W_SYNTAX 200u
#define W_TESTS 600u
#define W_QUALITY 100u
#define W_LATENCY 100u

/* The Python harness: loads candidate.py with an audit hook that ends the
 * run on file access outside /scratch and /usr, sockets, new processes and
 * native code, then prints "NMOUT i <json>" per input. */
static const char py_harness[] =
    "import json, os, sys\n"
    "ARGS = json.load(open('args.json'))\n"
    "ENTRY = open('entry.txt').read().strip()\n"
    "SRC = open('candidate.py').read()\n"
    "BAD = ('socket.', 'os.fork', 'os.forkpty', 'os.posix_spawn', 'os.spawn', 'os.system',\n"
    "       'subprocess.', 'os.exec', 'os.kill', 'ctypes.', 'os.putenv', 'os.chdir',\n"
    "       'shutil.rmtree', 'os.remove', 'os.rename', 'os.rmdir')\n"
    "def violate(what):\n"
    "    os.write(2, ('NMVIOLATION ' + what[:150] + '\\n').encode('utf-8', 'replace'))\n"
    "    os._exit(3)\n"
    "def hook(event, args):\n"
    "    if event == 'open' and isinstance(args[0], (str, bytes)):\n"
    "        p = os.path.abspath(os.fsdecode(args[0]))\n"
    "        if not (p == '/scratch' or p.startswith(('/scratch/', '/usr/'))):\n"
    "            violate('opened ' + p + ' outside the scratch folder')\n"
    "    elif event.startswith(BAD):\n"
    "        violate('forbidden: ' + event)\n"
    "sys.addaudithook(hook)\n"
    "ns = {'__name__': 'candidate'}\n"
    "try:\n"
    "    exec(compile(SRC, 'candidate.py', 'exec'), ns)\n"
    "except BaseException as e:\n"
    "    print('NMLOAD', type(e).__name__)\n"
    "    sys.exit(0)\n"
    "f = ns.get(ENTRY)\n"
    "for i, a in enumerate(ARGS):\n"
    "    try:\n"
    "        out = json.dumps(f(*a))\n"
    "    except BaseException as e:\n"
    "        out = '!' + type(e).__name__\n"
    "    sys.stdout.write('NMOUT %d %s\\n' % (i, out))\n"
    "    sys.stdout.flush()\n";

/* A tiny deterministic generator (splitmix64) for the hidden inputs. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static long rand_in(uint64_t *s, long lo, long hi)
{
    return lo + (long)(next_rand(s) % (uint64_t)(hi - lo + 1));
}

static cJSON *rand_string(uint64_t *s, int i)
{
    static const char alphabet[] = "abcdeioutxyz  ";
    char buf[24];
    int n = i == 0 ? 0 : (int)rand_in(s, 1, 16);
    for (int k = 0; k < n; k++)
        buf[k] = alphabet[rand_in(s, 0, (long)sizeof alphabet - 2)];
    if (i == 1) /* a palindrome */
        for (int k = 0; k < n / 2; k++)
            buf[n - 1 - k] = buf[k];
    buf[n] = '\0';
    return cJSON_CreateString(buf);
}

char *nm_codegen_test_inputs(const struct nm_task *t, uint64_t seed, int count)
{
    uint64_t s = nm_task_hash(seed ^ 0x5eedULL, t->id);
    cJSON *all = cJSON_CreateArray();
    for (int i = 0; i < count; i++) {
        cJSON *args = cJSON_CreateArray();
        long lo = t->in_min, hi = t->in_max;
        switch (t->sig) {
        case NM_SIG_I_I:
            cJSON_AddItemToArray(args, cJSON_CreateNumber((double)(i == 0   ? lo
                                                                   : i == 1 ? hi
                                                                            : rand_in(&s, lo, hi))));
            break;
        case NM_SIG_II_I:
            cJSON_AddItemToArray(args, cJSON_CreateNumber((double)rand_in(&s, lo, hi)));
            cJSON_AddItemToArray(args, cJSON_CreateNumber((double)rand_in(&s, lo, hi)));
            break;
        case NM_SIG_S_I:
        case NM_SIG_S_S: cJSON_AddItemToArray(args, rand_string(&s, i)); break;
        case NM_SIG_A_I: {
            cJSON *xs = cJSON_CreateArray();
            int n = i == 0 ? 0 : (int)rand_in(&s, 1, 8);
            for (int k = 0; k < n; k++)
                cJSON_AddItemToArray(xs, cJSON_CreateNumber((double)rand_in(&s, lo, hi)));
            cJSON_AddItemToArray(args, xs);
            break;
        }
        }
        cJSON_AddItemToArray(all, args);
    }
    char *text = cJSON_PrintUnformatted(all);
    cJSON_Delete(all);
    return text;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return NM_E_IO;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : NM_E_IO;
}

/* The C harness: the code, then main printing each call's result. */
static char *c_harness(const struct nm_task *t, const char *inputs_json)
{
    cJSON *all = cJSON_Parse(inputs_json);
    size_t cap = 65536, len = 0;
    char *out = malloc(cap);
    if (!out || !all) {
        free(out);
        cJSON_Delete(all);
        return NULL;
    }
    len += (size_t)snprintf(out + len, cap - len,
                            "#include <stdio.h>\n#include \"candidate.c\"\nint main(void)\n{\n");
    int i = 0;
    const cJSON *args;
    cJSON_ArrayForEach(args, all)
    {
        const cJSON *a0 = cJSON_GetArrayItem(args, 0), *a1 = cJSON_GetArrayItem(args, 1);
        char call[1024];
        if (t->sig == NM_SIG_I_I)
            snprintf(call, sizeof call, "%s(%.0fL)", t->entry, a0->valuedouble);
        else if (t->sig == NM_SIG_II_I)
            snprintf(call, sizeof call, "%s(%.0fL, %.0fL)", t->entry, a0->valuedouble,
                     a1->valuedouble);
        else if (t->sig == NM_SIG_S_I) /* the alphabet needs no escapes */
            snprintf(call, sizeof call, "%s(\"%s\")", t->entry, a0->valuestring);
        else {
            int n = cJSON_GetArraySize(a0);
            size_t o = (size_t)snprintf(call, sizeof call, "%s((const long[]){0", t->entry);
            const cJSON *x;
            cJSON_ArrayForEach(x, a0) o += (size_t)snprintf(call + o, sizeof call - o,
                                                            ", %.0fL", x->valuedouble);
            snprintf(call + o, sizeof call - o, "} + 1, %dL)", n);
        }
        len += (size_t)snprintf(out + len, cap - len,
                                "    printf(\"NMOUT %d %%ld\\n\", (long)%s);\n"
                                "    fflush(stdout);\n",
                                i++, call);
    }
    snprintf(out + len, cap - len, "    return 0;\n}\n");
    cJSON_Delete(all);
    return out;
}

/* Runs code (candidate or reference) in a fresh scratch: syntax check, then
 * the tests. results[i] gets each test's printed value (malloc'd) or NULL. */
struct run_outcome {
    bool syntax_ok;
    int warnings;
    struct nm_sandbox_result last; /* the failing or final run */
    bool violation;
    char reason[200];
    char *results[TESTS_PER_TASK];
};

static void outcome_fini(struct run_outcome *o)
{
    nm_sandbox_result_fini(&o->last);
    for (int i = 0; i < TESTS_PER_TASK; i++)
        free(o->results[i]);
}

static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Checks a sandbox run; false when it violated (reason filled). */
static bool run_ok(struct run_outcome *o)
{
    const char *mark = strstr(o->last.err, "NMVIOLATION ");
    if (o->last.violation) {
        o->violation = true;
        snprintf(o->reason, sizeof o->reason, "sandbox: %s", o->last.reason);
    } else if (mark) {
        o->violation = true;
        snprintf(o->reason, sizeof o->reason, "sandbox: %.*s", (int)strcspn(mark + 12, "\n"),
                 mark + 12);
    }
    return !o->violation;
}

static int run_code(const struct nm_task *t, const char *code, const char *inputs,
                    struct run_outcome *o)
{
    memset(o, 0, sizeof *o);
    char dir[300];
    if (nm_sandbox_scratch_new(dir, sizeof dir))
        return NM_E_IO;
    bool py = strcmp(t->language, "python") == 0;
    int rc = write_file(dir, py ? "candidate.py" : "candidate.c", code);
    if (!rc)
        rc = write_file(dir, "args.json", inputs);
    if (!rc)
        rc = write_file(dir, "entry.txt", t->entry);
    char *harness = py ? strdup(py_harness) : c_harness(t, inputs);
    if (!rc)
        rc = harness ? write_file(dir, py ? "harness.py" : "harness.c", harness) : NM_E_NOMEM;
    free(harness);
    if (rc)
        goto out;
    struct nm_sandbox_limits build = {.cpu_s = 10, .mem_bytes = (uint64_t)1 << 30,
                                      .wall_ms = 15000, .fsize_bytes = (uint64_t)16 << 20};
    struct nm_sandbox_limits exec = {.cpu_s = 2, .mem_bytes = (uint64_t)256 << 20,
                                     .wall_ms = 4000, .no_fork = true};
    const char *py_syntax[] = {"python3", "-I", "-W", "always", "-m", "py_compile",
                               "candidate.py", NULL};
    const char *c_syntax[] = {"cc", "-std=c11", "-fsyntax-only", "-Wall", "-Wextra",
                              "candidate.c", NULL};
    if ((rc = nm_sandbox_run(dir, py ? py_syntax : c_syntax, &build, &o->last)))
        goto out;
    if (!run_ok(o))
        goto out;
    o->syntax_ok = o->last.exit_code == 0;
    o->warnings = count_lines_with(o->last.err, py ? "Warning" : "warning:");
    if (!o->syntax_ok)
        goto out;
    if (!py) {
        const char *c_build[] = {"cc", "-std=c11", "-O1", "-w", "-o", "prog", "harness.c",
                                 NULL};
        nm_sandbox_result_fini(&o->last);
        if ((rc = nm_sandbox_run(dir, c_build, &build, &o->last)) || !run_ok(o))
            goto out;
        if (o->last.exit_code != 0) /* e.g. the entry function has another signature */
            goto out;
    }
    const char *py_run[] = {"python3", "-I", "harness.py", NULL};
    const char *c_run[] = {"./prog", NULL};
    nm_sandbox_result_fini(&o->last);
    if ((rc = nm_sandbox_run(dir, py ? py_run : c_run, &exec, &o->last)) || !run_ok(o))
        goto out;
    /* the last "NMOUT i value" line for each i wins */
    for (char *line = o->last.out; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        int i, used = 0;
        if (sscanf(line, "NMOUT %d %n", &i, &used) == 1 && used > 0 && i >= 0 &&
            i < TESTS_PER_TASK) {
            free(o->results[i]);
            o->results[i] = strdup(line + used);
        }
        if (nl)
            *nl = '\n';
        line = nl ? nl + 1 : NULL;
    }
out:
    nm_sandbox_scratch_remove(dir);
    return rc;
}

/* The compiler's verdict as one line: C's first "error:" line, Python's
 * last line ("SyntaxError: ..."); control characters become spaces. */
static void error_line(const char *err, bool py, char *out, size_t cap)
{
    const char *start = err, *p;
    if (!py && (p = strstr(err, "error:")))
        start = p;
    if (py) {
        size_t n = strlen(err);
        while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
            n--;
        while (n > 0 && err[n - 1] != '\n')
            n--;
        start = err + n;
    }
    size_t o = 0;
    for (; *start && *start != '\n' && o + 1 < cap; start++)
        out[o++] = (unsigned char)*start < 0x20 ? ' ' : *start;
    out[o] = '\0';
}

static uint32_t latency_part(int64_t latency_ms, int timeout_ms)
{
    int64_t fast = timeout_ms / 10;
    if (latency_ms <= fast)
        return NM_SCORE_ONE;
    if (latency_ms >= timeout_ms)
        return 0;
    return (uint32_t)((uint64_t)NM_SCORE_ONE * (uint64_t)(timeout_ms - latency_ms) /
                      (uint64_t)(timeout_ms - fast));
}

static uint32_t quality_part(int warnings, size_t code_len, size_t ref_len)
{
    uint64_t w = warnings >= 5 ? 0 : (uint64_t)(5 - warnings) * 100000u; /* of 500000 */
    uint64_t size = code_len <= 2 * ref_len ? 500000u : 500000u * 2 * ref_len / code_len;
    return (uint32_t)(w + size);
}

int nm_codegen_score(const struct nm_task_variant *v, uint64_t seed, const char *output,
                     size_t len, int64_t latency_ms, int timeout_ms,
                     struct nm_codegen_score *out)
{
    memset(out, 0, sizeof *out);
    out->tests_total = TESTS_PER_TASK;
    if (len == 0) {
        out->violation = true;
        snprintf(out->reason, sizeof out->reason, "empty output");
        return 0;
    }
    struct nm_json_schema *schema = NULL;
    char why[160];
    int rc = nm_json_schema_compile(nm_codegen_output_schema, &schema, why, sizeof why);
    if (rc)
        return NM_E_INTERNAL;
    cJSON *doc = NULL;
    rc = nm_json_schema_check_text(schema, output, len, &doc, why, sizeof why);
    nm_json_schema_free(schema);
    if (rc) {
        out->violation = true;
        snprintf(out->reason, sizeof out->reason, "output breaks the schema: %s", why);
        return 0;
    }
    const char *code = cJSON_GetObjectItemCaseSensitive(doc, "code")->valuestring;
    char *inputs = nm_codegen_test_inputs(v->task, seed, TESTS_PER_TASK);
    struct run_outcome ref, cand;
    memset(&cand, 0, sizeof cand);
    rc = inputs ? run_code(v->task, v->reference, inputs, &ref) : NM_E_NOMEM;
    if (!rc && (!ref.syntax_ok || ref.violation)) {
        fprintf(stderr, "scoring: the reference of %s failed: %s\n", v->task->id,
                ref.violation ? ref.reason : ref.last.err);
        rc = NM_E_INTERNAL;
    }
    if (!rc)
        rc = run_code(v->task, code, inputs, &cand);
    if (rc)
        goto out;
    if (cand.violation) {
        out->violation = true;
        snprintf(out->reason, sizeof out->reason, "%s", cand.reason);
        goto out;
    }
    out->syntax = cand.syntax_ok ? NM_SCORE_ONE : 0;
    out->warnings = cand.warnings;
    for (int i = 0; i < TESTS_PER_TASK; i++)
        out->tests_passed += cand.results[i] && ref.results[i] &&
                             strcmp(cand.results[i], ref.results[i]) == 0;
    out->tests = (uint32_t)((uint64_t)NM_SCORE_ONE * (uint64_t)out->tests_passed /
                            TESTS_PER_TASK);
    if (out->tests_passed > 0) {
        out->quality = quality_part(cand.warnings, strlen(code), strlen(v->reference));
        out->latency = latency_part(latency_ms, timeout_ms);
    }
    if (!cand.syntax_ok) {
        char line[160];
        error_line(cand.last.err, strcmp(v->task->language, "python") == 0, line, sizeof line);
        snprintf(out->reason, sizeof out->reason, "does not compile: %s", line);
    }
    else if (out->tests_passed < TESTS_PER_TASK)
        snprintf(out->reason, sizeof out->reason, "%d of %d hidden tests pass",
                 out->tests_passed, TESTS_PER_TASK);
    out->total = (uint32_t)(((uint64_t)out->syntax * W_SYNTAX + (uint64_t)out->tests * W_TESTS +
                             (uint64_t)out->quality * W_QUALITY +
                             (uint64_t)out->latency * W_LATENCY) /
                            1000u);
out:
    outcome_fini(&ref);
    outcome_fini(&cand);
    free(inputs);
    cJSON_Delete(doc);
    return rc;
}
