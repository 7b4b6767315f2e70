/* networks.c: the host networks vifs plug into (libhostnet): net-create,
 * net-destroy, net-list. A network is a Linux bridge: hostonly (the host
 * and its guests only), nat (plus masquerading out of the host), or a
 * bridge the administrator made (bridged). A vif joins one by bridge=NAME. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "hostnet.h"
#include "pvctl.h"

int cmd_net_create(struct session *s, int argc, char **argv)
{
    enum hostnet_mode mode = HOSTNET_HOSTONLY;
    const char *subnet = NULL;
    struct hostnet_info info;
    char err[512];
    int opt;

    while ((opt = getopt(argc, argv, "+h")) != -1) {
        verb_usage("net-create", opt == 'h' ? stdout : stderr);
        return opt == 'h' ? EXIT_SUCCESS : EXIT_USAGE;
    }
    if (argc - optind < 1) {
        verb_usage("net-create", stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[optind];
    for (int i = optind + 1; i < argc; i++) {
        if (!strncmp(argv[i], "mode=", 5)) {
            if (hostnet_mode_parse(argv[i] + 5, &mode) < 0 || mode == HOSTNET_BRIDGED) {
                errmsg("net-create: mode '%s': use hostonly or nat (a bridge you made "
                       "needs no net-create: name it in bridge=)", argv[i] + 5);
                return EXIT_FAILURE;
            }
        } else if (!strncmp(argv[i], "subnet=", 7)) {
            subnet = argv[i] + 7;
        } else {
            errmsg("net-create: '%s' is neither mode= nor subnet=", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (hostnet_create(s->rundir, name, mode, subnet, &info, err, sizeof(err)) < 0) {
        errmsg("net-create: %s", err);
        return EXIT_FAILURE;
    }
    printf("Network %s (%s): %s, host address %s\n", info.name, hostnet_mode_name(info.mode),
           info.subnet, info.address);
    return EXIT_SUCCESS;
}

int cmd_net_destroy(struct session *s, int argc, char **argv)
{
    char err[512];
    int opt;

    while ((opt = getopt(argc, argv, "+h")) != -1) {
        verb_usage("net-destroy", opt == 'h' ? stdout : stderr);
        return opt == 'h' ? EXIT_SUCCESS : EXIT_USAGE;
    }
    if (argc - optind != 1) {
        verb_usage("net-destroy", stderr);
        return EXIT_USAGE;
    }
    if (hostnet_destroy(s->rundir, argv[optind], err, sizeof(err)) < 0) {
        errmsg("net-destroy: %s", err);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int cmd_net_list(struct session *s, int argc, char **argv)
{
    struct hostnet_info *nets = NULL;
    bool all = false;
    unsigned n = 0;
    char err[512];
    int opt;

    while ((opt = getopt(argc, argv, "+ah")) != -1) {
        if (opt == 'a') {
            all = true;
            continue;
        }
        verb_usage("net-list", opt == 'h' ? stdout : stderr);
        return opt == 'h' ? EXIT_SUCCESS : EXIT_USAGE;
    }
    if (optind != argc) {
        verb_usage("net-list", stderr);
        return EXIT_USAGE;
    }
    if (hostnet_list(s->rundir, all, &nets, &n, err, sizeof(err)) < 0) {
        errmsg("net-list: %s", err);
        return EXIT_FAILURE;
    }
    printf("%-16s %-9s %-18s %-15s %s\n", "Name", "Mode", "Subnet", "Host address", "State");
    for (unsigned i = 0; i < n; i++)
        printf("%-16s %-9s %-18s %-15s %s\n", nets[i].name, hostnet_mode_name(nets[i].mode),
               nets[i].subnet[0] ? nets[i].subnet : "-",
               nets[i].address[0] ? nets[i].address : "-",
               !nets[i].present ? "missing" : nets[i].up ? "up" : "down");
    free(nets);
    return EXIT_SUCCESS;
}
