/* test_xs_perms.c: Xen's permission rules, with connections acting as
 * guest domains (CONTROL act-as): a guest reads and writes its own
 * /local/domain/<id>/ and is refused other domains' nodes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "xs_harness.h"

/* The toolstack's set-up: a home per guest, owned by the guest. */
static void make_home(struct xsd_conn *dom0, const char *id)
{
    char path[64], owner[16];

    snprintf(path, sizeof(path), "/local/domain/%s", id);
    snprintf(owner, sizeof(owner), "n%s", id);
    cr_assert_str_eq(xst_req(dom0, XS_MKDIR, 0, path, NULL), "OK");
    cr_assert_str_eq(xst_req(dom0, XS_SET_PERMS, 0, path, owner, NULL), "OK");
}

Test(xs_perms, guest_uses_its_home_and_is_refused_others)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0);
    make_home(dom0, "5");
    make_home(dom0, "6");
    struct xsd_conn *g5 = xst_conn(d, 5), *g6 = xst_conn(d, 6);

    cr_expect_str_eq(xst_write(g5, 0, "data/x", "mine"), "OK", "relative to its home");
    cr_expect_str_eq(xst_read(g5, 0, "/local/domain/5/data/x"), "mine");
    cr_expect_str_eq(xst_read(dom0, 0, "/local/domain/5/data/x"), "mine");
    /* Another domain's nodes: refused, and no hint whether they exist. */
    cr_expect_str_eq(xst_read(g6, 0, "/local/domain/5/data/x"), "error EACCES");
    cr_expect_str_eq(xst_read(g6, 0, "/local/domain/5/nothing"), "error EACCES");
    cr_expect_str_eq(xst_write(g6, 0, "/local/domain/5/data/x", "theirs"), "error EACCES");
    cr_expect_str_eq(xst_write(g6, 0, "/local/domain/5/new", "v"), "error EACCES");
    cr_expect_str_eq(xst_req(g6, XS_RM, 0, "/local/domain/5/data", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g6, XS_DIRECTORY, 0, "/local/domain/5", NULL), "error EACCES");
    cr_expect_str_eq(xst_write(g5, 0, "/vm/escape", "x"), "error EACCES", "root is dom0's");
    /* Its own nodes that do not exist: ENOENT. */
    cr_expect_str_eq(xst_read(g5, 0, "nothing"), "error ENOENT");
    cr_expect_str_eq(xst_read(g5, 0, "/local/domain/5/data/x"), "mine");
    xsd_free(d);
}

Test(xs_perms, created_nodes_inherit_and_belong_to_the_creator)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0);
    make_home(dom0, "5");
    cr_assert_str_eq(xst_req(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", "r7", NULL), "OK");
    struct xsd_conn *g5 = xst_conn(d, 5);

    cr_expect_str_eq(xst_write(g5, 0, "a/b", "1"), "OK");
    struct xst_reply r = xst_call(g5, XS_GET_PERMS, 0, "a/b", 4);
    cr_expect_eq(r.len, 6);
    cr_expect(!memcmp(r.body, "n5\0r7\0", 6));
    /* Dom0's nodes keep the parent's owner. */
    cr_expect_str_eq(xst_write(dom0, 0, "/local/domain/5/c", "1"), "OK");
    r = xst_call(dom0, XS_GET_PERMS, 0, "/local/domain/5/c", 18);
    cr_expect(!memcmp(r.body, "n5\0r7\0", 6));
    /* Domain 7 may read through the inherited entry, not write. */
    struct xsd_conn *g7 = xst_conn(d, 7);
    cr_expect_str_eq(xst_read(g7, 0, "/local/domain/5/a/b"), "1");
    cr_expect_str_eq(xst_write(g7, 0, "/local/domain/5/a/b", "2"), "error EACCES");
    xsd_free(d);
}

Test(xs_perms, only_owners_set_perms_and_only_dom0_gives_away)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0);
    make_home(dom0, "5");
    struct xsd_conn *g5 = xst_conn(d, 5), *g6 = xst_conn(d, 6);

    xst_write(g5, 0, "shared", "s");
    cr_expect_str_eq(xst_req(g5, XS_SET_PERMS, 0, "shared", "n5", "b6", NULL), "OK");
    cr_expect_str_eq(xst_write(g6, 0, "/local/domain/5/shared", "from6"), "OK");
    cr_expect_str_eq(xst_req(g6, XS_SET_PERMS, 0, "/local/domain/5/shared", "b6", NULL),
                     "error EACCES", "writers are not owners");
    cr_expect_str_eq(xst_req(g5, XS_SET_PERMS, 0, "shared", "b6", NULL), "error EPERM");
    cr_expect_str_eq(xst_req(dom0, XS_SET_PERMS, 0, "/local/domain/5/shared", "b6", NULL),
                     "OK");
    cr_expect_str_eq(xst_read(g5, 0, "shared"), "from6", "the default is b: all may");
    xsd_free(d);
}

Test(xs_perms, target_domain_acts_for_its_guest)
{
    struct xsd *d = xst_core();
    struct xsd_conn *dom0 = xst_conn(d, 0);
    make_home(dom0, "5");
    struct xsd_conn *g5 = xst_conn(d, 5), *dm = xst_conn(d, 9);

    xst_write(g5, 0, "private", "p");
    cr_expect_str_eq(xst_read(dm, 0, "/local/domain/5/private"), "error EACCES");
    cr_expect_str_eq(xst_req(dom0, XS_SET_TARGET, 0, "9", "5", NULL), "OK");
    cr_expect_str_eq(xst_read(dm, 0, "/local/domain/5/private"), "p");
    cr_expect_str_eq(xst_req(dom0, XS_SET_TARGET, 0, "9", "44", NULL), "error ENOENT");
    xsd_free(d);
}

Test(xs_perms, guests_may_not_use_dom0_operations)
{
    struct xsd *d = xst_core();
    struct xsd_conn *g = xst_conn(d, 5);

    cr_expect_str_eq(xst_req(g, XS_INTRODUCE, 0, "8", "1", "1", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g, XS_RELEASE, 0, "5", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g, XS_SET_TARGET, 0, "5", "5", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g, XS_RESUME, 0, "5", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g, XS_CONTROL, 0, "act-as", "0", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g, XS_GET_PERMS, 0, "@introduceDomain", NULL), "error EACCES");
    cr_expect_str_eq(xst_req(g, XS_GET_DOMAIN_PATH, 0, "5", NULL), "/local/domain/5");
    xsd_free(d);
}
