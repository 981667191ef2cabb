/* keymnemonic.c - BIP-39 words for the key store (see keymnemonic.h). */
#include "console/commands/keymnemonic.h"

#include "node/errors.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int nm_key_read_line(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t)n;
        if (memchr(buf, '\n', len))
            break;
    }
    buf[len] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    char *start = buf;
    while (isspace((unsigned char)*start))
        start++;
    size_t n = strlen(start);
    while (n > 0 && isspace((unsigned char)start[n - 1]))
        n--;
    memmove(buf, start, n);
    buf[n] = '\0';
    return 0;
}

static int load_list(struct nm_wordlist *wl, char *err, size_t cap)
{
    int rc = nm_wordlist_load(wl);
    if (rc)
        snprintf(err, cap, "the BIP-39 word list %s is %s (Debian: apt-get install "
                           "python3-mnemonic; or set NEUROMESH_BIP39_WORDLIST)",
                 NM_MNEMONIC_DEFAULT_LIST, rc == NM_E_IO ? "missing" : "not the English list");
    return rc;
}

int nm_key_mnemonic_new(int words, char phrase[NM_MNEMONIC_MAX], uint8_t seed[32], char *err,
                        size_t cap)
{
    static struct nm_wordlist wl;
    uint8_t entropy[32];
    size_t len = words == 24 ? 32 : 16;
    int rc = load_list(&wl, err, cap);
    if (rc)
        return rc;
    randombytes_buf(entropy, len);
    rc = nm_mnemonic_from_entropy(&wl, entropy, len, phrase);
    if (!rc)
        nm_mnemonic_seed(entropy, len, "", seed);
    sodium_memzero(entropy, sizeof entropy);
    return rc;
}

/* Asks on the terminal with echo off (the words are a secret). */
static int ask_words(char *buf, size_t cap, char *err, size_t ecap)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, ecap, "no terminal to ask the words on: use --mnemonic-file F (- for "
                            "standard input)");
        return NM_E_USAGE;
    }
    struct termios old, quiet;
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    static const char prompt[] = "Mnemonic (12-24 words): ";
    ssize_t w = write(fd, prompt, sizeof prompt - 1);
    (void)w;
    int rc = nm_key_read_line(fd, buf, cap);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    w = write(fd, "\n", 1);
    close(fd);
    if (rc) {
        snprintf(err, ecap, "cannot read the words: %s", strerror(errno));
        return NM_E_IO;
    }
    return 0;
}

int nm_key_mnemonic_read(const char *file, uint8_t seed[32], char *err, size_t cap)
{
    static struct nm_wordlist wl;
    char phrase[NM_MNEMONIC_MAX + 64];
    uint8_t entropy[32];
    size_t len;
    int rc = load_list(&wl, err, cap);
    if (rc)
        return rc;
    if (!file) {
        rc = ask_words(phrase, sizeof phrase, err, cap);
    } else {
        bool in = strcmp(file, "-") == 0;
        int fd = in ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || nm_key_read_line(fd, phrase, sizeof phrase) != 0) {
            snprintf(err, cap, "mnemonic file \"%.60s\": %s", file, strerror(errno));
            rc = NM_E_IO;
        }
        if (fd >= 0 && !in)
            close(fd);
    }
    if (!rc && (rc = nm_mnemonic_to_entropy(&wl, phrase, entropy, &len, err, cap)) == 0)
        nm_mnemonic_seed(entropy, len, "", seed);
    sodium_memzero(phrase, sizeof phrase);
    sodium_memzero(entropy, sizeof entropy);
    return rc;
}
