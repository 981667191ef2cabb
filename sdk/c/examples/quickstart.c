/* quickstart.c - libneuromesh's examples in one story, run by the test
 * suite against a dev node (tests/e2e/sdk.sh): transfer, create a subnet,
 * register a miner and a validator, add stake, submit weights with
 * commit-reveal, and follow epochs. Build it with
 *   cc quickstart.c $(pkg-config --cflags --libs neuromesh)
 * Usage: quickstart ws://HOST:PORT OWNER MINER SUBNET_NAME
 * (OWNER and MINER are signers: dev names on a dev chain, or key names). */
#include <neuromesh.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NMT 1000000000ULL

static char err[512];

static int check(int rc, const char *what)
{
    if (rc)
        fprintf(stderr, "quickstart: %s: %s [%s]\n", what, err, neuromesh_errname(rc));
    else
        printf("ok: %s\n", what);
    return rc;
}

static atomic_int epochs_seen;

static void on_epoch(void *ud, const char *json)
{
    (void)ud;
    int n = atomic_fetch_add(&epochs_seen, 1);
    if (n < 2)
        printf("epoch notification %d: %.120s\n", n + 1, json);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Each step of the story; 0 when all went well. */
static int story(neuromesh_client *c, const char *owner, const char *miner, const char *name)
{
    struct neuromesh_account before, after;
    struct neuromesh_receipt r = {0};
    char args[512], subnet_text[16], uid_text[16];
    int rc;

    /* transfer 1.5 NMT and see it arrive */
    if (check(neuromesh_account_get(c, miner, &before, err, sizeof err), "balance before") ||
        check(neuromesh_transfer(c, owner, miner, 3 * NMT / 2, NULL, err, sizeof err),
              "transfer 1.5 NMT") ||
        check(neuromesh_account_get(c, miner, &after, err, sizeof err), "balance after"))
        return 1;
    if (after.free != before.free + 3 * NMT / 2) {
        fprintf(stderr, "quickstart: %s has %llu units, expected %llu\n", after.address,
                (unsigned long long)after.free, (unsigned long long)(before.free + 3 * NMT / 2));
        return 1;
    }

    /* any pallet call from its JSON view: a subnet with commit-reveal */
    snprintf(args, sizeof args,
             "{\"task\":\"CODE_GEN\",\"name\":\"%s\",\"emission_weight\":0,"
             "\"min_stake_miner\":\"1000000000\",\"min_stake_validator\":\"1000000000\","
             "\"max_neurons\":16,\"input_schema\":\"\",\"output_schema\":\"\",\"eval_spec\":\"\"}",
             name);
    rc = check(neuromesh_submit(c, owner, "subnets.create", args, &r, err, sizeof err),
               "subnets.create");
    if (!rc)
        rc = check(neuromesh_receipt_field(&r, "subnets.Created", "id", subnet_text,
                                           sizeof subnet_text), "subnet id from its event");
    neuromesh_receipt_fini(&r);
    if (rc)
        return 1;
    uint16_t subnet = (uint16_t)atoi(subnet_text);
    snprintf(args, sizeof args, "{\"subnet\":%u,\"commit_reveal\":true,\"reveal_delay\":1,"
             "\"rate_limit\":0,\"softmax_temperature\":0}", subnet);
    if (check(neuromesh_submit(c, owner, "weights.set_options", args, NULL, err, sizeof err),
              "commit-reveal on"))
        return 1;

    /* register, stake */
    rc = check(neuromesh_register(c, miner, subnet, "miner", 10 * NMT, "grpc://127.0.0.1:50051",
                                  &r, err, sizeof err), "register miner");
    if (!rc)
        rc = check(neuromesh_receipt_field(&r, "registry.Registered", "uid", uid_text,
                                           sizeof uid_text), "miner uid from its event");
    neuromesh_receipt_fini(&r);
    if (rc ||
        check(neuromesh_register(c, owner, subnet, "validator", 100 * NMT, "", NULL, err,
                                 sizeof err), "register validator") ||
        check(neuromesh_stake_add(c, owner, subnet, 5 * NMT, NULL, err, sizeof err),
              "stake add 5 NMT"))
        return 1;

    /* commit-reveal: a plain submit is refused, commit then reveal */
    uint16_t uids[1] = {(uint16_t)atoi(uid_text)}, weights[1] = {65535};
    uint8_t salt[32];
    rc = neuromesh_weights_submit(c, owner, subnet, uids, weights, 1, NULL, err, sizeof err);
    if (!rc || strcmp(neuromesh_errname(rc), "USE_COMMIT_REVEAL") != 0) {
        fprintf(stderr, "quickstart: a plain submit was not refused: %s\n", err);
        return 1;
    }
    printf("ok: plain submit refused (%s)\n", neuromesh_errname(rc));
    if (check(neuromesh_weights_commit(c, owner, subnet, uids, weights, 1, salt, NULL, err,
                                       sizeof err), "weights commit"))
        return 1;
    for (int i = 0; i < 30; i++) { /* the reveal delay is counted in blocks */
        rc = neuromesh_weights_reveal(c, owner, subnet, uids, weights, 1, salt, NULL, err,
                                      sizeof err);
        if (!rc || strcmp(neuromesh_errname(rc), "REVEAL_TOO_EARLY") != 0)
            break;
        sleep_ms(500);
    }
    if (check(rc, "weights reveal"))
        return 1;

    /* the subscription told the epoch at once; now wait for the next one */
    for (int i = 0; i < 300 && atomic_load(&epochs_seen) < 2; i++)
        sleep_ms(100);
    if (atomic_load(&epochs_seen) < 2) {
        fprintf(stderr, "quickstart: no new epoch in 30 s\n");
        return 1;
    }
    printf("ok: a new epoch began\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: quickstart ws://HOST:PORT OWNER MINER SUBNET_NAME\n");
        return 2;
    }
    struct neuromesh_config cfg = {.url = argv[1]};
    neuromesh_client *c;
    if (check(neuromesh_connect(&cfg, &c, err, sizeof err), "connect"))
        return 1;
    printf("libneuromesh %s, chain %s%s\n", neuromesh_version(), neuromesh_genesis(c),
           neuromesh_is_dev(c) ? " (dev)" : "");
    /* follow epochs from the start: one notification now, one per new epoch */
    char sub_id[128];
    int rc = check(neuromesh_subscribe(c, "epoch_subscribe", NULL, on_epoch, NULL, sub_id,
                                       sizeof sub_id, err, sizeof err), "epoch_subscribe");
    if (!rc)
        rc = story(c, argv[2], argv[3], argv[4]);
    if (!rc)
        rc = check(neuromesh_unsubscribe(c, "epoch_unsubscribe", sub_id, err, sizeof err),
                   "epoch_unsubscribe");
    neuromesh_close(c);
    if (!rc)
        printf("quickstart: all steps passed\n");
    return rc ? 1 : 0;
}
