/* Unit tests for node/params: the chain parameter table, its defaults, lookup and slots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/params.h"

#include <string.h>

static void test_table_lists_every_field_of_the_struct(void **state)
{
    (void)state;
    assert_int_equal(nm_param_count, (int)(sizeof(struct nm_params) / sizeof(uint64_t)));
    /* Each entry names its own distinct, aligned slot. */
    for (int i = 0; i < nm_param_count; i++) {
        assert_true(nm_param_table[i].struct_offset % sizeof(uint64_t) == 0);
        assert_true(nm_param_table[i].struct_offset < sizeof(struct nm_params));
        for (int j = i + 1; j < nm_param_count; j++) {
            assert_true(nm_param_table[i].struct_offset != nm_param_table[j].struct_offset);
            assert_string_not_equal(nm_param_table[i].name, nm_param_table[j].name);
        }
    }
}

static void test_every_param_has_name_description_and_sane_bounds(void **state)
{
    (void)state;
    for (int i = 0; i < nm_param_count; i++) {
        const struct nm_param_info *p = &nm_param_table[i];
        assert_true(p->name && p->name[0]);
        assert_true(p->description && p->description[0]);
        assert_true(p->min <= p->max);
        if (p->dev_default < p->min || p->dev_default > p->max)
            fail_msg("%s: dev default out of bounds", p->name);
        if (p->default_value < p->min || p->default_value > p->max)
            fail_msg("%s: default out of bounds", p->name);
    }
}

static void test_dev_defaults_fill_every_field(void **state)
{
    (void)state;
    struct nm_params p;
    memset(&p, 0xff, sizeof p);
    nm_params_defaults(&p, 1);
    assert_true(p.block_time_ms == 1000);
    assert_true(p.tempo == 10);
    assert_true(p.tx_fee == 100000);
    assert_true(p.existential_deposit == 1000000);
    assert_true(p.unlock_period_blocks == 10);
    assert_true(p.max_subnets == 32);
    assert_true(p.max_neurons == 4096);
    assert_true(p.max_block_extrinsics == 8192);
    assert_true(p.faucet_amount == 100000000000ULL);
    for (int i = 0; i < nm_param_count; i++)
        assert_true(nm_param_value(&p, &nm_param_table[i]) == nm_param_table[i].dev_default);
}

static void test_default_chain_defaults_fill_every_field(void **state)
{
    (void)state;
    struct nm_params p;
    memset(&p, 0xff, sizeof p);
    nm_params_defaults(&p, 0);
    assert_true(p.block_time_ms == 12000);
    assert_true(p.tempo == 360);
    assert_true(p.tx_fee == 100000);
    assert_true(p.existential_deposit == 1000000);
    assert_true(p.unlock_period_blocks == 7200);
    assert_true(p.max_subnets == 32);
    assert_true(p.max_neurons == 4096);
    assert_true(p.max_block_extrinsics == 8192);
    assert_true(p.faucet_amount == 0); /* no free money off the dev chain */
    for (int i = 0; i < nm_param_count; i++)
        assert_true(nm_param_value(&p, &nm_param_table[i]) == nm_param_table[i].default_value);
}

static void test_find_by_name(void **state)
{
    (void)state;
    const struct nm_param_info *info = nm_param_find("tempo");
    assert_non_null(info);
    assert_string_equal(info->name, "tempo");
    assert_true(info->min == 2 && info->max == 100000);
    for (int i = 0; i < nm_param_count; i++)
        assert_ptr_equal(nm_param_find(nm_param_table[i].name), &nm_param_table[i]);
    assert_null(nm_param_find("Tempo"));
    assert_null(nm_param_find("temp"));
    assert_null(nm_param_find(""));
    assert_null(nm_param_find("no_such_param"));
}

static void test_slot_writes_the_named_field_only(void **state)
{
    (void)state;
    struct nm_params p;
    nm_params_defaults(&p, 0);
    struct nm_params before = p;
    const struct nm_param_info *info = nm_param_find("unlock_period_blocks");
    assert_non_null(info);
    *nm_param_slot(&p, info) = 1234;
    assert_true(p.unlock_period_blocks == 1234);
    assert_true(nm_param_value(&p, info) == 1234);
    p.unlock_period_blocks = before.unlock_period_blocks;
    assert_memory_equal(&p, &before, sizeof p);

    info = nm_param_find("faucet_amount");
    *nm_param_slot(&p, info) = UINT64_MAX;
    assert_true(p.faucet_amount == UINT64_MAX);
    assert_true(p.block_time_ms == 12000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_lists_every_field_of_the_struct),
        cmocka_unit_test(test_every_param_has_name_description_and_sane_bounds),
        cmocka_unit_test(test_dev_defaults_fill_every_field),
        cmocka_unit_test(test_default_chain_defaults_fill_every_field),
        cmocka_unit_test(test_find_by_name),
        cmocka_unit_test(test_slot_writes_the_named_field_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
