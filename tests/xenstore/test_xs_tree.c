/* test_xs_tree.c: the classic xenstore cases on pvxenstored's core: values
 * of 1 and 2000 bytes, directories, rm, mkdir, paths, permissions lists. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "xs_harness.h"

Test(xs_tree, values_of_1_and_2000_bytes)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);
    char big[2001];

    memset(big, 'x', 2000);
    big[2000] = 0;
    cr_expect_str_eq(xst_write(c, 0, "/a", "1"), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/a"), "1");
    cr_expect_str_eq(xst_write(c, 0, "/big", big), "OK");
    struct xst_reply r = xst_call(c, XS_READ, 0, "/big", 5);
    cr_expect_eq(r.type, XS_READ);
    cr_expect_eq(r.len, 2000, "the value comes back without a NUL");
    cr_expect(!memcmp(r.body, big, 2000));
    /* Binary values, and the empty value. */
    cr_expect_eq(xst_call(c, XS_WRITE, 0, "/bin\0a\0b", 8).type, XS_WRITE);
    r = xst_call(c, XS_READ, 0, "/bin", 5);
    cr_expect_eq(r.len, 3);
    cr_expect(!memcmp(r.body, "a\0b", 3));
    cr_expect_str_eq(xst_write(c, 0, "/empty", ""), "OK");
    cr_expect_eq(xst_call(c, XS_READ, 0, "/empty", 7).len, 0);
    xsd_free(d);
}

Test(xs_tree, write_creates_parents_and_directory_lists_children)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    cr_expect_str_eq(xst_write(c, 0, "/d/x/y", "v"), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/d/x"), "", "parents are created empty");
    cr_expect_str_eq(xst_write(c, 0, "/d/b", "2"), "OK");
    cr_expect_str_eq(xst_write(c, 0, "/d/a", "3"), "OK");
    struct xst_reply r = xst_call(c, XS_DIRECTORY, 0, "/d", 3);
    cr_expect_eq(r.len, 6);
    cr_expect(!memcmp(r.body, "x\0b\0a\0", 6), "children in creation order");
    r = xst_call(c, XS_DIRECTORY, 0, "/d/b", 5);
    cr_expect_eq(r.type, XS_DIRECTORY);
    cr_expect_eq(r.len, 0, "a leaf has no children");
    cr_expect_str_eq(xst_req(c, XS_DIRECTORY, 0, "/nope", NULL), "error ENOENT");
    /* Relative paths are dom0's home. */
    cr_expect_str_eq(xst_write(c, 0, "rel", "r"), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/local/domain/0/rel"), "r");
    xsd_free(d);
}

Test(xs_tree, rm_removes_subtrees)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    xst_write(c, 0, "/r/a/b/c", "1");
    xst_write(c, 0, "/r/a/d", "2");
    xst_write(c, 0, "/r/e", "3");
    cr_expect_str_eq(xst_req(c, XS_RM, 0, "/r/a", NULL), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/r/a/b/c"), "error ENOENT");
    cr_expect_str_eq(xst_read(c, 0, "/r/a"), "error ENOENT");
    cr_expect_str_eq(xst_read(c, 0, "/r/e"), "3");
    struct xst_reply r = xst_call(c, XS_DIRECTORY, 0, "/r", 3);
    cr_expect_eq(r.len, 2);
    cr_expect_str_eq(r.body, "e");
    /* A missing node whose parent exists: fine; parent missing: ENOENT. */
    cr_expect_str_eq(xst_req(c, XS_RM, 0, "/r/zz", NULL), "OK");
    cr_expect_str_eq(xst_req(c, XS_RM, 0, "/q/zz", NULL), "error ENOENT");
    cr_expect_str_eq(xst_req(c, XS_RM, 0, "/", NULL), "error EINVAL");
    char why[128];
    cr_expect_eq(xsd_store_check(&d->store, why, sizeof(why)), 0, "%s", why);
    xsd_free(d);
}

Test(xs_tree, mkdir_keeps_existing_values)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    cr_expect_str_eq(xst_req(c, XS_MKDIR, 0, "/m/n", NULL), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/m/n"), "");
    xst_write(c, 0, "/m/n", "kept");
    cr_expect_str_eq(xst_req(c, XS_MKDIR, 0, "/m/n", NULL), "OK");
    cr_expect_str_eq(xst_read(c, 0, "/m/n"), "kept");
    xsd_free(d);
}

Test(xs_tree, bad_paths_are_einval)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);
    char longp[XENSTORE_ABS_PATH_MAX + 8];

    cr_expect_str_eq(xst_read(c, 0, ""), "error EINVAL");
    cr_expect_str_eq(xst_read(c, 0, "/a//b"), "error EINVAL");
    cr_expect_str_eq(xst_read(c, 0, "/a/"), "error EINVAL");
    cr_expect_str_eq(xst_read(c, 0, "/a b"), "error EINVAL");
    cr_expect_str_eq(xst_read(c, 0, "/a/\xc3\xa9"), "error EINVAL");
    cr_expect_str_eq(xst_write(c, 0, "@introduceDomain", "x"), "error EINVAL");
    /* 3072 bytes is the longest absolute path. */
    longp[0] = '/';
    memset(longp + 1, 'p', XENSTORE_ABS_PATH_MAX - 1);
    longp[XENSTORE_ABS_PATH_MAX] = 0;
    cr_expect_str_eq(xst_write(c, 0, longp, "ok"), "OK");
    longp[XENSTORE_ABS_PATH_MAX] = 'p';
    longp[XENSTORE_ABS_PATH_MAX + 1] = 0;
    cr_expect_str_eq(xst_write(c, 0, longp, "no"), "error EINVAL");
    xsd_free(d);
}

Test(xs_tree, permissions_list_round_trip)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);

    xst_write(c, 0, "/p", "");
    struct xst_reply r = xst_call(c, XS_GET_PERMS, 0, "/p", 3);
    cr_expect_eq(r.len, 3);
    cr_expect_str_eq(r.body, "n0", "root's permissions are inherited");
    cr_expect_str_eq(xst_req(c, XS_SET_PERMS, 0, "/p", "b5", "r7", "w9", "n3", NULL), "OK");
    r = xst_call(c, XS_GET_PERMS, 0, "/p", 3);
    cr_expect_eq(r.len, 12);
    cr_expect(!memcmp(r.body, "b5\0r7\0w9\0n3\0", 12));
    cr_expect_str_eq(xst_req(c, XS_SET_PERMS, 0, "/p", "x5", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_SET_PERMS, 0, "/p", "r", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_SET_PERMS, 0, "/p", "r70000", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_SET_PERMS, 0, "/p", NULL), "error EINVAL");
    cr_expect_str_eq(xst_req(c, XS_GET_PERMS, 0, "@releaseDomain", NULL), "n0");
    xsd_free(d);
}

Test(xs_tree, directory_part_pages_long_lists)
{
    struct xsd *d = xst_core();
    struct xsd_conn *c = xst_conn(d, 0);
    char path[64], name[64];

    /* 300 children of 20 bytes: 6300 bytes, more than one message. */
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/big/child-number-%04d", i);
        cr_assert_str_eq(xst_write(c, 0, path, "v"), "OK");
    }
    cr_expect_str_eq(xst_req(c, XS_DIRECTORY, 0, "/big", NULL), "error E2BIG");
    int seen = 0;
    unsigned off = 0;
    char gen[32] = "";
    for (int part = 0; part < 10; part++) {
        char offs[16];
        snprintf(offs, sizeof(offs), "%u", off);
        char payload[32];
        memcpy(payload, "/big\0", 5);
        memcpy(payload + 5, offs, strlen(offs) + 1);
        struct xst_reply r = xst_call(c, XS_DIRECTORY_PART, 0, payload,
                                      5 + (uint32_t)strlen(offs) + 1);
        cr_assert_eq(r.type, XS_DIRECTORY_PART);
        if (!gen[0])
            strcpy(gen, r.body);
        cr_expect_str_eq(r.body, gen, "the generation is stable");
        uint32_t p = (uint32_t)strlen(r.body) + 1;
        bool end = false;
        while (p < r.len) {
            if (!r.body[p]) {
                end = true;
                break;
            }
            snprintf(name, sizeof(name), "child-number-%04d", seen);
            cr_expect_str_eq(r.body + p, name);
            off += (unsigned)strlen(r.body + p) + 1;
            p += (uint32_t)strlen(r.body + p) + 1;
            seen++;
        }
        if (end)
            break;
    }
    cr_expect_eq(seen, 300);
    xsd_free(d);
}
