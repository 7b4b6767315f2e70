/* test_control_msg.c: malformed control messages get error replies. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <pvhv/errno.h>

#include "control.h"

static uint8_t out[PVHV_CTL_MSG_MAX];

static struct pvhv_ctl_reply send_raw(const void *msg, size_t len)
{
    struct pvhv_ctl_reply rep;
    size_t n = ctl_handle_message(msg, len, NULL, 0, out, NULL);

    cr_assert_geq(n, sizeof(rep));
    memcpy(&rep, out, sizeof(rep));
    cr_expect_eq(rep.magic, PVHV_CTL_MAGIC);
    cr_expect_eq(rep.len, n - sizeof(rep));
    return rep;
}

static struct pvhv_ctl_request header(uint16_t op, uint32_t len)
{
    return (struct pvhv_ctl_request){ .magic = PVHV_CTL_MAGIC,
                                      .version = PVHV_CTL_VERSION,
                                      .op = op, .seq = 77, .len = len };
}

Test(control_msg, garbage_and_truncation)
{
    uint8_t junk[64];
    memset(junk, 0x5a, sizeof(junk));
    cr_expect_eq(send_raw(junk, sizeof(junk)).status, -XEN_EINVAL);
    cr_expect_eq(send_raw(junk, 0).status, -XEN_EINVAL);
    cr_expect_eq(send_raw(junk, 3).status, -XEN_EINVAL);

    struct pvhv_ctl_request h = header(PVHV_CTL_GETINFO, 8);
    struct pvhv_ctl_reply r = send_raw(&h, sizeof(h)); /* payload missing */
    cr_expect_eq(r.status, -XEN_EINVAL);
    cr_expect_eq(r.seq, 77, "the reply names the request");
}

Test(control_msg, wrong_version_and_unknown_op)
{
    struct pvhv_ctl_request h = header(PVHV_CTL_LIST, 0);
    h.version = 99;
    struct pvhv_ctl_reply r = send_raw(&h, sizeof(h));
    cr_expect_eq(r.status, -XEN_ENOSYS);
    cr_expect_eq(r.version, PVHV_CTL_VERSION, "the reply says which version pvhv speaks");
    h = header(0x7777, 0);
    cr_expect_eq(send_raw(&h, sizeof(h)).status, -XEN_ENOSYS);
    h = header(0, 0);
    cr_expect_eq(send_raw(&h, sizeof(h)).status, -XEN_ENOSYS);
}

Test(control_msg, wrong_payload_sizes_and_unknown_domains)
{
    struct {
        struct pvhv_ctl_request h;
        uint8_t p[16];
    } m;
    memset(&m, 0, sizeof(m));
    m.h = header(PVHV_CTL_GETINFO, 3);
    cr_expect_eq(send_raw(&m, sizeof(m.h) + 3).status, -XEN_EINVAL);
    m.h = header(PVHV_CTL_GETINFO, 8);
    struct pvhv_ctl_domid id = { .domid = 12345 };
    memcpy(m.p, &id, sizeof(id));
    cr_expect_eq(send_raw(&m, sizeof(m.h) + 8).status, -XEN_ESRCH);
    id.domid = 0xffffffff;
    memcpy(m.p, &id, sizeof(id));
    cr_expect_eq(send_raw(&m, sizeof(m.h) + 8).status, -XEN_ESRCH);
    m.h = header(PVHV_CTL_LIST, 8);
    struct pvhv_ctl_list l = { .first = 0, .max = 0 };
    memcpy(m.p, &l, sizeof(l));
    cr_expect_eq(send_raw(&m, sizeof(m.h) + 8).status, -XEN_EINVAL);
}

Test(control_msg, create_checks_its_arguments)
{
    struct {
        struct pvhv_ctl_request h;
        struct pvhv_ctl_create c;
    } m;
    memset(&m, 0, sizeof(m));
    m.h = header(PVHV_CTL_CREATE, sizeof(m.c));
    m.c.memory_kib = 0;
    m.c.max_vcpus = 1;
    cr_expect_eq(send_raw(&m, sizeof(m)).status, -XEN_EINVAL, "memory 0");
    m.c.memory_kib = 4096;
    m.c.max_vcpus = 1000;
    cr_expect_eq(send_raw(&m, sizeof(m)).status, -XEN_EINVAL, "1000 vCPUs");
    m.c.max_vcpus = 1;
    memset(m.c.name, 'a', sizeof(m.c.name));
    cr_expect_eq(send_raw(&m, sizeof(m)).status, -XEN_EINVAL, "name without NUL");
}

Test(control_msg, load_without_fd)
{
    struct {
        struct pvhv_ctl_request h;
        struct pvhv_ctl_load l;
    } m;
    memset(&m, 0, sizeof(m));
    m.h = header(PVHV_CTL_LOAD_KERNEL, sizeof(m.l));
    m.l.domid = 1;
    cr_expect_eq(send_raw(&m, sizeof(m)).status, -XEN_EBADF);
}

Test(control_msg, emul_disk_attach_checks_before_any_domain)
{
    struct {
        struct pvhv_ctl_request h;
        struct pvhv_ctl_emul_disk e;
    } m;
    int fds[1];

    memset(&m, 0, sizeof(m));
    m.h = header(PVHV_CTL_EMUL_DISK_ATTACH, sizeof(m.e));
    m.e.domid = 1;
    cr_expect_eq(send_raw(&m, sizeof(m)).status, -XEN_EBADF, "no fd");
    cr_expect(strstr((char *)out + sizeof(struct pvhv_ctl_reply), "exactly one descriptor"),
              "the reply says why");
    m.e.flags = 0x80;
    cr_expect_eq(send_raw(&m, sizeof(m)).status, -XEN_EINVAL, "unknown flags");
    m.e.flags = PVHV_EMUL_DISK_F_READONLY;
    m.e.domid = 12345;
    fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fds[0], 0);
    size_t n = ctl_handle_message(&m, sizeof(m), fds, 1, out, NULL); /* closes the fd */
    struct pvhv_ctl_reply rep;
    cr_assert_geq(n, sizeof(rep));
    memcpy(&rep, out, sizeof(rep));
    cr_expect_eq(rep.status, -XEN_ESRCH);
    cr_expect_str_eq((char *)out + sizeof(rep), "no domain 12345");
}
