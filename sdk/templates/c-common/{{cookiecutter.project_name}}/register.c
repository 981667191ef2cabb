/* register.c - registers this project's neuron on its subnet with
 * libneuromesh (the NeuroMesh C SDK): register miner|validator STAKE_NMT
 * [ENDPOINT]. NEUROMESH_URL names the node, NEUROMESH_AS the signer (a dev
 * name on a dev chain, or a key of `neuromesh key new` whose password is in
 * the file NEUROMESH_PASSWORD_FILE), NEUROMESH_SUBNET the subnet.
 * Registering twice is fine. */
#include <neuromesh.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SUBNET "{{cookiecutter.subnet}}"

static const char *env(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: register miner|validator STAKE_NMT [ENDPOINT]\n");
        return 2;
    }
    struct neuromesh_config cfg = {.url = env("NEUROMESH_URL", "ws://127.0.0.1:9944"),
                                   .signer = env("NEUROMESH_AS", NULL),
                                   .password_file = env("NEUROMESH_PASSWORD_FILE", NULL)};
    uint16_t subnet = (uint16_t)atoi(env("NEUROMESH_SUBNET", DEFAULT_SUBNET));
    uint64_t stake = strtoull(argv[2], NULL, 10) * 1000000000ULL;
    char err[512], uid[16] = "?";
    struct neuromesh_receipt r = {0};
    neuromesh_client *c;
    int rc = neuromesh_connect(&cfg, &c, err, sizeof err);
    if (rc == 0) {
        rc = neuromesh_register(c, NULL, subnet, argv[1], stake, argc > 3 ? argv[3] : "", &r,
                                err, sizeof err);
        neuromesh_receipt_field(&r, "registry.Registered", "uid", uid, sizeof uid);
        neuromesh_receipt_fini(&r);
        neuromesh_close(c);
    }
    if (rc && strcmp(neuromesh_errname(rc), "ALREADY_REGISTERED") == 0) {
        printf("already registered on subnet %u\n", subnet);
        return 0;
    }
    if (rc) {
        fprintf(stderr, "error: register: %s\n", err);
        return 1;
    }
    printf("registered on subnet %u as uid %s\n", subnet, uid);
    return 0;
}
