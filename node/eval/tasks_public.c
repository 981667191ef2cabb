/* tasks_public.c - the public CODE_GEN_BASE tasks (NODE-004): 32 in
 * Python, 21 in C. Prompts and references carry {P}, filled per epoch.
 * Columns: id, language, signature, entry, prompt, reference, P range,
 * input range. */
#include "node/eval/tasks.h"

/* One row per task: the table is the data (a new task is one row); the
 * language is the macro's name. */
#define TASK(lang, id_, sig_, entry_, prompt_, ref_, pmin, pmax, imin, imax)                 \
    {.id = (id_), .language = (lang), .sig = (sig_), .entry = (entry_), .prompt = (prompt_),   \
     .reference = (ref_), .p_min = (pmin), .p_max = (pmax), .in_min = (imin), .in_max = (imax)}
#define PY(...) TASK("python", __VA_ARGS__)
#define C(...) TASK("c", __VA_ARGS__)

const struct nm_task nm_tasks_public[] = {
    PY("py-add-p", NM_SIG_I_I, "add_p", "Write a Python function add_p(x) that returns x plus {P}.",
       "def add_p(x):\n    return x + {P}\n", 1, 1000, -1000, 1000),
    PY("py-mul-p", NM_SIG_I_I, "mul_p", "Write a Python function mul_p(x) that returns x times {P}.",
       "def mul_p(x):\n    return x * {P}\n", 2, 99, -1000, 1000),
    PY("py-poly", NM_SIG_I_I, "poly",
       "Write a Python function poly(x) that returns x*x + {P}*x.",
       "def poly(x):\n    return x * x + {P} * x\n", 1, 50, -1000, 1000),
    PY("py-mod-p", NM_SIG_I_I, "mod_p",
       "Write a Python function mod_p(x) that returns x modulo {P}, never negative.",
       "def mod_p(x):\n    return x % {P}\n", 2, 97, -1000, 1000),
    PY("py-clamp", NM_SIG_I_I, "clamp_p",
       "Write a Python function clamp_p(x) that returns x clamped into the range -{P} to {P}.",
       "def clamp_p(x):\n    return max(-{P}, min({P}, x))\n", 1, 500, -1000, 1000),
    PY("py-digit-sum", NM_SIG_I_I, "digit_sum",
       "Write a Python function digit_sum(x) that returns the sum of the decimal digits of "
       "the absolute value of x, plus {P}.",
       "def digit_sum(x):\n    return sum(int(d) for d in str(abs(x))) + {P}\n", 0, 100, -100000,
       100000),
    PY("py-count-div", NM_SIG_I_I, "count_div",
       "Write a Python function count_div(x) that returns how many integers from 1 to abs(x) "
       "are divisible by {P}.",
       "def count_div(x):\n    return abs(x) // {P}\n", 2, 40, -1000, 1000),
    PY("py-fact-mod", NM_SIG_I_I, "fact_mod",
       "Write a Python function fact_mod(x) that returns the factorial of x (x from 0 to 20) "
       "modulo {P}.",
       "def fact_mod(x):\n    r = 1\n    for i in range(2, x + 1):\n        r *= i\n"
       "    return r % {P}\n",
       2, 1000, 0, 20),
    PY("py-fib-mod", NM_SIG_I_I, "fib_mod",
       "Write a Python function fib_mod(x) that returns the x-th Fibonacci number "
       "(fib(0) = 0, fib(1) = 1) modulo {P}.",
       "def fib_mod(x):\n    a, b = 0, 1\n    for _ in range(x):\n        a, b = b, a + b\n"
       "    return a % {P}\n",
       2, 1000, 0, 80),
    PY("py-is-multiple", NM_SIG_I_I, "is_multiple",
       "Write a Python function is_multiple(x) that returns 1 if x is a multiple of {P} and 0 "
       "otherwise.",
       "def is_multiple(x):\n    return 1 if x % {P} == 0 else 0\n", 2, 9, -100, 100),
    PY("py-pow-mod", NM_SIG_I_I, "pow_mod",
       "Write a Python function pow_mod(x) that returns {P} to the power of abs(x), modulo "
       "1000000007.",
       "def pow_mod(x):\n    return pow({P}, abs(x), 1000000007)\n", 2, 99, -1000, 1000),
    PY("py-gcd-p", NM_SIG_I_I, "gcd_p",
       "Write a Python function gcd_p(x) that returns the greatest common divisor of abs(x) "
       "and {P}.",
       "import math\n\ndef gcd_p(x):\n    return math.gcd(abs(x), {P})\n", 2, 360, -1000, 1000),
    PY("py-bits", NM_SIG_I_I, "bit_count_p",
       "Write a Python function bit_count_p(x) that returns the number of 1 bits in the binary "
       "form of abs(x), plus {P}.",
       "def bit_count_p(x):\n    return bin(abs(x)).count('1') + {P}\n", 0, 64, -100000, 100000),
    PY("py-max-plus", NM_SIG_II_I, "max_plus",
       "Write a Python function max_plus(a, b) that returns the larger of a and b, plus {P}.",
       "def max_plus(a, b):\n    return max(a, b) + {P}\n", 1, 1000, -1000, 1000),
    PY("py-lin", NM_SIG_II_I, "lin", "Write a Python function lin(a, b) that returns {P}*a - b.",
       "def lin(a, b):\n    return {P} * a - b\n", 2, 50, -1000, 1000),
    PY("py-gcd2", NM_SIG_II_I, "gcd2",
       "Write a Python function gcd2(a, b) that returns the greatest common divisor of a and b "
       "(never negative, gcd2(0, 0) = 0) times {P}.",
       "import math\n\ndef gcd2(a, b):\n    return math.gcd(a, b) * {P}\n", 1, 20, -1000, 1000),
    PY("py-range-sum", NM_SIG_II_I, "range_sum",
       "Write a Python function range_sum(a, b) that returns the sum of the integers from "
       "min(a, b) to max(a, b) inclusive, plus {P}.",
       "def range_sum(a, b):\n    lo, hi = min(a, b), max(a, b)\n"
       "    return sum(range(lo, hi + 1)) + {P}\n",
       0, 100, -500, 500),
    PY("py-count-char", NM_SIG_S_I, "count_char",
       "Write a Python function count_char(s) that returns how many times the lowercase letter "
       "at alphabet index {P} (0 is 'a') appears in s.",
       "def count_char(s):\n    return s.count(chr(ord('a') + {P}))\n", 0, 25, 0, 0),
    PY("py-vowels", NM_SIG_S_I, "vowels",
       "Write a Python function vowels(s) that returns the number of vowels (a, e, i, o, u) in "
       "s, plus {P}.",
       "def vowels(s):\n    return sum(1 for ch in s if ch in 'aeiou') + {P}\n", 0, 100, 0, 0),
    PY("py-words", NM_SIG_S_I, "words",
       "Write a Python function words(s) that returns the number of space-separated words in s "
       "times {P}.",
       "def words(s):\n    return len(s.split()) * {P}\n", 1, 20, 0, 0),
    PY("py-len-mod", NM_SIG_S_I, "len_mod",
       "Write a Python function len_mod(s) that returns the length of s modulo {P}.",
       "def len_mod(s):\n    return len(s) % {P}\n", 2, 9, 0, 0),
    PY("py-is-pal", NM_SIG_S_I, "is_pal",
       "Write a Python function is_pal(s) that returns {P} if s reads the same backwards and 0 "
       "otherwise.",
       "def is_pal(s):\n    return {P} if s == s[::-1] else 0\n", 1, 100, 0, 0),
    PY("py-sum-plus", NM_SIG_A_I, "sum_plus",
       "Write a Python function sum_plus(xs) that returns the sum of the list xs plus {P}.",
       "def sum_plus(xs):\n    return sum(xs) + {P}\n", 1, 1000, -1000, 1000),
    PY("py-count-gt", NM_SIG_A_I, "count_gt",
       "Write a Python function count_gt(xs) that returns how many elements of the list xs are "
       "greater than {P}.",
       "def count_gt(xs):\n    return sum(1 for v in xs if v > {P})\n", -50, 50, -100, 100),
    PY("py-max-or", NM_SIG_A_I, "max_or",
       "Write a Python function max_or(xs) that returns the largest element of the list xs, or "
       "{P} when xs is empty.",
       "def max_or(xs):\n    return max(xs) if xs else {P}\n", -1000, 1000, -1000, 1000),
    PY("py-sum-sq-mod", NM_SIG_A_I, "sum_sq_mod",
       "Write a Python function sum_sq_mod(xs) that returns the sum of the squares of the "
       "elements of xs, modulo {P}.",
       "def sum_sq_mod(xs):\n    return sum(v * v for v in xs) % {P}\n", 2, 997, -1000, 1000),
    PY("py-inversions", NM_SIG_A_I, "inversions",
       "Write a Python function inversions(xs) that returns the number of index pairs i < j "
       "with xs[i] > xs[j], plus {P}.",
       "def inversions(xs):\n    n = len(xs)\n"
       "    return sum(1 for i in range(n) for j in range(i + 1, n) if xs[i] > xs[j]) + {P}\n",
       0, 100, -10, 10),
    PY("py-longest-run", NM_SIG_A_I, "longest_run",
       "Write a Python function longest_run(xs) that returns the length of the longest run of "
       "equal adjacent elements of xs (0 for an empty list) times {P}.",
       "def longest_run(xs):\n    best = run = 0\n    prev = None\n    for v in xs:\n"
       "        run = run + 1 if v == prev else 1\n        prev = v\n"
       "        best = max(best, run)\n    return best * {P}\n",
       1, 10, 0, 2),
    PY("py-rev-p", NM_SIG_S_S, "rev_p",
       "Write a Python function rev_p(s) that returns s reversed, followed by the number {P}.",
       "def rev_p(s):\n    return s[::-1] + str({P})\n", 0, 1000, 0, 0),
    PY("py-caesar", NM_SIG_S_S, "caesar",
       "Write a Python function caesar(s) that shifts every lowercase letter of s {P} places "
       "forward in the alphabet (wrapping from z to a) and leaves other characters unchanged.",
       "def caesar(s):\n    return ''.join(chr((ord(c) - 97 + {P}) % 26 + 97) if 'a' <= c <= 'z'"
       " else c for c in s)\n",
       1, 25, 0, 0),
    PY("py-repeat", NM_SIG_S_S, "repeat_p",
       "Write a Python function repeat_p(s) that returns s repeated {P} times.",
       "def repeat_p(s):\n    return s * {P}\n", 1, 4, 0, 0),
    PY("py-upper-nth", NM_SIG_S_S, "upper_nth",
       "Write a Python function upper_nth(s) that upper-cases every character of s whose "
       "1-based position is a multiple of {P}.",
       "def upper_nth(s):\n    return ''.join(c.upper() if (i + 1) % {P} == 0 else c"
       " for i, c in enumerate(s))\n",
       1, 5, 0, 0),

    C("c-add-p", NM_SIG_I_I, "add_p", "Write a C function long add_p(long x) that returns x plus {P}.",
      "long add_p(long x)\n{\n    return x + {P};\n}\n", 1, 1000, -1000, 1000),
    C("c-mul-p", NM_SIG_I_I, "mul_p", "Write a C function long mul_p(long x) that returns x times {P}.",
      "long mul_p(long x)\n{\n    return x * {P};\n}\n", 2, 99, -1000, 1000),
    C("c-poly", NM_SIG_I_I, "poly", "Write a C function long poly(long x) that returns x*x + {P}*x.",
      "long poly(long x)\n{\n    return x * x + {P} * x;\n}\n", 1, 50, -1000, 1000),
    C("c-mod-p", NM_SIG_I_I, "mod_p",
      "Write a C function long mod_p(long x) that returns x modulo {P}, never negative.",
      "long mod_p(long x)\n{\n    return ((x % {P}) + {P}) % {P};\n}\n", 2, 97, -1000, 1000),
    C("c-clamp", NM_SIG_I_I, "clamp_p",
      "Write a C function long clamp_p(long x) that returns x clamped into the range -{P} to "
      "{P}.",
      "long clamp_p(long x)\n{\n    return x < -{P} ? -{P} : x > {P} ? {P} : x;\n}\n", 1, 500,
      -1000, 1000),
    C("c-digit-sum", NM_SIG_I_I, "digit_sum",
      "Write a C function long digit_sum(long x) that returns the sum of the decimal digits of "
      "the absolute value of x, plus {P}.",
      "long digit_sum(long x)\n{\n    long s = 0;\n    if (x < 0)\n        x = -x;\n"
      "    for (; x; x /= 10)\n        s += x % 10;\n    return s + {P};\n}\n",
      0, 100, -100000, 100000),
    C("c-fib-mod", NM_SIG_I_I, "fib_mod",
      "Write a C function long fib_mod(long x) that returns the x-th Fibonacci number "
      "(fib(0) = 0, fib(1) = 1) modulo {P}.",
      "long fib_mod(long x)\n{\n    long a = 0, b = 1;\n    for (long i = 0; i < x; i++) {\n"
      "        long t = (a + b) % {P};\n        a = b;\n        b = t;\n    }\n"
      "    return a % {P};\n}\n",
      2, 1000, 0, 80),
    C("c-fact-mod", NM_SIG_I_I, "fact_mod",
      "Write a C function long fact_mod(long x) that returns the factorial of x (x from 0 to "
      "20) modulo {P}.",
      "long fact_mod(long x)\n{\n    long r = 1 % {P};\n    for (long i = 2; i <= x; i++)\n"
      "        r = r * i % {P};\n    return r;\n}\n",
      2, 1000, 0, 20),
    C("c-is-multiple", NM_SIG_I_I, "is_multiple",
      "Write a C function long is_multiple(long x) that returns 1 if x is a multiple of {P} "
      "and 0 otherwise.",
      "long is_multiple(long x)\n{\n    return x % {P} == 0;\n}\n", 2, 9, -100, 100),
    C("c-gcd-p", NM_SIG_I_I, "gcd_p",
      "Write a C function long gcd_p(long x) that returns the greatest common divisor of the "
      "absolute value of x and {P}.",
      "long gcd_p(long x)\n{\n    long a = x < 0 ? -x : x, b = {P};\n    while (b) {\n"
      "        long t = a % b;\n        a = b;\n        b = t;\n    }\n    return a;\n}\n",
      2, 360, -1000, 1000),
    C("c-bits", NM_SIG_I_I, "bit_count_p",
      "Write a C function long bit_count_p(long x) that returns the number of 1 bits in the "
      "binary form of the absolute value of x, plus {P}.",
      "long bit_count_p(long x)\n{\n    unsigned long u = x < 0 ? -x : x;\n    long n = 0;\n"
      "    for (; u; u >>= 1)\n        n += u & 1;\n    return n + {P};\n}\n",
      0, 64, -100000, 100000),
    C("c-max-plus", NM_SIG_II_I, "max_plus",
      "Write a C function long max_plus(long a, long b) that returns the larger of a and b, "
      "plus {P}.",
      "long max_plus(long a, long b)\n{\n    return (a > b ? a : b) + {P};\n}\n", 1, 1000, -1000,
      1000),
    C("c-lin", NM_SIG_II_I, "lin",
      "Write a C function long lin(long a, long b) that returns {P}*a - b.",
      "long lin(long a, long b)\n{\n    return {P} * a - b;\n}\n", 2, 50, -1000, 1000),
    C("c-range-sum", NM_SIG_II_I, "range_sum",
      "Write a C function long range_sum(long a, long b) that returns the sum of the integers "
      "from the smaller of a and b to the larger, inclusive, plus {P}.",
      "long range_sum(long a, long b)\n{\n    long lo = a < b ? a : b, hi = a < b ? b : a, s = 0;"
      "\n    for (long i = lo; i <= hi; i++)\n        s += i;\n    return s + {P};\n}\n",
      0, 100, -500, 500),
    C("c-vowels", NM_SIG_S_I, "vowels",
      "Write a C function long vowels(const char *s) that returns the number of vowels "
      "(a, e, i, o, u) in s, plus {P}.",
      "long vowels(const char *s)\n{\n    long n = {P};\n    for (; *s; s++)\n"
      "        n += *s == 'a' || *s == 'e' || *s == 'i' || *s == 'o' || *s == 'u';\n"
      "    return n;\n}\n",
      0, 100, 0, 0),
    C("c-count-char", NM_SIG_S_I, "count_char",
      "Write a C function long count_char(const char *s) that returns how many times the "
      "lowercase letter at alphabet index {P} (0 is 'a') appears in s.",
      "long count_char(const char *s)\n{\n    long n = 0;\n    for (; *s; s++)\n"
      "        n += *s == 'a' + {P};\n    return n;\n}\n",
      0, 25, 0, 0),
    C("c-len-mod", NM_SIG_S_I, "len_mod",
      "Write a C function long len_mod(const char *s) that returns the length of s modulo {P}.",
      "long len_mod(const char *s)\n{\n    long n = 0;\n    while (s[n])\n        n++;\n"
      "    return n % {P};\n}\n",
      2, 9, 0, 0),
    C("c-sum-plus", NM_SIG_A_I, "sum_plus",
      "Write a C function long sum_plus(const long *xs, long n) that returns the sum of the n "
      "elements of xs plus {P}.",
      "long sum_plus(const long *xs, long n)\n{\n    long s = {P};\n"
      "    for (long i = 0; i < n; i++)\n        s += xs[i];\n    return s;\n}\n",
      1, 1000, -1000, 1000),
    C("c-count-gt", NM_SIG_A_I, "count_gt",
      "Write a C function long count_gt(const long *xs, long n) that returns how many of the n "
      "elements of xs are greater than {P}.",
      "long count_gt(const long *xs, long n)\n{\n    long c = 0;\n"
      "    for (long i = 0; i < n; i++)\n        c += xs[i] > {P};\n    return c;\n}\n",
      -50, 50, -100, 100),
    C("c-max-or", NM_SIG_A_I, "max_or",
      "Write a C function long max_or(const long *xs, long n) that returns the largest of the "
      "n elements of xs, or {P} when n is 0.",
      "long max_or(const long *xs, long n)\n{\n    if (n == 0)\n        return {P};\n"
      "    long m = xs[0];\n    for (long i = 1; i < n; i++)\n        if (xs[i] > m)\n"
      "            m = xs[i];\n    return m;\n}\n",
      -1000, 1000, -1000, 1000),
    C("c-inversions", NM_SIG_A_I, "inversions",
      "Write a C function long inversions(const long *xs, long n) that returns the number of "
      "index pairs i < j with xs[i] > xs[j], plus {P}.",
      "long inversions(const long *xs, long n)\n{\n    long c = {P};\n"
      "    for (long i = 0; i < n; i++)\n        for (long j = i + 1; j < n; j++)\n"
      "            c += xs[i] > xs[j];\n    return c;\n}\n",
      0, 100, -10, 10),
};

const size_t nm_tasks_public_count = sizeof nm_tasks_public / sizeof nm_tasks_public[0];
