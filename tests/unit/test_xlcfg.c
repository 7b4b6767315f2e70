/* test_xlcfg.c: the xl.cfg parser reads what xl reads, with xl's defaults,
 * and refuses bad configs with "FILE:LINE: KEY: ..." naming the culprit. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xlcfg.h"

/* struct xlcfg is ~90 KiB: not on the stack. */
static struct xlcfg cfg;
static char err[8192];

/* Collected warnings, one per line. */
static char warns[8192];
static int nwarns;

static void collect(void *ctx, const char *msg)
{
    (void)ctx;
    size_t used = strlen(warns);
    snprintf(warns + used, sizeof(warns) - used, "%s\n", msg);
    nwarns++;
}

static int parse(const char *text, char *const *ov, int nover)
{
    warns[0] = '\0';
    nwarns = 0;
    return xlcfg_parse_buffer("t.cfg", text, strlen(text), ov, nover, &cfg, err,
                              sizeof(err), collect, NULL);
}

static const uint8_t UUID_BYTES[16] = {
    0x3f, 0x25, 0x04, 0xe0, 0x4f, 0x89, 0x11, 0xd3,
    0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01,
};

Test(xlcfg, good_config_parsed_fully)
{
    const char *text =
        "# a complete guest\n"                                          /* 1 */
        "name = \"web-1.example\"\n"                                    /* 2 */
        "uuid = \"3F2504E0-4f89-11d3-9a0c-0305e82c3301\"\n"             /* 3 */
        "type = \"pvh\"\n"                                              /* 4 */
        "kernel = \"/boot/vmlinuz-pvh\"\n"                              /* 5 */
        "ramdisk = \"/boot/initrd.img\"\n"                              /* 6 */
        "cmdline = \"console=hvc0 root=/dev/xvda1 ro\"\n"               /* 7 */
        "memory = 1024\n"                                               /* 8 */
        "maxmem = 0x800\n"                                              /* 9 */
        "vcpus = 2\n"                                                   /* 10 */
        "maxvcpus = 4\n"                                                /* 11 */
        "on_poweroff = \"preserve\"\n"                                  /* 12 */
        "on_reboot = \"rename-restart\"\n"                              /* 13 */
        "on_crash = \"restart\"\n"                                      /* 14 */
        "disk = [ '/srv/img/root.img,raw,xvda,rw',\n"                   /* 15 */
        "         'format=qcow2, vdev=xvdb, access=ro, target=/srv/a,b c.img',\n" /* 16 */
        "         '/srv/iso/install.iso,,hdc,cdrom',\n"                 /* 17 */
        "         'phy:/dev/vg0/data,sdb,w',\n"                         /* 18 */
        "         ',hdd:cdrom,r',\n"                                    /* 19 */
        "         'vdev=51712, target=/dev/loop0' ]\n"                  /* 20 */
        "vif = [ 'mac=00:16:3E:AA:bb:01,bridge=xenbr0,ip=10.0.0.2,"
        "script=vif-bridge,vifname=web1.0,type=vif',\n"                 /* 21 */
        "        '' ]\n";                                               /* 22 */

    cr_assert_eq(parse(text, NULL, 0), 0, "%s", err);
    cr_expect_str_eq(err, "");
    cr_expect_eq(nwarns, 0, "%s", warns);
    cr_expect_str_eq(cfg.file, "t.cfg");
    cr_expect_str_eq(cfg.name, "web-1.example");
    cr_expect(cfg.has_uuid);
    cr_expect_arr_eq(cfg.uuid, UUID_BYTES, 16);
    cr_expect_str_eq(cfg.type, "pvh");
    cr_expect_str_eq(cfg.kernel, "/boot/vmlinuz-pvh");
    cr_expect_str_eq(cfg.ramdisk, "/boot/initrd.img");
    cr_expect_str_eq(cfg.cmdline, "console=hvc0 root=/dev/xvda1 ro");
    cr_expect_eq(cfg.memory_mib, 1024);
    cr_expect_eq(cfg.maxmem_mib, 2048);
    cr_expect_eq(cfg.vcpus, 2);
    cr_expect_eq(cfg.maxvcpus, 4);
    cr_expect_eq(cfg.on_poweroff, XLCFG_PRESERVE);
    cr_expect_eq(cfg.on_reboot, XLCFG_RENAME_RESTART);
    cr_expect_eq(cfg.on_crash, XLCFG_RESTART);

    cr_assert_eq(cfg.nr_disks, 6);
    const struct { const char *target, *vdev, *format; bool ro, cdrom; int line; } dk[] = {
        { "/srv/img/root.img", "xvda", "raw", false, false, 15 },
        { "/srv/a,b c.img", "xvdb", "qcow2", true, false, 16 },
        { "/srv/iso/install.iso", "hdc", "raw", true, true, 17 },
        { "/dev/vg0/data", "sdb", "raw", false, false, 18 },
        { "", "hdd", "raw", true, true, 19 },
        { "/dev/loop0", "51712", "raw", false, false, 20 },
    };
    for (unsigned i = 0; i < 6; i++) {
        cr_expect_str_eq(cfg.disks[i].target, dk[i].target, "disk %u", i);
        cr_expect_str_eq(cfg.disks[i].vdev, dk[i].vdev, "disk %u", i);
        cr_expect_str_eq(cfg.disks[i].format, dk[i].format, "disk %u", i);
        cr_expect_eq(cfg.disks[i].readonly, dk[i].ro, "disk %u", i);
        cr_expect_eq(cfg.disks[i].cdrom, dk[i].cdrom, "disk %u", i);
        cr_expect_eq(cfg.disks[i].line, dk[i].line, "disk %u", i);
    }

    cr_assert_eq(cfg.nr_vifs, 2);
    cr_expect_str_eq(cfg.vifs[0].mac, "00:16:3e:aa:bb:01");
    cr_expect_str_eq(cfg.vifs[0].bridge, "xenbr0");
    cr_expect_str_eq(cfg.vifs[0].ip, "10.0.0.2");
    cr_expect_str_eq(cfg.vifs[0].script, "vif-bridge");
    cr_expect_str_eq(cfg.vifs[0].vifname, "web1.0");
    cr_expect_str_eq(cfg.vifs[0].type, "vif");
    cr_expect_eq(cfg.vifs[0].line, 21);
    cr_expect_str_eq(cfg.vifs[1].mac, "");
    cr_expect_str_eq(cfg.vifs[1].bridge, "");
    cr_expect_str_eq(cfg.vifs[1].type, "vif");
    cr_expect_eq(cfg.vifs[1].line, 22);

    cr_expect_eq(xlcfg_key_line(&cfg, "name"), 2);
    cr_expect_eq(xlcfg_key_line(&cfg, "kernel"), 5);
    cr_expect_eq(xlcfg_key_line(&cfg, "maxmem"), 9);
    cr_expect_eq(xlcfg_key_line(&cfg, "on_crash"), 14);
    cr_expect_eq(xlcfg_key_line(&cfg, "disk"), 15);
    cr_expect_eq(xlcfg_key_line(&cfg, "vif"), 21);
    cr_expect_eq(xlcfg_key_line(&cfg, "extra"), 0);
    cr_expect_eq(xlcfg_key_line(&cfg, "nonsense"), 0);
    cr_expect_str_eq(xlcfg_action_name(cfg.on_reboot), "rename-restart");
}

Test(xlcfg, xl_defaults)
{
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\n", NULL, 0), 0, "%s", err);
    cr_expect_str_eq(cfg.type, "pvh");
    cr_expect_eq(cfg.memory_mib, 128);
    cr_expect_eq(cfg.maxmem_mib, 128);
    cr_expect_eq(cfg.vcpus, 1);
    cr_expect_eq(cfg.maxvcpus, 1);
    cr_expect_eq(cfg.on_poweroff, XLCFG_DESTROY);
    cr_expect_eq(cfg.on_reboot, XLCFG_RESTART);
    cr_expect_eq(cfg.on_crash, XLCFG_DESTROY);
    cr_expect_not(cfg.has_uuid);
    cr_expect_str_eq(cfg.ramdisk, "");
    cr_expect_str_eq(cfg.cmdline, "");
    cr_expect_eq(cfg.nr_disks, 0);
    cr_expect_eq(cfg.nr_vifs, 0);
    cr_expect_eq(xlcfg_key_line(&cfg, "memory"), 0);

    /* maxmem and maxvcpus follow what was set. */
    cr_assert_eq(parse("name='g'\nkernel='/k'\nmemory=300\nvcpus=3\n", NULL, 0), 0, "%s", err);
    cr_expect_eq(cfg.maxmem_mib, 300);
    cr_expect_eq(cfg.maxvcpus, 3);

    /* A disk's format defaults to raw, access to rw. */
    cr_assert_eq(parse("name='g'\nkernel='/k'\ndisk=['/d.img,,xvda']\n", NULL, 0), 0, "%s", err);
    cr_expect_str_eq(cfg.disks[0].format, "raw");
    cr_expect_not(cfg.disks[0].readonly);
    cr_expect_not(cfg.disks[0].cdrom);
}

Test(xlcfg, command_line_overrides_win)
{
    char *ov[] = { "memory=256", "name=\"other\"", "memory = 0x200", "vif=['bridge=br1']" };
    char where[64];

    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\nmemory = 1024\n"
                       "vif = ['bridge=br0', 'bridge=br2']\n", ov, 1), 0, "%s", err);
    cr_expect_eq(cfg.memory_mib, 256);
    cr_expect_eq(cfg.maxmem_mib, 256, "maxmem follows the final memory");
    cr_expect_eq(xlcfg_key_line(&cfg, "memory"), -1);
    cr_expect_str_eq(xlcfg_where(&cfg, -1, where, sizeof(where)), "<command line>:1");
    cr_expect_str_eq(xlcfg_where(&cfg, 3, where, sizeof(where)), "t.cfg:3");

    /* Later wins among overrides too; a list replaces the file's list. */
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\nmemory = 1024\n"
                       "vif = ['bridge=br0', 'bridge=br2']\n", ov, 4), 0, "%s", err);
    cr_expect_eq(cfg.memory_mib, 512);
    cr_expect_eq(xlcfg_key_line(&cfg, "memory"), -3);
    cr_expect_str_eq(cfg.name, "other");
    cr_expect_eq(xlcfg_key_line(&cfg, "name"), -2);
    cr_expect_eq(cfg.nr_vifs, 1);
    cr_expect_str_eq(cfg.vifs[0].bridge, "br1");
    cr_expect_eq(cfg.vifs[0].line, -4);

    /* Overrides complete a config that lacks a required key. */
    char *ov2[] = { "kernel='/boot/k'" };
    cr_assert_eq(parse("name = 'g'\n", ov2, 1), 0, "%s", err);
    cr_expect_str_eq(cfg.kernel, "/boot/k");

    /* An error in an override is reported at its position. */
    char *bad[] = { "vcpus=2", "maxvcpus=1" };
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\n", bad, 2), -EINVAL);
    cr_expect(!strncmp(err, "<command line>:2: maxvcpus: ", 28), "%s", err);
    cr_expect(strstr(err, "<command line>:1") != NULL, "names where vcpus was set: %s", err);

    char *bad2[] = { "memory=64", "memory" };
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\n", bad2, 2), -EINVAL);
    cr_expect(!strncmp(err, "<command line>:2: memory: expected '='", 38), "%s", err);

    char *bad3[] = { "kernel='/a'\nname='b'" };
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\n", bad3, 1), -EINVAL);
    cr_expect(!strncmp(err, "<command line>:1: ", 18), "%s", err);
}

Test(xlcfg, later_assignment_wins_and_only_it_is_checked)
{
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\nmemory = 0\ntype = 'hvm'\n"
                       "memory = 64\ntype = 'pvh'\n", NULL, 0), 0, "%s", err);
    cr_expect_eq(cfg.memory_mib, 64);
    cr_expect_eq(xlcfg_key_line(&cfg, "memory"), 5);
    cr_expect_eq(xlcfg_key_line(&cfg, "type"), 6);
}

Test(xlcfg, list_spanning_lines_with_comments_and_trailing_comma)
{
    const char *text =
        "name = 'g'\n"
        "kernel = '/k'\n"
        "disk = [\n"
        "    # the root disk\n"
        "    '/a.img,raw,xvda',   # trailing comment\n"
        "\n"
        "    '/b.img,raw,xvdb'\n"
        "    ,\n"
        "    \"/c.img,raw,xvdc\",\n"
        "]\n"
        "vif = []\n";

    cr_assert_eq(parse(text, NULL, 0), 0, "%s", err);
    cr_assert_eq(cfg.nr_disks, 3);
    cr_expect_str_eq(cfg.disks[0].target, "/a.img");
    cr_expect_eq(cfg.disks[0].line, 5);
    cr_expect_str_eq(cfg.disks[1].vdev, "xvdb");
    cr_expect_eq(cfg.disks[1].line, 7);
    cr_expect_str_eq(cfg.disks[2].target, "/c.img");
    cr_expect_eq(cfg.disks[2].line, 9);
    cr_expect_eq(cfg.nr_vifs, 0);
    cr_expect_eq(xlcfg_key_line(&cfg, "disk"), 3);
}

Test(xlcfg, comments_quotes_separators_numbers)
{
    const char *text =
        "# comment line\n"
        "   # indented comment\n"
        "name = 'single-quoted' # after a value\n"
        "kernel = \"/path/with # hash and 'quote'\"\n"
        "cmdline = 'it\\'s \"fine\"\\ttab\\x41\\101'\r\n"
        "memory = 0x100; vcpus = 2 ;maxvcpus=0x3\n"
        ";;\n"
        "ramdisk=''\n";

    cr_assert_eq(parse(text, NULL, 0), 0, "%s", err);
    cr_expect_str_eq(cfg.name, "single-quoted");
    cr_expect_str_eq(cfg.kernel, "/path/with # hash and 'quote'");
    cr_expect_str_eq(cfg.cmdline, "it's \"fine\"\ttabAA");
    cr_expect_eq(cfg.memory_mib, 256);
    cr_expect_eq(cfg.vcpus, 2);
    cr_expect_eq(cfg.maxvcpus, 3);
    cr_expect_eq(xlcfg_key_line(&cfg, "maxvcpus"), 6);
    cr_expect_str_eq(cfg.ramdisk, "");

    /* No trailing newline, empty file + overrides. */
    cr_assert_eq(parse("name='g'\nkernel='/k'", NULL, 0), 0, "%s", err);
    char *ov[] = { "name='g'", "kernel='/k'" };
    cr_assert_eq(parse("", ov, 2), 0, "%s", err);
}

Test(xlcfg, root_and_extra_make_the_cmdline_as_xl_does)
{
    cr_assert_eq(parse("name='g'\nkernel='/k'\nroot='/dev/xvda1 ro'\nextra='console=hvc0'\n",
                       NULL, 0), 0, "%s", err);
    cr_expect_str_eq(cfg.cmdline, "root=/dev/xvda1 ro console=hvc0");
    cr_assert_eq(parse("name='g'\nkernel='/k'\nroot='/dev/xvda1'\n", NULL, 0), 0, "%s", err);
    cr_expect_str_eq(cfg.cmdline, "root=/dev/xvda1");
    cr_assert_eq(parse("name='g'\nkernel='/k'\nextra='quiet'\n", NULL, 0), 0, "%s", err);
    cr_expect_str_eq(cfg.cmdline, "quiet");
    cr_expect_eq(xlcfg_key_line(&cfg, "extra"), 3);

    cr_assert_eq(parse("name='g'\nkernel='/k'\nextra='quiet'\ncmdline='init=/bin/sh'\n",
                       NULL, 0), 0, "%s", err);
    cr_expect_str_eq(cfg.cmdline, "init=/bin/sh");
    cr_expect_str_eq(warns, "t.cfg:3: warning: extra ignored: cmdline is set (t.cfg:4)\n");
}

Test(xlcfg, warnings)
{
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\nfoo = 1\nbuilder = ['x']\n"
                       "cpus = '0-3'\nvif = ['model=e1000,bridge=br0']\n"
                       "disk = ['/a,,xvda,discard']\n", NULL, 0), 0, "%s", err);
    cr_expect_str_eq(warns,
                     "t.cfg:3: warning: unknown key 'foo' ignored\n"
                     "t.cfg:4: warning: unknown key 'builder' ignored\n"
                     "t.cfg:5: warning: key 'cpus' is not supported by pvhv, ignored\n"
                     "t.cfg:6: warning: vif: entry 1: model ignored (pvhv gives PVH guests "
                     "PV NICs only)\n"
                     "t.cfg:7: warning: disk: entry 1: 'discard' ignored by pvhv\n");
    cr_expect_str_eq(cfg.vifs[0].bridge, "br0");

    /* An unknown key on the command line names its position. */
    char *ov[] = { "colour='blue'" };
    cr_assert_eq(parse("name = 'g'\nkernel = '/k'\n", ov, 1), 0, "%s", err);
    cr_expect_str_eq(warns, "<command line>:1: warning: unknown key 'colour' ignored\n");

    /* No callback: no crash, same result. */
    cr_assert_eq(xlcfg_parse_buffer("t.cfg", "name='g'\nkernel='/k'\nfoo=1\n", 26, NULL, 0,
                                    &cfg, err, sizeof(err), NULL, NULL), 0, "%s", err);
}

/* ---- the bad configs ---------------------------------------------------- */

#define HEAD "name = \"g\"\nkernel = \"/k\"\n"     /* lines 1 and 2 */

struct bad {
    const char *what;
    const char *text;
    const char *prefix;     /* the exact start of the message */
    const char *word;       /* and something it must say */
};

static char too_many_disks[4096];
static char too_many_vifs[4096];
static char long_kernel[6000];
static char huge_string[9000];
static char long_name[128];

static void build_generated(void)
{
    size_t n = (size_t)snprintf(too_many_disks, sizeof(too_many_disks), HEAD "disk = [\n");
    for (int i = 0; i < XLCFG_MAX_DISKS + 1; i++)     /* entry i on line 4 + i */
        n += (size_t)snprintf(too_many_disks + n, sizeof(too_many_disks) - n,
                              "  '/img%d,raw,xvd%c',\n", i, 'a' + i);
    snprintf(too_many_disks + n, sizeof(too_many_disks) - n, "]\n");

    n = (size_t)snprintf(too_many_vifs, sizeof(too_many_vifs), HEAD "vif = [");
    for (int i = 0; i < XLCFG_MAX_VIFS + 1; i++)
        n += (size_t)snprintf(too_many_vifs + n, sizeof(too_many_vifs) - n, "'bridge=br%d',", i);
    snprintf(too_many_vifs + n, sizeof(too_many_vifs) - n, "]\n");

    n = (size_t)snprintf(long_kernel, sizeof(long_kernel), "name = 'g'\nkernel = '/");
    memset(long_kernel + n, 'k', 5000);
    strcpy(long_kernel + n + 5000, "'\n");

    n = (size_t)snprintf(huge_string, sizeof(huge_string), HEAD "cmdline = '");
    memset(huge_string + n, 'c', 8500);
    strcpy(huge_string + n + 8500, "'\n");

    memset(long_name, 'n', 64);
    snprintf(long_name + 64, sizeof(long_name) - 64, "'\n");
}

Test(xlcfg, backendtype_emulated_and_the_ones_pvhv_ignores)
{
    cr_assert_eq(parse(HEAD "disk = [ 'format=raw, vdev=xvda, access=ro, backendtype=emulated, "
                            "target=/srv/e.img',\n"
                       "  '/srv/pv.img,raw,xvdb,rw,backendtype=qdisk' ]\n", NULL, 0), 0,
                 "%s", err);
    cr_expect_eq(cfg.nr_disks, 2);
    cr_expect(cfg.disks[0].emulated);
    cr_expect(cfg.disks[0].readonly);
    cr_expect_str_eq(cfg.disks[0].target, "/srv/e.img");
    cr_expect_not(cfg.disks[1].emulated);
    cr_expect_str_eq(warns, "t.cfg:4: warning: disk: entry 2: backendtype=qdisk ignored: "
                            "pvblkback serves every PV disk\n");
    struct xlcfg_disk d;
    cr_assert_eq(xlcfg_parse_disk("attach", "/x,raw,xvdc,backendtype=emulated", &d, err,
                                  sizeof(err)), 0, "%s", err);
    cr_expect(d.emulated);
}

Test(xlcfg, bad_configs_are_refused_with_file_line_key)
{
    build_generated();
    char long_name_cfg[256];
    snprintf(long_name_cfg, sizeof(long_name_cfg), "kernel = '/k'\nname = '%s", long_name);

    const struct bad cases[] = {
        { "missing kernel", "name = \"g\"\nmemory = 256\n",
          "t.cfg:2: kernel: ", "missing" },
        { "missing name", "# nothing\nkernel = \"/k\"\n\n",
          "t.cfg:3: name: ", "missing" },
        { "memory=0", HEAD "memory = 0\n", "t.cfg:3: memory: ", "more than 0" },
        { "memory=\"abc\"", HEAD "memory = \"abc\"\n", "t.cfg:3: memory: ", "expected a number" },
        { "memory in bytes", HEAD "memory = 4294967296\n", "t.cfg:3: memory: ", "too large" },
        { "vcpus=1000", HEAD "vcpus = 1000\n", "t.cfg:3: vcpus: ", "out of range" },
        { "vcpus=0", HEAD "vcpus = 0\n", "t.cfg:3: vcpus: ", "out of range" },
        { "maxvcpus < vcpus", HEAD "vcpus = 4\nmaxvcpus = 2\n",
          "t.cfg:4: maxvcpus: ", "less than vcpus (4, t.cfg:3)" },
        { "maxmem < memory", HEAD "maxmem = 256\nmemory = 512\n",
          "t.cfg:3: maxmem: ", "less than memory" },
        { "type=hvm", HEAD "type = \"hvm\"\n", "t.cfg:3: type: ", "only PVH" },
        { "type=pv", HEAD "type = 'pv'\n", "t.cfg:3: type: ", "only PVH" },
        { "type=bogus", HEAD "type = \"bogus\"\n", "t.cfg:3: type: ", "unknown type" },
        { "disk bad access", HEAD "disk = [ '/img,raw,xvda,rx' ]\n",
          "t.cfg:3: disk: entry 1: ", "bad access 'rx'" },
        { "disk bad vdev", HEAD "disk = [ '/img,raw,vda' ]\n",
          "t.cfg:3: disk: entry 1: ", "bad vdev 'vda'" },
        { "disk hd with two letters", HEAD "disk = [ '/img,,hdaa' ]\n",
          "t.cfg:3: disk: entry 1: ", "bad vdev" },
        { "disk empty target", HEAD "disk = [ ',raw,xvda' ]\n",
          "t.cfg:3: disk: entry 1: ", "empty target" },
        { "disk duplicate vdev", HEAD "disk = [ '/a,raw,xvda',\n  '/b,raw,xvdb',\n"
                                      "  'vdev=xvda,target=/c' ]\n",
          "t.cfg:5: disk: entry 3: ", "already used by entry 1" },
        { "disk no vdev", HEAD "disk = [ '/a' ]\n", "t.cfg:3: disk: entry 1: ", "no vdev" },
        { "disk bad format", HEAD "disk = [ '/a,vmdk,xvda' ]\n",
          "t.cfg:3: disk: entry 1: ", "unknown format 'vmdk'" },
        { "disk too many positionals", HEAD "disk = [ '/a,raw,xvda,rw,extra' ]\n",
          "t.cfg:3: disk: entry 1: ", "too many positional" },
        { "disk unknown parameter", HEAD "disk = [ '/a,,xvda,colour=red' ]\n",
          "t.cfg:3: disk: entry 1: ", "unknown parameter 'colour='" },
        { "disk script prefix", HEAD "disk = [ 'iscsi:iqn.x,xvda' ]\n",
          "t.cfg:3: disk: entry 1: ", "not supported" },
        { "disk writable cdrom", HEAD "disk = [ '/a.iso,,hdc,rw,cdrom' ]\n",
          "t.cfg:3: disk: entry 1: ", "read-only" },
        { "two emulated disks", HEAD "disk = [ '/a,raw,xvda,backendtype=emulated',\n"
                                     "  '/b,raw,xvdb,backendtype=emulated' ]\n",
          "t.cfg:4: disk: entry 2: ", "at most one emulated disk" },
        { "emulated cdrom", HEAD "disk = [ '/a.iso,,hdc,cdrom,backendtype=emulated' ]\n",
          "t.cfg:3: disk: entry 1: ", "not a cdrom" },
        { "emulated qcow2", HEAD "disk = [ '/a,qcow2,xvda,backendtype=emulated' ]\n",
          "t.cfg:3: disk: entry 1: ", "raw images only" },
        { "unknown backendtype", HEAD "disk = [ '/a,,xvda,backendtype=ide' ]\n",
          "t.cfg:3: disk: entry 1: ", "unknown backendtype 'ide'" },
        { "disk number entry", HEAD "disk = [ 5 ]\n",
          "t.cfg:3: disk: entry 1: ", "expected a string" },
        { "disk as a string", HEAD "disk = '/a,,xvda'\n", "t.cfg:3: disk: ", "expected a list" },
        { "too many disks", too_many_disks,
          "t.cfg:20: disk: entry 17: ", "too many disks" },
        { "too many vifs", too_many_vifs, "t.cfg:3: vif: entry 9: ", "too many vifs" },
        { "vif bad mac", HEAD "vif = [ 'mac=00:16:3e:zz:00:01' ]\n",
          "t.cfg:3: vif: entry 1: ", "bad mac" },
        { "vif short mac", HEAD "vif = [ 'bridge=br0,mac=00:16:3e:00:01' ]\n",
          "t.cfg:3: vif: entry 1: ", "bad mac" },
        { "vif multicast mac", HEAD "vif = [ 'mac=01:00:5e:00:00:01' ]\n",
          "t.cfg:3: vif: entry 1: ", "multicast" },
        { "vif unknown key", HEAD "vif = [ 'bridge=br0,colour=blue' ]\n",
          "t.cfg:3: vif: entry 1: ", "unknown key 'colour'" },
        { "vif not key=value", HEAD "vif = [ 'br0' ]\n",
          "t.cfg:3: vif: entry 1: ", "not KEY=VALUE" },
        { "vif ioemu", HEAD "vif = [ 'type=ioemu' ]\n",
          "t.cfg:3: vif: entry 1: ", "no emulated NICs" },
        { "vif long bridge", HEAD "vif = [ 'bridge=a-very-long-bridge0' ]\n",
          "t.cfg:3: vif: entry 1: ", "too long" },
        { "bad uuid", HEAD "uuid = \"3f2504e0-4f89-11d3-9a0c-0305e82c330\"\n",
          "t.cfg:3: uuid: ", "not a UUID" },
        { "bad uuid hex", HEAD "uuid = \"3f2504e0-4f89-11d3-9a0c-0305e82c33g1\"\n",
          "t.cfg:3: uuid: ", "not a UUID" },
        { "bad name", "name = \"my guest\"\nkernel = '/k'\n", "t.cfg:1: name: ", "not allowed" },
        { "name all digits", "name = '123'\nkernel = '/k'\n", "t.cfg:1: name: ", "all digits" },
        { "name with leading -", "name = '-x'\nkernel = '/k'\n", "t.cfg:1: name: ", "'-'" },
        { "empty name", "name = ''\nkernel = '/k'\n", "t.cfg:1: name: ", "empty" },
        { "name too long", long_name_cfg, "t.cfg:2: name: ", "too long" },
        { "unterminated string", "name = 'g'\nkernel = \"/k\nmemory = 1\n",
          "t.cfg:2: kernel: ", "unterminated string" },
        { "missing '='", HEAD "memory 256\n", "t.cfg:3: memory: ", "expected '='" },
        { "unterminated list", HEAD "disk = [ '/a,,xvda',\n  '/b,,xvdb'\n",
          "t.cfg:3: disk: ", "unterminated list" },
        { "list missing comma", HEAD "disk = [ '/a,,xvda'\n  '/b,,xvdb' ]\n",
          "t.cfg:4: disk: ", "expected ',' or ']'" },
        { "nested list", HEAD "disk = [ [ 'x' ] ]\n", "t.cfg:3: disk: ", "nested" },
        { "on_crash=explode", HEAD "on_crash = \"explode\"\n",
          "t.cfg:3: on_crash: ", "unknown action" },
        { "on_crash=coredump-destroy", HEAD "on_crash = \"coredump-destroy\"\n",
          "t.cfg:3: on_crash: ", "not supported" },
        { "string too long for kernel", long_kernel, "t.cfg:2: kernel: ", "too long (5001 bytes" },
        { "string too long for the lexer", huge_string, "t.cfg:3: cmdline: ", "string too long" },
        { "list for a string", HEAD "ramdisk = [ '/r' ]\n", "t.cfg:3: ramdisk: ",
          "expected a string, found a list" },
        { "number for a string", HEAD "uuid = 5\n", "t.cfg:3: uuid: ",
          "expected a string, found a number" },
        { "unquoted string", "name = 'g'\nkernel = /boot/vmlinuz\n", "t.cfg:2: kernel: ",
          "expected a value" },
        { "octal-looking number", HEAD "memory = 0256\n", "t.cfg:3: memory: ", "leading 0" },
        { "malformed number", HEAD "memory = 256M\n", "t.cfg:3: memory: ", "malformed number" },
        { "junk after value", HEAD "memory = 256 512\n", "t.cfg:3: memory: ",
          "expected the end of the line" },
        { "no key", HEAD "= 5\n", "t.cfg:3: syntax error: ", "expected a key name" },
        { "+=", HEAD "extra += 'x'\n", "t.cfg:3: extra: ", "'+=' is not supported" },
        { "bad escape", HEAD "extra = 'a\\qb'\n", "t.cfg:3: extra: ", "unknown escape" },
        { "empty kernel", "name = 'g'\nkernel = ''\n", "t.cfg:2: kernel: ", "empty" },
    };
    _Static_assert(sizeof(cases) / sizeof(cases[0]) >= 20, "at least 20 bad configs");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad *c = &cases[i];
        memset(err, 0, sizeof(err));
        int rc = parse(c->text, NULL, 0);
        cr_expect_eq(rc, -EINVAL, "%s: rc %d", c->what, rc);
        cr_expect(!strncmp(err, c->prefix, strlen(c->prefix)),
                  "%s: message \"%s\" should start \"%s\"", c->what, err, c->prefix);
        cr_expect(strstr(err, c->word) != NULL,
                  "%s: message \"%s\" should say \"%s\"", c->what, err, c->word);
        cr_expect(strchr(err, '\n') == NULL, "%s: one line: \"%s\"", c->what, err);
    }
}

Test(xlcfg, small_error_buffer_and_bad_arguments)
{
    char small[16];
    struct xlcfg *c = &cfg;

    cr_expect_eq(xlcfg_parse_buffer("t.cfg", "memory = 0\n", 11, NULL, 0, c, small,
                                    sizeof(small), NULL, NULL), -EINVAL);
    cr_expect_str_eq(small, "t.cfg:1: memory");
    cr_expect_eq(xlcfg_parse_buffer("t.cfg", "x", 1, NULL, 0, c, NULL, 0, NULL, NULL), -EINVAL);
    cr_expect_eq(xlcfg_parse_buffer("t.cfg", NULL, 5, NULL, 0, c, err, sizeof(err), NULL, NULL),
                 -EINVAL);
    /* An embedded NUL is an error, not the end of the text. */
    cr_expect_eq(xlcfg_parse_buffer("t.cfg", "name='g'\nkernel='/k'\n\0x=1", 25, NULL, 0, c, err,
                                    sizeof(err), NULL, NULL), -EINVAL);
    cr_expect(!strncmp(err, "t.cfg:3: syntax error: ", 23), "%s", err);
}

/* ---- files on the host -------------------------------------------------- */

static char dir[64];
static char kernel[128], subdir[128], image[128], rofile[128], cfgfile[128];

static void mk(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, "data", 4), 4);
    close(fd);
    cr_assert_eq(chmod(path, mode), 0);
}

static void host_setup(void)
{
    strcpy(dir, "/tmp/xlcfg-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    cr_assert_eq(chmod(dir, 0755), 0);  /* an unprivileged euid must get in */
    snprintf(kernel, sizeof(kernel), "%s/vmlinuz", dir);
    snprintf(subdir, sizeof(subdir), "%s/boot", dir);
    snprintf(image, sizeof(image), "%s/disk.img", dir);
    snprintf(rofile, sizeof(rofile), "%s/ro.img", dir);
    snprintf(cfgfile, sizeof(cfgfile), "%s/guest.cfg", dir);
    mk(kernel, 0644);
    mk(image, 0666);
    mk(rofile, 0444);
    cr_assert_eq(mkdir(subdir, 0755), 0);
}

static void host_teardown(void)
{
    if (geteuid() != 0 && getuid() == 0)
        (void)!seteuid(0);
    unlink(kernel);
    unlink(image);
    unlink(rofile);
    unlink(cfgfile);
    rmdir(subdir);
    rmdir(dir);
}

/* Parse a config that names `k` as kernel and `disk` (if not NULL). */
static void parse_host(const char *k, const char *disk)
{
    char text[1024];

    snprintf(text, sizeof(text), "name = 'g'\nkernel = '%s'\n%s%s%s", k,
             disk ? "disk = [\n  '" : "", disk ? disk : "", disk ? "' ]\n" : "");
    cr_assert_eq(parse(text, NULL, 0), 0, "%s", err);
}

/* Permission checks mean nothing to root: drop to nobody while checking. */
static int check_as_user(void)
{
    bool dropped = false;
    if (geteuid() == 0) {
        cr_assert_eq(seteuid(65534), 0, "seteuid: %s", strerror(errno));
        dropped = true;
    }
    int rc = xlcfg_check_host(&cfg, err, sizeof(err));
    if (dropped)
        cr_assert_eq(seteuid(0), 0);
    return rc;
}

TestSuite(xlcfg_host, .init = host_setup, .fini = host_teardown);

Test(xlcfg_host, good_files_pass)
{
    char d[512];

    snprintf(d, sizeof(d), "%s,raw,xvda,rw', '%s,,xvdb,ro', ',hdc:cdrom,r", image, rofile);
    parse_host(kernel, d);
    cr_expect_eq(check_as_user(), 0, "%s", err);
    cr_expect_str_eq(err, "");
}

Test(xlcfg_host, missing_kernel)
{
    char k[160];

    snprintf(k, sizeof(k), "%s/nope", dir);
    parse_host(k, NULL);
    cr_expect_eq(xlcfg_check_host(&cfg, err, sizeof(err)), -ENOENT);
    cr_expect(!strncmp(err, "t.cfg:2: kernel: ", 17), "%s", err);
    cr_expect(strstr(err, "No such file") != NULL, "%s", err);
}

Test(xlcfg_host, unreadable_kernel)
{
    cr_assert_eq(chmod(kernel, 0), 0);
    parse_host(kernel, NULL);
    cr_expect_eq(check_as_user(), -EACCES, "%s", err);
    cr_expect(!strncmp(err, "t.cfg:2: kernel: ", 17), "%s", err);
    cr_expect(strstr(err, "not readable") != NULL, "%s", err);
}

Test(xlcfg_host, kernel_is_a_directory)
{
    parse_host(subdir, NULL);
    cr_expect_eq(xlcfg_check_host(&cfg, err, sizeof(err)), -EISDIR);
    cr_expect(!strncmp(err, "t.cfg:2: kernel: ", 17), "%s", err);
    cr_expect(strstr(err, "is a directory") != NULL, "%s", err);
}

Test(xlcfg_host, missing_ramdisk)
{
    char text[512];

    snprintf(text, sizeof(text), "name='g'\nkernel='%s'\nramdisk='%s/initrd'\n", kernel, dir);
    cr_assert_eq(parse(text, NULL, 0), 0, "%s", err);
    cr_expect_eq(xlcfg_check_host(&cfg, err, sizeof(err)), -ENOENT);
    cr_expect(!strncmp(err, "t.cfg:3: ramdisk: ", 18), "%s", err);
}

Test(xlcfg_host, missing_disk_target)
{
    char d[512];

    snprintf(d, sizeof(d), "%s,raw,xvda', '%s/gone.img,raw,xvdb", image, dir);
    parse_host(kernel, d);
    cr_expect_eq(xlcfg_check_host(&cfg, err, sizeof(err)), -ENOENT);
    cr_expect(!strncmp(err, "t.cfg:4: disk: entry 2: ", 24), "%s", err);
    cr_expect(strstr(err, "gone.img") != NULL, "%s", err);
}

Test(xlcfg_host, disk_that_is_not_a_file_or_block_device)
{
    parse_host(kernel, "/dev/null,raw,xvda");
    cr_expect_eq(xlcfg_check_host(&cfg, err, sizeof(err)), -EINVAL);
    cr_expect(!strncmp(err, "t.cfg:4: disk: entry 1: ", 24), "%s", err);
    cr_expect(strstr(err, "block device") != NULL, "%s", err);
}

Test(xlcfg_host, read_only_file_as_writable_disk)
{
    char d[512];

    snprintf(d, sizeof(d), "%s,raw,xvda,w", rofile);
    parse_host(kernel, d);
    cr_expect_eq(check_as_user(), -EACCES, "%s", err);
    cr_expect(!strncmp(err, "t.cfg:4: disk: entry 1: ", 24), "%s", err);
    cr_expect(strstr(err, "not writable") != NULL, "%s", err);
}

Test(xlcfg_host, parse_file_and_its_errors)
{
    char text[512];

    snprintf(text, sizeof(text), "name = 'fromfile'\nkernel = '%s'\nmemory = 64\n", kernel);
    int fd = open(cfgfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);

    char *ov[] = { "vcpus=2" };
    cr_assert_eq(xlcfg_parse_file(cfgfile, ov, 1, &cfg, err, sizeof(err), NULL, NULL), 0,
                 "%s", err);
    cr_expect_str_eq(cfg.file, cfgfile);
    cr_expect_str_eq(cfg.name, "fromfile");
    cr_expect_eq(cfg.vcpus, 2);
    cr_expect_eq(xlcfg_check_host(&cfg, err, sizeof(err)), 0, "%s", err);

    char missing[160], want[200];
    snprintf(missing, sizeof(missing), "%s/absent.cfg", dir);
    cr_expect_eq(xlcfg_parse_file(missing, NULL, 0, &cfg, err, sizeof(err), NULL, NULL),
                 -ENOENT);
    snprintf(want, sizeof(want), "%s: cannot open: ", missing);
    cr_expect(!strncmp(err, want, strlen(want)), "%s", err);

    /* Errors in a file name the file. */
    fd = open(cfgfile, O_WRONLY | O_TRUNC);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "name = 'g'\nvcpus = 0\n", 21), 21);
    close(fd);
    cr_expect_eq(xlcfg_parse_file(cfgfile, NULL, 0, &cfg, err, sizeof(err), NULL, NULL),
                 -EINVAL);
    snprintf(want, sizeof(want), "%s:2: vcpus: ", cfgfile);
    cr_expect(!strncmp(err, want, strlen(want)), "%s", err);
}

Test(xlcfg, name_valid)
{
    cr_expect(xlcfg_name_valid("guest-1.a_b"));
    cr_expect(xlcfg_name_valid("1st"));
    cr_expect_not(xlcfg_name_valid(""));
    cr_expect_not(xlcfg_name_valid(NULL));
    cr_expect_not(xlcfg_name_valid("42"));
    cr_expect_not(xlcfg_name_valid("-x"));
    cr_expect_not(xlcfg_name_valid("a b"));
    cr_expect_not(xlcfg_name_valid("a/b"));
    char n[80];
    memset(n, 'n', 63);
    n[63] = '\0';
    cr_expect(xlcfg_name_valid(n), "63 characters");
    n[63] = 'n';
    n[64] = '\0';
    cr_expect_not(xlcfg_name_valid(n), "64 characters");
}

/* One entry alone, as block-attach and network-attach take it. */
Test(xlcfg, single_disk_and_vif_specs)
{
    struct xlcfg_disk d;
    struct xlcfg_vif v;
    char err[512];

    cr_assert_eq(xlcfg_parse_disk("block-attach", "format=raw, vdev=xvdb, access=ro, "
                                  "target=/srv/a,b.img", &d, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(d.vdev, "xvdb");
    cr_expect_str_eq(d.target, "/srv/a,b.img");
    cr_expect(d.readonly);
    cr_expect_eq(xlcfg_parse_disk("block-attach", "vdev=xvdb, access=rx, target=/x", &d, err,
                                  sizeof(err)), -EINVAL);
    cr_expect(!strncmp(err, "block-attach: disk: ", 20), "%s", err);

    cr_assert_eq(xlcfg_parse_vif("network-attach", "mac=00:16:3e:01:02:03, bridge=br0, mtu=9000",
                                 &v, err, sizeof(err)), 0, "%s", err);
    cr_expect_str_eq(v.mac, "00:16:3e:01:02:03");
    cr_expect_str_eq(v.bridge, "br0");
    cr_expect_eq(v.mtu, 9000);
    cr_expect_eq(xlcfg_parse_vif("network-attach", "mtu=20", &v, err, sizeof(err)), -EINVAL);
    cr_expect(strstr(err, "mtu") && !strncmp(err, "network-attach: vif: ", 21), "%s", err);
    cr_expect_eq(xlcfg_parse_vif("network-attach", "mtu=big", &v, err, sizeof(err)), -EINVAL);
    cr_expect_eq(xlcfg_parse_vif("network-attach", "bridge=br0", &v, err, sizeof(err)), 0);
    cr_expect_eq(v.mtu, 0, "no mtu= leaves the backend's default");
}
