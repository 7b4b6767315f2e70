/* list_json.c: `pvctl list -l`: each domain's state and the config it was
 * created from, as JSON (yajl), keyed as xl's `list -l` keys libxl's
 * domain config (c_info, b_info, disks, nics, on_*). */
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>
#include <yajl/yajl_gen.h>

#include "pvctl.h"

static void str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kv_str(yajl_gen g, const char *k, const char *v)
{
    str(g, k);
    str(g, v);
}

static void kv_int(yajl_gen g, const char *k, long long v)
{
    str(g, k);
    yajl_gen_integer(g, v);
}

static void gen_config(yajl_gen g, const struct xlcfg *c)
{
    char u[37];

    uuid_unparse_lower(c->uuid, u);
    yajl_gen_map_open(g);
    str(g, "c_info");
    yajl_gen_map_open(g);
    kv_str(g, "type", c->type);
    kv_str(g, "name", c->name);
    kv_str(g, "uuid", u);
    yajl_gen_map_close(g);

    str(g, "b_info");
    yajl_gen_map_open(g);
    kv_int(g, "max_vcpus", c->maxvcpus > c->vcpus ? c->maxvcpus : c->vcpus);
    kv_int(g, "avail_vcpus", c->vcpus);
    kv_int(g, "max_memkb", (long long)c->maxmem_mib * 1024);
    kv_int(g, "target_memkb", (long long)c->memory_mib * 1024);
    kv_str(g, "kernel", c->kernel);
    kv_str(g, "cmdline", c->cmdline);
    if (c->ramdisk[0])
        kv_str(g, "ramdisk", c->ramdisk);
    yajl_gen_map_close(g);

    str(g, "disks");
    yajl_gen_array_open(g);
    for (unsigned i = 0; i < c->nr_disks; i++) {
        yajl_gen_map_open(g);
        kv_str(g, "pdev_path", c->disks[i].target);
        kv_str(g, "vdev", c->disks[i].vdev);
        kv_str(g, "format", c->disks[i].format);
        kv_str(g, "backend", c->disks[i].emulated ? "emulated" : "phy");
        str(g, "readwrite");
        yajl_gen_bool(g, !c->disks[i].readonly);
        str(g, "is_cdrom");
        yajl_gen_bool(g, c->disks[i].cdrom);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);

    str(g, "nics");
    yajl_gen_array_open(g);
    for (unsigned i = 0; i < c->nr_vifs; i++) {
        yajl_gen_map_open(g);
        kv_int(g, "devid", i);
        if (c->vifs[i].mac[0])
            kv_str(g, "mac", c->vifs[i].mac);
        if (c->vifs[i].bridge[0])
            kv_str(g, "bridge", c->vifs[i].bridge);
        if (c->vifs[i].ip[0])
            kv_str(g, "ip", c->vifs[i].ip);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);

    kv_str(g, "on_poweroff", xlcfg_action_name(c->on_poweroff));
    kv_str(g, "on_reboot", xlcfg_action_name(c->on_reboot));
    kv_str(g, "on_crash", xlcfg_action_name(c->on_crash));
    yajl_gen_map_close(g);
}

int list_json(struct session *s, const struct pvhv_ctl_dominfo *infos, int n)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    struct xlcfg *cfg = calloc(1, sizeof(*cfg));
    const unsigned char *buf;
    size_t len;

    if (!g || !cfg) {
        if (g)
            yajl_gen_free(g);
        free(cfg);
        errmsg("out of memory");
        return EXIT_FAILURE;
    }
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_array_open(g);
    for (int i = 0; i < n; i++) {
        char name[PVHV_NAME_MAX + 64], err[256], *text = NULL;
        domain_name(s, infos[i].domid, name, sizeof(name));
        yajl_gen_map_open(g);
        kv_int(g, "domid", infos[i].domid);
        kv_str(g, "name", name);
        kv_str(g, "state", pvctrl_state_name(infos[i].state));
        kv_int(g, "cpu_time_ns", (long long)infos[i].cpu_time_ns);
        kv_int(g, "uptime_ns", (long long)infos[i].uptime_ns);
        kv_int(g, "online_vcpus", infos[i].nr_online_vcpus);
        str(g, "config");
        memset(cfg, 0, sizeof(*cfg));
        if (config_load(s, infos[i].handle, &text) == 0 &&
            xlcfg_parse_buffer("saved", text, strlen(text), NULL, 0, cfg, err, sizeof(err),
                               NULL, NULL) == 0) {
            /* Renamed domains keep their new name. */
            snprintf(cfg->name, sizeof(cfg->name), "%s", name);
            gen_config(g, cfg);
        } else {
            yajl_gen_null(g);
        }
        free(text);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    yajl_gen_free(g);
    free(cfg);
    return EXIT_SUCCESS;
}
