/* Unit tests for node/fee: the fee follows an extrinsic's bytes and its
 * call's weight (issue 16 "fees that follow cost", issue 17 "fees by
 * size"), a list call weighs by its entries, an overflowing fee is
 * refused, and every call declares its weight and has its row in
 * docs/protocol.md's fee table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/fee.h"
#include "node/pallets/pallet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_fee_is_base_plus_bytes_plus_weight(void **state)
{
    (void)state;
    struct nm_call transfer = {.kind = NM_CALL_TRANSFER};
    struct nm_fee_rates rates = {.base = 5, .per_byte = 2, .per_weight = 3};
    struct nm_fee fee;
    assert_int_equal(nm_fee_weight(&transfer), NM_WEIGHT_EXTRINSIC + 50);
    assert_int_equal(nm_fee_compute(&rates, 152, &transfer, &fee), 0);
    assert_int_equal(fee.weight, NM_WEIGHT_EXTRINSIC + 50);
    assert_int_equal(fee.base_fee, 5);
    assert_int_equal(fee.length_fee, 2 * 152);
    assert_int_equal(fee.weight_fee, 3 * (NM_WEIGHT_EXTRINSIC + 50));
    assert_int_equal(fee.total, 5 + 2 * 152 + 3 * (NM_WEIGHT_EXTRINSIC + 50));
}

static void test_a_weight_list_weighs_by_its_entries(void **state)
{
    (void)state;
    struct nm_call wc = {.kind = NM_CALL_WEIGHTS_SUBMIT};
    wc.u.weights.list.n = 4096;
    assert_int_equal(nm_fee_weight(&wc), NM_WEIGHT_EXTRINSIC + 150 + 2 * 4096);
    wc.u.weights.list.n = 0;
    assert_int_equal(nm_fee_weight(&wc), NM_WEIGHT_EXTRINSIC + 150);
}

/* An overflowing fee is one nobody can pay. */
static void test_an_overflowing_fee_is_refused(void **state)
{
    (void)state;
    struct nm_call transfer = {.kind = NM_CALL_TRANSFER};
    struct nm_fee fee;
    struct nm_fee_rates rates = {.base = 1, .per_byte = UINT64_MAX, .per_weight = 1};
    assert_int_equal(nm_fee_compute(&rates, 2, &transfer, &fee), NM_E_OVERFLOW);
    rates = (struct nm_fee_rates){.base = UINT64_MAX, .per_byte = 0, .per_weight = 1};
    assert_int_equal(nm_fee_compute(&rates, 2, &transfer, &fee), NM_E_OVERFLOW);
}

/* Every call says what it costs, and docs/protocol.md's fee table has its
 * row with that weight. */
static void test_every_call_declares_its_weight_and_is_documented(void **state)
{
    (void)state;
    FILE *doc = fopen("docs/protocol.md", "r");
    assert_non_null(doc);
    char *text = NULL;
    size_t cap = 0;
    assert_true(getdelim(&text, &cap, '\0', doc) > 0);
    fclose(doc);
    for (size_t i = 0; i < nm_pallet_count; i++)
        for (size_t k = 0; k < nm_pallets[i]->call_count; k++) {
            const struct nm_call_info *c = &nm_pallets[i]->calls[k];
            char row[128];
            snprintf(row, sizeof row, "| `%s` | %u |", c->name, c->weight);
            if (c->weight == 0 || !strstr(text, row))
                fail_msg("%s: weight %u, docs/protocol.md row \"%s\" missing", c->name,
                         c->weight, row);
            assert_true(c->items == NULL || c->item_weight > 0);
        }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fee_is_base_plus_bytes_plus_weight),
        cmocka_unit_test(test_a_weight_list_weighs_by_its_entries),
        cmocka_unit_test(test_an_overflowing_fee_is_refused),
        cmocka_unit_test(test_every_call_declares_its_weight_and_is_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
