/* test_xs_wire.c: malformed messages get an error reply or end their
 * connection, never the daemon; CONTROL; pvhv's act-as. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "xs_harness.h"

Test(xs_wire, over_long_payload_ends_the_connection)
{
    struct xsd *d = xst_core();
    struct xsd_conn *bad = xst_conn(d, 0), *good = xst_conn(d, 0);
    struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

    cr_expect_eq(xsd_conn_feed(bad, &h, sizeof(h)), sizeof(h));
    cr_expect(xsd_conn_dead(bad));
    cr_expect_str_eq(xst_write(good, 0, "/still", "here"), "OK", "the others carry on");
    xsd_free(d);
}

Test(xs_wire, missing_nul_and_junk_arguments)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    cr_expect_eq(xst_call(c, XS_READ, 0, "/a", 2).type, XS_ERROR);
    cr_expect_str_eq(xst_call(c, XS_READ, 0, "/a", 2).body, "EINVAL");
    cr_expect_str_eq(xst_call(c, XS_READ, 0, "", 0).body, "EINVAL");
    cr_expect_str_eq(xst_call(c, XS_READ, 0, "/a\0/b", 6).body, "EINVAL");
    cr_expect_str_eq(xst_call(c, XS_WRITE, 0, "/a", 2).body, "EINVAL");
    cr_expect_str_eq(xst_call(c, XS_WATCH, 0, "/a\0", 3).body, "EINVAL");
    cr_expect_str_eq(xst_call(c, XS_DIRECTORY_PART, 0, "/\0x", 4).body, "EINVAL");
    cr_expect_str_eq(xst_req(c, XS_INTRODUCE, 0, "0", "1", "1", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_INTRODUCE, 0, "x", "1", "1", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_INTRODUCE, 0, "32752", "1", "1", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_GET_DOMAIN_PATH, 0, "99999", NULL), "error EINVAL");
    xsd_free(d);
}

Test(xs_wire, unknown_and_reply_only_types_are_enosys)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);
    uint32_t types[] = { XS_WATCH_EVENT, XS_ERROR, 20, XS_TYPE_COUNT, 999, XS_INVALID };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct xst_reply r = xst_call(c, types[i], 0, "", 0);
        cr_expect_eq(r.type, XS_ERROR);
        cr_expect_str_eq(r.body, "ENOSYS");
    }
    cr_expect_str_eq(xst_read(c, 0, "/"), "", "the connection carries on");
    xsd_free(d);
}

Test(xs_wire, byte_at_a_time)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);
    uint8_t msg[sizeof(struct xsd_sockmsg) + 8];
    struct xsd_sockmsg h = { XS_WRITE, 9, 0, 8 };

    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), "/slow\0ab", 8);
    for (size_t i = 0; i < sizeof(msg); i++)
        cr_assert_eq(xsd_conn_feed(c, msg + i, 1), 1);
    const void *buf;
    size_t len;
    cr_assert(xsd_conn_out_peek(c, &buf, &len));
    xsd_conn_out_consume(c, len);
    cr_expect_str_eq(xst_read(c, 0, "/slow"), "ab");
    xsd_free(d);
}

Test(xs_wire, control_commands)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "check", NULL), "OK");
    cr_expect(strstr(xst_req(c, XS_CONTROL, 0, "help", NULL), "act-as"));
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "log", "on", NULL), "OK");
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "log", NULL), "on");
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "log", "off", NULL), "OK");
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "quota", NULL),
                     "nodes 1000\nwatches 128\nvalue-size 2048\ntransactions 10\n"
                     "outstanding 20\npermissions 5\n");
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "quota", "set", "nodes", "x", NULL),
                     "error EINVAL");
    cr_expect(strstr(xst_req(c, XS_CONTROL, 0, "memreport", NULL), "nodes 3\n"));
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "frobnicate", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, NULL), "error EINVAL");
    xsd_free(d);
}

Test(xs_wire, act_as_rules)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "act-as", "9", NULL), "error ENOENT",
                     "only introduced domains");
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "act-as", "0", NULL), "error EINVAL");
    xst_req(c, XS_INTRODUCE, 0, "9", "1", "1", NULL);
    xst_req(c, XS_WATCH, 0, "/", "w", NULL);
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "act-as", "9", NULL), "error EBUSY",
                     "not with watches or transactions held");
    xst_req(c, XS_UNWATCH, 0, "/", "w", NULL);
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "act-as", "9", NULL), "OK");
    cr_expect_str_eq(xst_write(c, 0, "/x", "1"), "error EACCES", "dom0's privilege is gone");
    cr_expect_str_eq(xst_req(c, XS_CONTROL, 0, "act-as", "0", NULL), "error EACCES");
    xsd_free(d);
}
