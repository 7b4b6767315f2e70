# dom0-tools/pvctl: the toolstack (xl's verbs). Included after xenstore/
# and dom0-tools/xlcfg, whose libraries it links.
PVCTL_DIR  := dom0-tools/pvctl
PVCTL_SRCS := $(wildcard $(PVCTL_DIR)/*.c)
PVCTL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(PVCTL_SRCS))
PVCTL_BIN  := $(BUILD)/bin/pvctl

$(BUILD)/obj/$(PVCTL_DIR)/%.o: CPPFLAGS += -I$(LIBXS_INC)

$(PVCTL_BIN): $(PVCTL_OBJS) $(LIBXLCFG) $(LIBHOSTNET) $(LIBXS) $(LIBPVCTRL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -luuid -lyajl -lpthread

all: $(PVCTL_BIN)
BINS += $(PVCTL_BIN)

# The toolstack tests run pvctl, which starts the daemons itself.
TEST_DEPS += $(PVCTL_BIN) $(XSD_BIN)
TEST_LDLIBS += -lyajl -lutil
