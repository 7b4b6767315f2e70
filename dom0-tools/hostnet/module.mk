# dom0-tools/hostnet: libhostnet (hostnet.h), the host-side networks vifs
# plug into: hostonly and nat bridges that pvhv makes (rtnetlink, nft),
# and bridges the administrator made. pvctl's net-* verbs use it.
LIBHOSTNET_SRCS := $(wildcard dom0-tools/hostnet/*.c)
LIBHOSTNET := $(BUILD)/lib/libhostnet.a
CPPFLAGS += -Idom0-tools/hostnet

$(LIBHOSTNET): $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBHOSTNET_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

all: $(LIBHOSTNET)
LIBS += $(LIBHOSTNET)
INSTALL_HDRS += dom0-tools/hostnet/hostnet.h
# tests/unit/test_hostnet.c and tests/system/test_netback.c use it.
TEST_OBJS += $(LIBHOSTNET)
