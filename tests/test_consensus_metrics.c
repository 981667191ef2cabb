/* Unit tests for service/consensus_metrics: the consensus gauges read the
 * pallet's own tables (its real schema), label by subnet and uid, keep the
 * chain's integers, and take only each subnet's newest epoch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "node/db.h"
#include "service/consensus_metrics.h"

#include <stdlib.h>
#include <string.h>

static struct nm_db *db_with_consensus_tables(void)
{
    struct nm_db *db = NULL;
    /* the migrations create every pallet's tables, the consensus ones too */
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    return db;
}

static char *render(struct nm_db *db)
{
    struct nm_prom_text t = {0};
    nm_consensus_metrics_render(db, &t);
    assert_false(t.oom);
    return t.buf;
}

static void test_empty_tables_give_families_without_samples(void **state)
{
    (void)state;
    struct nm_db *db = db_with_consensus_tables();
    char *text = render(db);
    assert_non_null(strstr(text, "# TYPE neuromesh_consensus_reputation_ppb gauge\n"));
    assert_non_null(strstr(text, "# TYPE neuromesh_consensus_collusion_confirmed gauge\n"));
    assert_null(strstr(text, "\nneuromesh_consensus_reputation_ppb{"));
    free(text);
    nm_db_close(db);
}

static void test_reputation_of_validators_only_and_newest_epoch_per_subnet(void **state)
{
    (void)state;
    struct nm_db *db = db_with_consensus_tables();
    assert_int_equal(
        nm_db_exec(db,
                   "INSERT INTO neuron_stats VALUES"
                   " (1, x'01', 3, 1, 4, 0, 0, 0, 812345678, 990000000, 0, 0),"
                   " (1, x'02', 0, 0, 4, 0, 0, 0, 500000000, 0, 0, 0),"
                   " (2, x'03', 7, 1, 4, 0, 0, 0, 250000000, 0, 0, 0);"
                   "INSERT INTO epochs VALUES"
                   " (1, 3, 30, 0, 0, 0, 0, 0, 5, 2, 1, 0, 0, 9, 9, 1, x''),"
                   " (1, 4, 40, 0, 0, 0, 0, 0, 6, 5, 1, 0, 0, 2, 1, 1, x''),"
                   " (2, 4, 40, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, x'')"),
        0);
    char *text = render(db);
    assert_non_null(
        strstr(text, "\nneuromesh_consensus_reputation_ppb{subnet=\"1\",uid=\"3\"} 812345678\n"));
    assert_non_null(
        strstr(text, "\nneuromesh_consensus_reputation_ppb{subnet=\"2\",uid=\"7\"} 250000000\n"));
    /* the miner (role 0) has no reputation sample */
    assert_null(strstr(text, "uid=\"0\""));
    /* subnet 1's epoch 4, not epoch 3 */
    assert_non_null(strstr(text, "\nneuromesh_consensus_weight_submissions{subnet=\"1\"} 5\n"));
    assert_non_null(strstr(text, "\nneuromesh_consensus_validators{subnet=\"1\"} 6\n"));
    assert_non_null(strstr(text, "\nneuromesh_consensus_collusion_suspects{subnet=\"1\"} 2\n"));
    assert_non_null(strstr(text, "\nneuromesh_consensus_collusion_confirmed{subnet=\"1\"} 1\n"));
    assert_non_null(strstr(text, "\nneuromesh_consensus_last_epoch{subnet=\"1\"} 4\n"));
    assert_non_null(strstr(text, "\nneuromesh_consensus_weight_submissions{subnet=\"2\"} 1\n"));
    assert_null(strstr(text, "{subnet=\"1\"} 9\n"));
    free(text);
    nm_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_tables_give_families_without_samples),
        cmocka_unit_test(test_reputation_of_validators_only_and_newest_epoch_per_subnet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
