/* keystore.c - password-encrypted Ed25519 seeds, one JSON file per key under
 * HOME/keys (see keystore.h for the format and the contract). */
#include "node/keystore.h"

#include "node/errors.h"
#include "node/ss58.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_VERSION 1
#define KEY_FILE_MAX 16384 /* a real key file is under 1 KiB */
#define KEY_SUFFIX ".json"
#define SALT_LEN crypto_pwhash_argon2id_SALTBYTES
#define NONCE_LEN crypto_secretbox_NONCEBYTES
#define BOX_LEN (crypto_secretbox_MACBYTES + NM_SEED_LEN)

/* Bounds on the KDF cost read from a file: the floor keeps a file from
 * being weakened below libsodium's minimum, the ceiling keeps a crafted
 * file from making us burn minutes of CPU or gigabytes of memory. */
#define KDF_OPS_MIN ((unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_MIN)
#define KDF_OPS_MAX 32ULL
#define KDF_MEM_MIN ((size_t)crypto_pwhash_argon2id_MEMLIMIT_MIN)
#define KDF_MEM_MAX ((size_t)crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE)

/* What a key file holds once parsed and checked. */
struct key_file {
    nm_account pub;
    unsigned long long opslimit;
    size_t memlimit;
    uint8_t salt[SALT_LEN];
    uint8_t nonce[NONCE_LEN];
    uint8_t box[BOX_LEN];
};

int nm_keystore_check_name(const char *name)
{
    if (!name)
        return NM_E_KEY_NAME;
    size_t len = 0;
    for (const char *p = name; *p; p++, len++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || len >= NM_KEY_NAME_MAX)
            return NM_E_KEY_NAME;
    }
    return len == 0 ? NM_E_KEY_NAME : 0;
}

static int keys_dir_path(const char *home, char *out, size_t cap)
{
    if (!home || !*home)
        return NM_E_INVAL;
    int n = snprintf(out, cap, "%s/keys", home);
    return (n < 0 || (size_t)n >= cap) ? NM_E_TOO_BIG : 0;
}

static int key_path(const char *home, const char *name, char *out, size_t cap)
{
    int rc = nm_keystore_check_name(name);
    if (rc < 0)
        return rc;
    if (!home || !*home)
        return NM_E_INVAL;
    int n = snprintf(out, cap, "%s/keys/%s" KEY_SUFFIX, home, name);
    return (n < 0 || (size_t)n >= cap) ? NM_E_TOO_BIG : 0;
}

/* Creates HOME (one level) and HOME/keys if missing and makes sure the
 * keys directory is 0700 whatever the umask or its earlier mode was. */
static int ensure_keys_dir(const char *home, char *dir, size_t cap)
{
    int rc = keys_dir_path(home, dir, cap);
    if (rc < 0)
        return rc;
    if (mkdir(home, 0700) != 0 && errno != EEXIST)
        return NM_E_IO;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return NM_E_IO;
    struct stat st;
    if (stat(dir, &st) != 0)
        return NM_E_IO;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return NM_E_IO;
    }
    if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) != 0)
        return NM_E_IO;
    return 0;
}

/* Best effort: makes a rename or unlink in dir durable sooner; the
 * operation itself has already happened, so failure changes nothing. */
static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)fsync(fd);
    close(fd);
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NM_E_IO;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Moves tmp to final only if final does not exist, atomically. Falls back
 * to link + unlink where the filesystem has no RENAME_NOREPLACE. */
static int commit_no_replace(const char *tmp, const char *final)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return NM_E_KEY_EXISTS;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return NM_E_IO;
    if (link(tmp, final) != 0)
        return errno == EEXIST ? NM_E_KEY_EXISTS : NM_E_IO;
    unlink(tmp); /* final is in place; a leftover temp file is harmless */
    return 0;
}

/* Reads a whole small file into a NUL-terminated malloc'd buffer. */
static int read_key_file(const char *path, char **out)
{
    int rc = NM_E_IO, saved = 0;
    char *buf = NULL;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? NM_E_KEY_NOT_FOUND : NM_E_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        saved = errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > KEY_FILE_MAX) {
        rc = NM_E_BAD_PASSWORD; /* not something we wrote: damaged */
        goto out;
    }
    buf = malloc(KEY_FILE_MAX + 1);
    if (!buf) {
        rc = NM_E_NOMEM;
        goto out;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, KEY_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            saved = errno;
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > KEY_FILE_MAX) {
            rc = NM_E_BAD_PASSWORD;
            goto out;
        }
    }
    buf[len] = '\0';
    *out = buf;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    close(fd);
    if (rc == NM_E_IO)
        errno = saved;
    return rc;
}

static bool json_uint(const cJSON *obj, const char *key, unsigned long long lo,
                      unsigned long long hi, unsigned long long *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item))
        return false;
    double v = item->valuedouble;
    if (!(v >= (double)lo && v <= (double)hi))
        return false;
    unsigned long long u = (unsigned long long)v;
    if ((double)u != v)
        return false;
    *out = u;
    return true;
}

static bool json_hex(const cJSON *obj, const char *key, uint8_t *out, size_t len)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(item) && nm_hex_decode(item->valuestring, out, len, len, NULL) == 0;
}

/* Parses and checks every field; anything off means a damaged file. */
static int parse_key_file(const char *text, struct key_file *kf)
{
    int rc = NM_E_BAD_PASSWORD;
    unsigned long long version = 0, ops = 0, mem = 0;
    cJSON *root = cJSON_Parse(text);
    if (!cJSON_IsObject(root))
        goto out;
    const cJSON *kdf = cJSON_GetObjectItemCaseSensitive(root, "kdf");
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(root, "address");
    if (!json_uint(root, "version", 0, 1000, &version) || version != KEY_FILE_VERSION)
        goto out;
    if (!cJSON_IsString(kdf) || strcmp(kdf->valuestring, "argon2id") != 0)
        goto out;
    if (!cJSON_IsString(addr) || nm_ss58_decode(addr->valuestring, &kf->pub) != 0)
        goto out;
    if (!json_uint(root, "opslimit", KDF_OPS_MIN, KDF_OPS_MAX, &ops) ||
        !json_uint(root, "memlimit", KDF_MEM_MIN, KDF_MEM_MAX, &mem))
        goto out;
    if (!json_hex(root, "salt", kf->salt, sizeof kf->salt) ||
        !json_hex(root, "nonce", kf->nonce, sizeof kf->nonce) ||
        !json_hex(root, "ciphertext", kf->box, sizeof kf->box))
        goto out;
    kf->opslimit = ops;
    kf->memlimit = (size_t)mem;
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}

static int load_key_file(const char *home, const char *name, struct key_file *kf)
{
    char path[PATH_MAX];
    char *text = NULL;
    int rc = key_path(home, name, path, sizeof path);
    if (rc < 0)
        return rc;
    rc = read_key_file(path, &text);
    if (rc < 0)
        return rc;
    rc = parse_key_file(text, kf);
    free(text);
    return rc;
}

static int derive_key(const char *password, const uint8_t salt[SALT_LEN],
                      unsigned long long ops, size_t mem,
                      uint8_t key[crypto_secretbox_KEYBYTES])
{
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, password, strlen(password), salt, ops,
                      mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return NM_E_NOMEM; /* the only way Argon2id fails with sane limits */
    return 0;
}

/* NEUROMESH_KDF_FAST=1 picks the cheapest Argon2id cost, for tests only;
 * the cost goes into the file, so loading never depends on the variable. */
static void kdf_limits(unsigned long long *ops, size_t *mem)
{
    const char *fast = getenv("NEUROMESH_KDF_FAST");
    if (fast && strcmp(fast, "1") == 0) {
        *ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
        *mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
    } else {
        *ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
    }
}

static char *key_file_json(const char *name, const struct key_file *kf)
{
    char *text = NULL;
    char addr[NM_SS58_STRLEN];
    char salt[2 * SALT_LEN + 3], nonce[2 * NONCE_LEN + 3], box[2 * BOX_LEN + 3];
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    nm_ss58_encode(&kf->pub, addr);
    if (!cJSON_AddNumberToObject(root, "version", KEY_FILE_VERSION) ||
        !cJSON_AddStringToObject(root, "name", name) ||
        !cJSON_AddStringToObject(root, "address", addr) ||
        !cJSON_AddStringToObject(root, "kdf", "argon2id") ||
        !cJSON_AddNumberToObject(root, "opslimit", (double)kf->opslimit) ||
        !cJSON_AddNumberToObject(root, "memlimit", (double)kf->memlimit) ||
        !cJSON_AddStringToObject(root, "salt",
                                 nm_hex_encode(kf->salt, SALT_LEN, salt, sizeof salt)) ||
        !cJSON_AddStringToObject(root, "nonce",
                                 nm_hex_encode(kf->nonce, NONCE_LEN, nonce, sizeof nonce)) ||
        !cJSON_AddStringToObject(root, "ciphertext",
                                 nm_hex_encode(kf->box, BOX_LEN, box, sizeof box)))
        goto out;
    text = cJSON_Print(root);
out:
    cJSON_Delete(root);
    return text;
}

/* Writes text to a fresh 0600 temp file beside final, fsyncs it, then
 * moves it into place unless final exists, then fsyncs the directory:
 * a crash leaves either no key or the whole key, never half of one. */
static int write_key_atomically(const char *dir, const char *name, const char *final,
                                const char *text)
{
    char tmp[PATH_MAX];
    int rc = 0, saved = 0, fd = -1;
    int n = snprintf(tmp, sizeof tmp, "%s/.%s" KEY_SUFFIX ".tmp-XXXXXX", dir, name);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return NM_E_TOO_BIG;
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return NM_E_IO;
    if (fchmod(fd, 0600) != 0 || write_all(fd, text, strlen(text)) < 0 ||
        write_all(fd, "\n", 1) < 0 || fsync(fd) != 0) {
        rc = NM_E_IO;
        saved = errno;
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = NM_E_IO;
        saved = errno;
        goto out;
    }
    fd = -1;
    rc = commit_no_replace(tmp, final);
    saved = errno;
    if (rc < 0)
        goto out;
    fsync_dir(dir);
    return 0;
out:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    errno = saved;
    return rc;
}

int nm_keystore_create(const char *home, const char *name, const char *password,
                       const uint8_t *seed, nm_account *pub_out)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct key_file kf;
    struct nm_keypair kp;
    uint8_t secret_seed[NM_SEED_LEN];
    uint8_t key[crypto_secretbox_KEYBYTES];
    char *text = NULL;
    int saved = 0;
    int rc = key_path(home, name, path, sizeof path);
    if (rc < 0)
        return rc;
    if (!password)
        return NM_E_NO_PASSWORD;
    if (nm_crypto_init() < 0)
        return NM_E_INTERNAL;
    /* Cheap early answer; the final move re-checks atomically. */
    if (access(path, F_OK) == 0)
        return NM_E_KEY_EXISTS;

    memset(&kf, 0, sizeof kf);
    if (seed)
        memcpy(secret_seed, seed, NM_SEED_LEN);
    else
        randombytes_buf(secret_seed, sizeof secret_seed);
    nm_keypair_from_seed(secret_seed, &kp);
    kf.pub = kp.pub;
    kdf_limits(&kf.opslimit, &kf.memlimit);
    randombytes_buf(kf.salt, sizeof kf.salt);
    randombytes_buf(kf.nonce, sizeof kf.nonce);
    rc = derive_key(password, kf.salt, kf.opslimit, kf.memlimit, key);
    if (rc < 0)
        goto out;
    crypto_secretbox_easy(kf.box, secret_seed, NM_SEED_LEN, kf.nonce, key);

    text = key_file_json(name, &kf);
    if (!text) {
        rc = NM_E_NOMEM;
        goto out;
    }
    rc = ensure_keys_dir(home, dir, sizeof dir);
    if (rc == 0)
        rc = write_key_atomically(dir, name, path, text);
    saved = errno;
    if (rc == 0 && pub_out)
        *pub_out = kp.pub;
out:
    free(text);
    sodium_memzero(secret_seed, sizeof secret_seed);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&kp, sizeof kp);
    errno = saved;
    return rc;
}

/* As ssh does with private keys: a key file others may read, or a keys
 * directory others may list or write, is not used (issue 17: 0644 files in
 * a 0755 directory were used silently). */
static int check_private(const char *home, const char *name)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct stat st;
    int rc;
    if ((rc = keys_dir_path(home, dir, sizeof dir)) ||
        (rc = key_path(home, name, path, sizeof path)))
        return rc;
    if (stat(dir, &st) == 0 && (st.st_mode & 077))
        return NM_E_KEY_PERMS;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        return NM_E_KEY_PERMS;
    return 0;
}

int nm_keystore_load(const char *home, const char *name, const char *password,
                     struct nm_keypair *out)
{
    struct key_file kf;
    uint8_t key[crypto_secretbox_KEYBYTES];
    uint8_t seed[NM_SEED_LEN];
    struct nm_keypair kp;
    sodium_memzero(out, sizeof *out);
    if (!password)
        return NM_E_NO_PASSWORD;
    if (nm_crypto_init() < 0)
        return NM_E_INTERNAL;
    int rc = load_key_file(home, name, &kf);
    if (rc < 0 || (rc = check_private(home, name)) < 0)
        return rc;
    rc = derive_key(password, kf.salt, kf.opslimit, kf.memlimit, key);
    if (rc < 0)
        goto out;
    if (crypto_secretbox_open_easy(seed, kf.box, BOX_LEN, kf.nonce, key) != 0) {
        rc = NM_E_BAD_PASSWORD;
        goto out;
    }
    nm_keypair_from_seed(seed, &kp);
    /* The address is stored in clear; a seed that does not give it back
     * means the file was edited, and we will not sign as someone else. */
    if (!nm_account_eq(&kp.pub, &kf.pub)) {
        rc = NM_E_BAD_PASSWORD;
        goto out;
    }
    *out = kp;
out:
    sodium_memzero(key, sizeof key);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(&kp, sizeof kp);
    return rc;
}

int nm_keystore_address(const char *home, const char *name, nm_account *out)
{
    struct key_file kf;
    int rc = load_key_file(home, name, &kf);
    if (rc == 0)
        *out = kf.pub;
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct nm_key_entry *x = a, *y = b;
    return strcmp(x->name, y->name);
}

int nm_keystore_names(const char *home, struct nm_key_entry **entries, size_t *count)
{
    char dir[PATH_MAX];
    struct nm_key_entry *list = NULL;
    size_t n = 0, cap = 0;
    int saved = 0;
    *entries = NULL;
    *count = 0;
    int rc = keys_dir_path(home, dir, sizeof dir);
    if (rc < 0)
        return rc;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : NM_E_IO;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno != 0) {
                rc = NM_E_IO;
                saved = errno;
                goto out;
            }
            break;
        }
        size_t len = strlen(de->d_name), suffix = strlen(KEY_SUFFIX);
        if (len <= suffix || len - suffix > NM_KEY_NAME_MAX ||
            strcmp(de->d_name + len - suffix, KEY_SUFFIX) != 0)
            continue;
        char name[NM_KEY_NAME_MAX + 1];
        memcpy(name, de->d_name, len - suffix);
        name[len - suffix] = '\0';
        if (nm_keystore_check_name(name) != 0)
            continue;
        if (n == cap) {
            size_t new_cap = cap ? 2 * cap : 16;
            struct nm_key_entry *grown = realloc(list, new_cap * sizeof *grown);
            if (!grown) {
                rc = NM_E_NOMEM;
                goto out;
            }
            list = grown;
            cap = new_cap;
        }
        memset(&list[n], 0, sizeof list[n]);
        memcpy(list[n].name, name, len - suffix + 1);
        n++;
    }
    if (n > 1)
        qsort(list, n, sizeof *list, cmp_entry);
    *entries = list;
    *count = n;
    list = NULL;
out:
    free(list);
    closedir(d);
    if (rc == NM_E_IO)
        errno = saved;
    return rc;
}

int nm_keystore_list(const char *home, struct nm_key_entry **entries, size_t *count)
{
    struct nm_key_entry *list = NULL;
    size_t n = 0, kept = 0;
    int rc = nm_keystore_names(home, &list, &n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int r = nm_keystore_address(home, list[i].name, &list[i].pub);
        if (r == NM_E_BAD_PASSWORD || r == NM_E_KEY_NOT_FOUND)
            continue; /* damaged, or removed while we listed */
        if (r < 0) {
            free(list);
            return r;
        }
        list[kept++] = list[i];
    }
    if (kept == 0) {
        free(list);
        list = NULL;
    }
    *entries = list;
    *count = kept;
    return 0;
}

int nm_keystore_remove(const char *home, const char *name)
{
    char path[PATH_MAX], dir[PATH_MAX];
    int rc = key_path(home, name, path, sizeof path);
    if (rc < 0)
        return rc;
    rc = keys_dir_path(home, dir, sizeof dir);
    if (rc < 0)
        return rc;
    if (unlink(path) != 0)
        return errno == ENOENT ? NM_E_KEY_NOT_FOUND : NM_E_IO;
    fsync_dir(dir);
    return 0;
}
