/* harness.c: whole-system test helpers. */
#include <criterion/criterion.h>
#include <elf.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/hvm/params.h>
#include <pvhv/pvhv_platform.h>
#include <xenstore.h>

#include "harness.h"

double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *build_path(const char *rel)
{
    static __thread char path[512];
    const char *b = getenv("PVHV_BUILD");

    snprintf(path, sizeof(path), "%s/%s", b ? b : "build", rel);
    return path;
}

void need_kvm(void)
{
    if (access("/dev/kvm", R_OK | W_OK) == 0)
        return;
    if (getenv("PV_ALLOW_NO_KVM") && !strcmp(getenv("PV_ALLOW_NO_KVM"), "1"))
        cr_skip_test("no usable /dev/kvm (PV_ALLOW_NO_KVM=1)");
    cr_assert_fail("this test boots guests and needs /dev/kvm (%s); set PV_ALLOW_NO_KVM=1 "
             "to skip such tests on a machine without KVM", strerror(errno));
}

void host_start(struct host *h)
{
    need_kvm();
    memset(h, 0, sizeof(*h));
    strcpy(h->rundir, "/tmp/pvhv-test-XXXXXX");
    cr_assert_not_null(mkdtemp(h->rundir), "mkdtemp: %s", strerror(errno));
    int r = pvctrl_start_pvhv(build_path("bin/pvhv"), h->rundir,
                              getenv("PVHV_TEST_VERBOSE") == NULL, &h->pvhv);
    cr_assert_eq(r, 0, "cannot start pvhv in %s: %s", h->rundir, strerror(-r));
    r = pvctrl_open(h->rundir, &h->ctl);
    cr_assert_eq(r, 0, "cannot connect to pvhv: %s", strerror(-r));
}

bool host_alive(struct host *h)
{
    return h->pvhv > 0 && kill(h->pvhv, 0) == 0 &&
           waitpid(h->pvhv, NULL, WNOHANG) == 0;
}

int host_stop(struct host *h)
{
    int st = 0;

    pvctrl_close(h->ctl);
    h->ctl = NULL;
    if (h->pvhv > 0)
        st = pvctrl_stop_pvhv(h->pvhv, 5000);
    h->pvhv = 0;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->rundir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", h->rundir);
    return st;
}

uint32_t boot_refguest(struct host *h, const char *name, const char *cmdline,
                       uint32_t vcpus, uint64_t memory_mib)
{
    uint32_t domid = 0;
    char why[256];
    int r = pvctrl_domain_create(h->ctl, name, NULL, memory_mib * 1024, vcpus, &domid);

    cr_assert_eq(r, 0, "create %s: %s", name, strerror(-r));
    r = pvctrl_domain_load(h->ctl, domid, build_path("guests/refguest.elf"), NULL,
                           cmdline, why, sizeof(why));
    cr_assert_eq(r, 0, "load %s: %s", name, why);
    r = pvctrl_domain_unpause(h->ctl, domid);
    cr_assert_eq(r, 0, "unpause %s: %s", name, strerror(-r));
    return domid;
}

uint32_t create_refguest(struct host *h, const char *name, const char *cmdline,
                         uint32_t vcpus, uint64_t memory_mib)
{
    uint32_t domid = 0;
    char why[256];
    int r = pvctrl_domain_create(h->ctl, name, NULL, memory_mib * 1024, vcpus, &domid);

    cr_assert_eq(r, 0, "create %s: %s", name, strerror(-r));
    r = pvctrl_domain_load(h->ctl, domid, build_path("guests/refguest.elf"), NULL,
                           cmdline, why, sizeof(why));
    cr_assert_eq(r, 0, "load %s: %s", name, why);
    return domid;
}

bool wait_state(struct host *h, uint32_t domid, uint32_t state, int ms,
                struct pvhv_ctl_dominfo *info)
{
    struct pvhv_ctl_dominfo tmp;
    double end = now_ms() + ms;

    if (!info)
        info = &tmp;
    do {
        if (pvctrl_domain_getinfo(h->ctl, domid, info) == 0 && info->state == state)
            return true;
        usleep(2000);
    } while (now_ms() < end);
    return false;
}

bool wait_console(struct host *h, uint32_t domid, const char *text, int ms,
                  char *out, size_t cap)
{
    double end = now_ms() + ms;
    uint64_t off = 0;
    size_t len = 0;

    out[0] = 0;
    do {
        int n = pvctrl_console_read(h->ctl, domid, &off, out + len, cap - 1 - len);
        if (n > 0) {
            len += (size_t)n;
            out[len] = 0;
        }
        if (strstr(out, text))
            return true;
        if (n <= 0)
            usleep(1000);
    } while (now_ms() < end && len < cap - 1);
    return strstr(out, text) != NULL;
}

const char *file_tail(const char *path)
{
    static char buf[12288];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = 0;

    buf[0] = 0;
    if (fd < 0)
        return "(no log)";
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
    n = pread(fd, buf, sizeof(buf) - 1, from);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

void expect_shutdown(struct host *h, uint32_t domid, int ms, struct pvhv_ctl_dominfo *info,
                     char *out, size_t cap)
{
    bool down = wait_state(h, domid, PVHV_DOMSTATE_SHUTDOWN, ms, info);

    wait_console(h, domid, "\xff", 0, out, cap);
    cr_assert(down, "state %s%s%s; console:\n%s", pvctrl_state_name(info->state),
              info->crash_msg[0] ? ": " : "", info->crash_msg, out);
}

bool wait_shutdown_watching_vcpu0(struct host *h, uint32_t domid, int ms,
                                  struct pvhv_ctl_dominfo *info, struct pvhv_ctl_vcpuinfo *seen)
{
    memset(seen, 0, sizeof(*seen));
    for (int waited = 0; waited < ms; waited += 10) {
        struct pvhv_ctl_vcpuinfo vi;
        if (pvctrl_vcpu_info(h->ctl, domid, &vi, 1) == 1) {
            seen->timer_port = vi.timer_port ? vi.timer_port : seen->timer_port;
            seen->kvm_runstate |= vi.kvm_runstate;
        }
        if (wait_state(h, domid, PVHV_DOMSTATE_SHUTDOWN, 10, info))
            return true;
    }
    return false;
}

int kvm_xen_expected(void)
{
    const char *kx = getenv("PV_KVM_XEN");

    return !kx ? -1 : !strcmp(kx, "1") ? 1 : !strcmp(kx, "0") ? 0 : -1;
}

void write_tiny_kernel(const char *path, const uint8_t *code, size_t len)
{
    struct {
        Elf64_Ehdr eh;
        Elf64_Phdr ph[2];
        uint32_t note[3];
        char name[4];
        uint32_t entry;
    } __attribute__((packed)) hdr;
    FILE *f = fopen(path, "wb");

    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    memset(&hdr, 0, sizeof(hdr));
    memcpy(hdr.eh.e_ident, ELFMAG, SELFMAG);
    hdr.eh.e_ident[EI_CLASS] = ELFCLASS64;
    hdr.eh.e_ident[EI_DATA] = ELFDATA2LSB;
    hdr.eh.e_ident[EI_VERSION] = EV_CURRENT;
    hdr.eh.e_type = ET_EXEC;
    hdr.eh.e_machine = EM_X86_64;
    hdr.eh.e_version = EV_CURRENT;
    hdr.eh.e_phoff = sizeof(hdr.eh);
    hdr.eh.e_ehsize = sizeof(hdr.eh);
    hdr.eh.e_phentsize = sizeof(Elf64_Phdr);
    hdr.eh.e_phnum = 2;
    hdr.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 4096, .p_paddr = 0x100000,
                              .p_vaddr = 0x100000, .p_filesz = len, .p_memsz = len,
                              .p_flags = PF_R | PF_X };
    hdr.ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE,
                              .p_offset = offsetof(__typeof__(hdr), note),
                              .p_filesz = 20 };
    hdr.note[0] = 4;
    hdr.note[1] = 4;
    hdr.note[2] = 18; /* XEN_ELFNOTE_PHYS32_ENTRY */
    memcpy(hdr.name, "Xen", 4);
    hdr.entry = 0x100000;
    cr_assert_eq(fwrite(&hdr, sizeof(hdr), 1, f), 1);
    cr_assert_eq(fseek(f, 4096, SEEK_SET), 0);
    cr_assert_eq(fwrite(code, len, 1, f), 1);
    fclose(f);
}

uint32_t boot_kernel(struct host *h, const char *name, const char *kernel,
                     const char *cmdline, uint32_t vcpus, uint64_t memory_mib)
{
    uint32_t domid = 0;
    char why[256];
    int r = pvctrl_domain_create(h->ctl, name, NULL, memory_mib * 1024, vcpus, &domid);

    cr_assert_eq(r, 0, "create %s: %s", name, strerror(-r));
    r = pvctrl_domain_load(h->ctl, domid, kernel, NULL, cmdline, why, sizeof(why));
    cr_assert_eq(r, 0, "load %s: %s", name, why);
    r = pvctrl_domain_unpause(h->ctl, domid);
    cr_assert_eq(r, 0, "unpause %s: %s", name, strerror(-r));
    return domid;
}

/* Does `path` accept a connection (a socket), or exist (anything else)? */
static bool ready_at(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct stat st;
    bool ok = false;

    if (stat(path, &st) < 0)
        return false;
    if (!S_ISSOCK(st.st_mode))
        return true;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && strlen(path) < sizeof(sa.sun_path)) {
        memcpy(sa.sun_path, path, strlen(path) + 1);
        ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    }
    if (fd >= 0)
        close(fd);
    return ok;
}

pid_t host_daemon_start(struct host *h, const char *prog, const char *ready)
{
    char bin[64], path[256];
    const char *argv[] = { prog, "--rundir", h->rundir,
                           getenv("PVHV_TEST_VERBOSE") ? "--debug" : "--quiet", NULL };

    snprintf(bin, sizeof(bin), "bin/%s", prog);
    snprintf(path, sizeof(path), "%s/%s", h->rundir, ready);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        execv(build_path(bin), (char **)argv);
        _exit(127);
    }
    if (!strcmp(prog, "pvxenstored"))
        setenv("XENSTORED_PATH", path, 1);
    for (int i = 0; i < 1000; i++) {
        if (ready_at(path))
            return pid;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            cr_assert_fail("%s (%s) exited at start", prog, build_path(bin));
        usleep(5000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_fail("%s did not come up (no %s after 5 s)", prog, path);
    return -1;
}

int host_daemon_stop(pid_t pid, int sig)
{
    int st = 0;

    cr_assert_gt(pid, 0);
    kill(pid, sig);
    waitpid(pid, &st, 0);
    return st;
}

void host_introduce(struct host *h, struct xs_handle *xs, uint32_t domid)
{
    uint64_t pfn = 0, port = 0;

    cr_assert_eq(pvctrl_hvm_param_get(h->ctl, domid, HVM_PARAM_STORE_PFN, &pfn), 0);
    cr_assert_eq(pvctrl_hvm_param_get(h->ctl, domid, HVM_PARAM_STORE_EVTCHN, &port), 0);
    cr_expect_eq(pfn, PVHV_STORE_RING_GPA >> 12, "STORE_PFN %#lx", (unsigned long)pfn);
    cr_assert_gt(port, 0, "STORE_EVTCHN must be a port");
    cr_assert(xs_introduce_domain(xs, domid, (unsigned long)pfn, (unsigned int)port),
              "introduce %u: %s", domid, strerror(errno));
}
