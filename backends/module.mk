# backends/: dom0's device backends. pvconsoled, the console daemon (Xen's
# xenconsoled): each domain's console ring to a log file and a pty.

PVCONSOLED_DIR  := backends/pvconsoled
PVCONSOLED_SRCS := $(wildcard $(PVCONSOLED_DIR)/*.c)
PVCONSOLED_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(PVCONSOLED_SRCS))
PVCONSOLED_BIN  := $(BUILD)/bin/pvconsoled

# pvhv's logger (hypervisor/log.h) and libxs's <xenstore.h>, for these
# objects only (elsewhere <xenstore.h> stays Xen's).
$(BUILD)/obj/$(PVCONSOLED_DIR)/%.o: CPPFLAGS += -Ihypervisor -I$(LIBXS_INC)

$(PVCONSOLED_BIN): $(PVCONSOLED_OBJS) $(BUILD)/obj/hypervisor/log.o $(LIBPVCTRL) $(LIBXS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lpthread

all: $(PVCONSOLED_BIN)
BINS += $(PVCONSOLED_BIN)
