# backends/: dom0's device backends.
#
# libbackend (backends/common): what the daemons share: options, run
# directory and pid file (backend_main), the epoll loop skeleton
# (backend_loop), the pvhv handles (backend_host), xenstore plumbing
# (backend_xenbus).
BACKEND_COMMON_DIR  := backends/common
BACKEND_COMMON_SRCS := $(wildcard $(BACKEND_COMMON_DIR)/*.c)
LIBBACKEND          := $(BUILD)/lib/libbackend.a

$(BUILD)/obj/$(BACKEND_COMMON_DIR)/%.o: CPPFLAGS += -Ihypervisor -I$(LIBXS_INC)

$(LIBBACKEND): $(patsubst %.c,$(BUILD)/obj/%.o,$(BACKEND_COMMON_SRCS))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

all: $(LIBBACKEND)

# pvconsoled, the console daemon (Xen's xenconsoled): each domain's console
# ring to a log file and a pty.

PVCONSOLED_DIR  := backends/pvconsoled
PVCONSOLED_SRCS := $(wildcard $(PVCONSOLED_DIR)/*.c)
PVCONSOLED_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(PVCONSOLED_SRCS))
PVCONSOLED_BIN  := $(BUILD)/bin/pvconsoled

# pvhv's logger (hypervisor/log.h) and libxs's <xenstore.h>, for these
# objects only (elsewhere <xenstore.h> stays Xen's).
$(BUILD)/obj/$(PVCONSOLED_DIR)/%.o: CPPFLAGS += -Ihypervisor -I$(LIBXS_INC) -I$(BACKEND_COMMON_DIR)

$(PVCONSOLED_BIN): $(PVCONSOLED_OBJS) $(LIBBACKEND) $(BUILD)/obj/hypervisor/log.o $(LIBPVCTRL) \
                   $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

all: $(PVCONSOLED_BIN)
BINS += $(PVCONSOLED_BIN)

# pvblkback, the block backend daemon (Xen's blkback): each guest disk
# declared under /local/domain/0/backend/vbd, served over Xen's blkif ring
# with io_uring (Debian's liburing-dev). It is built on libbackend.
PVBLKBACK_DIR  := backends/pvblkback
PVBLKBACK_SRCS := $(wildcard $(PVBLKBACK_DIR)/*.c)
PVBLKBACK_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(PVBLKBACK_SRCS))
PVBLKBACK_BIN  := $(BUILD)/bin/pvblkback

$(BUILD)/obj/$(PVBLKBACK_DIR)/%.o: CPPFLAGS += -Ihypervisor -I$(LIBXS_INC) -I$(BACKEND_COMMON_DIR)

$(PVBLKBACK_BIN): $(PVBLKBACK_OBJS) $(LIBBACKEND) \
                  $(BUILD)/obj/hypervisor/log.o $(LIBPVCTRL) $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -luring -lpthread

all: $(PVBLKBACK_BIN)
BINS += $(PVBLKBACK_BIN)
# tests/system/test_blkback.c runs the daemon, plays the toolstack with
# libxs, and checks the request decoder (blkreq.c) directly.
TEST_DEPS += $(PVBLKBACK_BIN)
TEST_SRCS += $(PVBLKBACK_DIR)/blkreq.c
$(BUILD)/obj/tests/system/test_blkback.o: CPPFLAGS += -I$(LIBXS_INC) -I$(PVBLKBACK_DIR)

# pvnetback, the network backend daemon (Xen's netback): each vif declared
# under /local/domain/0/backend/vif, served over Xen's netif rings with
# grant copies, a TAP device per vif. It is built on libbackend.
PVNETBACK_DIR  := backends/pvnetback
PVNETBACK_SRCS := $(wildcard $(PVNETBACK_DIR)/*.c)
PVNETBACK_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(PVNETBACK_SRCS))
PVNETBACK_BIN  := $(BUILD)/bin/pvnetback

$(BUILD)/obj/$(PVNETBACK_DIR)/%.o: CPPFLAGS += -Ihypervisor -I$(LIBXS_INC) -I$(BACKEND_COMMON_DIR)

$(PVNETBACK_BIN): $(PVNETBACK_OBJS) $(LIBBACKEND) \
                  $(BUILD)/obj/hypervisor/log.o $(LIBPVCTRL) $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

all: $(PVNETBACK_BIN)
BINS += $(PVNETBACK_BIN)
# tests/system/test_netback.c runs the daemon, plays the toolstack and the
# frontend, and checks the packet decoder and header code directly.
TEST_DEPS += $(PVNETBACK_BIN)
TEST_SRCS += $(PVNETBACK_DIR)/txreq.c $(PVNETBACK_DIR)/frame.c
$(BUILD)/obj/tests/system/test_netback.o: CPPFLAGS += -I$(LIBXS_INC) -I$(PVNETBACK_DIR)
