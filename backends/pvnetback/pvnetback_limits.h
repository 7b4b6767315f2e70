/* pvnetback_limits.h: the numbers the request decoder and the daemon
 * share (kept apart so the decoder and its tests need nothing else). */
#ifndef PVNETBACK_LIMITS_H
#define PVNETBACK_LIMITS_H

#include <pvhv/io/netif.h>

#define NB_ETH_HLEN 14
#define NB_VLAN_HLEN 4
/* The data slots of one tx packet: Linux's XEN_NETBK_LEGACY_SLOTS_MAX
 * (netif.h's XEN_NETIF_NR_SLOTS_MIN): more are dropped with an error, and
 * a chain of more than NB_FATAL_SLOTS (Linux's fatal_skb_slots, counted
 * after the first) is taken as a broken ring. */
#define NB_LEGACY_SLOTS_MAX XEN_NETIF_NR_SLOTS_MIN
#define NB_FATAL_SLOTS 20
/* Extra-info slots one packet may carry before the ring counts as broken. */
#define NB_MAX_EXTRAS 8
/* MTU: the toolstack's B/mtu, this when absent; at most what fits in a
 * 64 KiB - 1 frame with an Ethernet and a VLAN header. */
#define NB_DEFAULT_MTU 1500
#define NB_MIN_MTU 68
#define NB_MAX_MTU (XEN_NETIF_MAX_TX_SIZE - NB_ETH_HLEN - NB_VLAN_HLEN)

#endif
