/* test_xs_txn.c: transactions: empty, read-modify-write, abort, conflict
 * (EAGAIN, then a retry succeeds), isolation, removal inside one. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_harness.h"

Test(xs_txn, empty_transaction_commits)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);
    uint32_t t = xst_tx_start(c);

    cr_expect_str_eq(xst_tx_end(c, t, true), "OK");
    cr_expect_str_eq(xst_tx_end(c, t, true), "error ENOENT", "the id is gone");
    xsd_free(d);
}

Test(xs_txn, read_modify_write)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    xst_write(c, 0, "/counter", "41");
    uint32_t t = xst_tx_start(c);
    int v = atoi(xst_read(c, t, "/counter"));
    char buf[16];
    snprintf(buf, sizeof(buf), "%d", v + 1);
    cr_expect_str_eq(xst_write(c, t, "/counter", buf), "OK");
    cr_expect_str_eq(xst_read(c, t, "/counter"), "42", "the transaction sees its write");
    cr_expect_str_eq(xst_read(c, 0, "/counter"), "41", "nobody else does yet");
    cr_expect_str_eq(xst_tx_end(c, t, true), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/counter"), "42");
    xsd_free(d);
}

Test(xs_txn, abort_discards)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    xst_write(c, 0, "/keep", "1");
    uint32_t t = xst_tx_start(c);
    xst_write(c, t, "/keep", "2");
    xst_write(c, t, "/new/deep", "3");
    cr_expect_str_eq(xst_req(c, XS_RM, t, "/keep", NULL), "OK");
    cr_expect_str_eq(xst_tx_end(c, t, false), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/keep"), "1");
    cr_expect_str_eq(xst_read(c, 0, "/new"), "error ENOENT");
    xsd_free(d);
}

Test(xs_txn, conflict_gives_eagain_then_retry_succeeds)
{
    struct xsd *d = xst_core();
    struct xsd_conn *a = xst_conn(d, 0), *b = xst_conn(d, 0);

    xst_write(a, 0, "/n", "1");
    uint32_t t = xst_tx_start(a);
    cr_expect_str_eq(xst_read(a, t, "/n"), "1");
    cr_expect_str_eq(xst_write(b, 0, "/n", "5"), "OK", "someone else writes meanwhile");
    xst_write(a, t, "/n", "2");
    cr_expect_str_eq(xst_tx_end(a, t, true), "error EAGAIN");
    cr_expect_str_eq(xst_read(a, 0, "/n"), "5", "the loser changed nothing");
    t = xst_tx_start(a);
    cr_expect_str_eq(xst_read(a, t, "/n"), "5");
    xst_write(a, t, "/n", "6");
    cr_expect_str_eq(xst_tx_end(a, t, true), "OK");
    cr_expect_str_eq(xst_read(a, 0, "/n"), "6");
    xsd_free(d);
}

Test(xs_txn, conflict_on_a_node_created_meanwhile)
{
    struct xsd *d = xst_core();
    struct xsd_conn *a = xst_conn(d, 0), *b = xst_conn(d, 0);

    uint32_t t = xst_tx_start(a);
    cr_expect_str_eq(xst_read(a, t, "/lock"), "error ENOENT");
    xst_write(a, t, "/lock", "a");
    xst_write(b, 0, "/lock", "b");
    cr_expect_str_eq(xst_tx_end(a, t, true), "error EAGAIN");
    cr_expect_str_eq(xst_read(a, 0, "/lock"), "b");
    xsd_free(d);
}

Test(xs_txn, unrelated_writes_do_not_conflict)
{
    struct xsd *d = xst_core();
    struct xsd_conn *a = xst_conn(d, 0), *b = xst_conn(d, 0);

    xst_write(a, 0, "/x/one", "1");
    xst_write(a, 0, "/y/two", "2");
    uint32_t t = xst_tx_start(a);
    xst_write(a, t, "/x/one", "10");
    xst_write(b, 0, "/y/two", "20");
    cr_expect_str_eq(xst_tx_end(a, t, true), "OK");
    cr_expect_str_eq(xst_read(a, 0, "/x/one"), "10");
    xsd_free(d);
}

Test(xs_txn, rm_and_directory_inside)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    xst_write(c, 0, "/t/a", "1");
    xst_write(c, 0, "/t/b", "2");
    uint32_t t = xst_tx_start(c);
    cr_expect_str_eq(xst_req(c, XS_RM, t, "/t/a", NULL), "OK");
    xst_write(c, t, "/t/c", "3");
    struct xst_reply r = xst_call(c, XS_DIRECTORY, t, "/t", 3);
    cr_expect_eq(r.len, 4);
    cr_expect(!memcmp(r.body, "b\0c\0", 4));
    r = xst_call(c, XS_DIRECTORY, 0, "/t", 3);
    cr_expect(!memcmp(r.body, "a\0b\0", 4), "outside, nothing changed yet");
    cr_expect_str_eq(xst_tx_end(c, t, true), "OK");
    r = xst_call(c, XS_DIRECTORY, 0, "/t", 3);
    cr_expect(!memcmp(r.body, "b\0c\0", 4));
    char why[128];
    cr_expect_eq(xsd_store_check(&d->store, why, sizeof(why)), 0, "%s", why);
    xsd_free(d);
}

Test(xs_txn, ids_and_misuse)
{
    struct xsd *d = xst_core();
    struct xsd_conn *a = xst_conn(d, 0), *b = xst_conn(d, 0);
    uint32_t t = xst_tx_start(a);

    cr_expect_str_eq(xst_read(b, t, "/"), "error ENOENT", "ids are per connection");
    cr_expect_str_eq(xst_req(a, XS_TRANSACTION_START, t, "", NULL), "error EBUSY");
    cr_expect_str_eq(xst_req(a, XS_TRANSACTION_END, t, "X", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(a, XS_TRANSACTION_END, 0, "T", NULL), "error ENOENT");
    /* A closed connection takes its transactions with it. */
    xsd_conn_free(a);
    cr_expect_str_eq(xst_read(b, 0, "/"), "");
    xsd_free(d);
}
