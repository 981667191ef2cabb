/* Unit tests for console/dashboard/screen_authorities: the Authorities
 * screen drawn from a cache fed with canned bft_authorities and bft_state
 * answers into an off-screen pad, read back cell by cell: the header lines,
 * one row per authority with its figures, the colours of online, offline
 * and missed proposals, sorting, and the screen of a node without the set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/dashboard/screen.h"

#include "tests/widget_harness.h"

#define ALICE "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
#define BOB "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
#define DAVE "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy"

#define W 110
#define H 8

static void feed(struct nm_cache *c, enum nm_dq_kind kind, const char *json)
{
    struct nm_dq_msg m = {.kind = kind, .json = cJSON_Parse(json)};
    assert_non_null(m.json);
    nm_cache_apply(c, &m);
    cJSON_Delete(m.json);
}

static void fill(struct nm_cache *c)
{
    c->show_addresses = true;
    feed(c, NM_DQ_HEAD, "{\"height\":120}");
    feed(c, NM_DQ_BFT_SET,
         "{\"authorities\":[{\"index\":0,\"account\":\"" ALICE "\",\"power\":\"1\"},"
         "{\"index\":1,\"account\":\"" BOB "\",\"power\":\"1\"},"
         "{\"index\":2,\"account\":\"" DAVE "\",\"power\":\"2\"}],"
         "\"totalPower\":\"4\",\"quorumPower\":\"3\",\"finality\":\"bft\"}");
    feed(c, NM_DQ_BFT,
         "{\"running\":true,\"height\":121,\"round\":1,\"step\":\"prevote\","
         "\"finality\":\"bft\",\"finalizedHeight\":120,\"authorities\":["
         "{\"account\":\"" ALICE "\",\"online\":true,\"lastSignedHeight\":121,"
         "\"missedRounds\":0,\"lateVotes\":2},"
         "{\"account\":\"" BOB "\",\"online\":true,\"lastSignedHeight\":121,"
         "\"missedRounds\":1,\"lateVotes\":9},"
         "{\"account\":\"" DAVE "\",\"online\":false,\"lastSignedHeight\":0,"
         "\"missedRounds\":0,\"lateVotes\":0}]}");
}

static struct widget_look test_look(void)
{
    struct widget_look look = harness_look(false);
    look.attr[WR_GOOD] = A_ITALIC;
    look.attr[WR_WARN] = A_BLINK;
    return look;
}

/* The column of the first occurrence of text in row y, or -1. */
static int column_of(WINDOW *pad, int y, const char *text)
{
    char row[512];
    harness_row(pad, y, row, sizeof row);
    const char *at = strstr(row, text);
    return at ? (int)(at - row) : -1;
}

/* Each test: a cache, the screen laid out on H x W and a pad to draw in. */
struct fx {
    struct widget_look look;
    struct nm_cache c;
    struct nm_screen *s;
    WINDOW *pad;
};

static int setup(void **state)
{
    harness_start();
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->look = test_look();
    nm_cache_init(&f->c);
    f->s = nm_screen_authorities.create(&f->look);
    assert_non_null(f->s);
    nm_screen_authorities.layout(f->s, 0, 0, H, W);
    f->pad = harness_pad(H, W);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    delwin(f->pad);
    nm_screen_authorities.destroy(f->s);
    nm_cache_fini(&f->c);
    free(f);
    return 0;
}

static void draw(struct fx *f)
{
    nm_screen_authorities.update(f->s, &f->c, NM_DIRTY_ALL);
    nm_screen_authorities.draw(f->s, f->pad, &f->c);
}

static void test_screen_shows_one_row_per_authority_with_its_figures(void **state)
{
    struct fx *f = *state;
    WINDOW *pad = f->pad;
    fill(&f->c);
    draw(f);
    char row[512];
    assert_string_equal(harness_row(pad, 0, row, sizeof row),
                        " Authorities  3 authorities, 2 online, 1 offline; quorum 3 of 4 power");
    assert_string_equal(harness_row(pad, 1, row, sizeof row),
                        " best #120, finalized #120; deciding #121, round 1, prevote");
    assert_true(harness_attr(pad, 1, 1) & A_BLINK); /* a round above 0 */
    harness_row(pad, 2, row, sizeof row);
    assert_non_null(strstr(row, "ACCOUNT"));
    assert_non_null(strstr(row, "POWER   SHARE STATUS   LAST SIGNED  MISSED    LATE"));
    /* alice: power 1 of 4, online, signed 121, no missed proposal, 2 late */
    harness_row(pad, 3, row, sizeof row);
    assert_non_null(strstr(row, "5Grwva"));
    assert_non_null(strstr(row, " 1   25.0% online           121       0       2"));
    assert_true(harness_attr(pad, 3, 1) & A_REVERSE); /* the selection */
    /* bob (online in the "good" colour) missed a proposal: warned */
    harness_row(pad, 4, row, sizeof row);
    assert_non_null(strstr(row, " 1   25.0% online           121       1       9"));
    assert_true(harness_attr(pad, 4, column_of(pad, 4, "online")) & A_ITALIC);
    assert_true(harness_attr(pad, 4, (int)strlen(row) - 9) & A_BLINK);
    /* dave: offline, never signed */
    harness_row(pad, 5, row, sizeof row);
    assert_non_null(strstr(row, " 2   50.0% offline        never       0       0"));
    assert_true(harness_attr(pad, 5, column_of(pad, 5, "offline")) & A_UNDERLINE);
    assert_string_equal(harness_row(pad, 6, row, sizeof row), "");

    /* sort by late votes, most first: bob, alice, dave */
    Table_setSort(nm_screen_authorities.table(f->s), 7, true);
    draw(f);
    assert_true(column_of(pad, 3, "5FHneW") > 0);
    assert_true(column_of(pad, 5, "5DAAnr") > 0);
}

static void test_screen_of_a_node_that_does_not_vote_shows_dashes(void **state)
{
    struct fx *f = *state;
    fill(&f->c);
    feed(&f->c, NM_DQ_BFT, "{\"running\":false,\"height\":121,\"finality\":\"bft\","
                           "\"finalizedHeight\":120}");
    draw(f);
    char row[512];
    assert_string_equal(harness_row(f->pad, 0, row, sizeof row),
                        " Authorities  3 authorities; quorum 3 of 4 power");
    assert_non_null(strstr(harness_row(f->pad, 1, row, sizeof row), "this node does not vote"));
    assert_non_null(strstr(harness_row(f->pad, 5, row, sizeof row),
                           " 2   50.0% -                  -       -       -"));
}

static void test_screen_without_a_set_says_so(void **state)
{
    struct fx *f = *state;
    draw(f);
    char row[512];
    int found = 0;
    for (int y = 0; y < H; y++)
        found += strstr(harness_row(f->pad, y, row, sizeof row),
                        "no authority set yet (the node serves no bft_authorities)") != NULL;
    assert_int_equal(found, 1);
}

static int group_teardown(void **state)
{
    (void)state;
    harness_stop();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_screen_shows_one_row_per_authority_with_its_figures,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_of_a_node_that_does_not_vote_shows_dashes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_screen_without_a_set_says_so, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
