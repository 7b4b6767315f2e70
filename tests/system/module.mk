# tests/system: whole-system tests. They start a private pvhv and boot real
# guests, so they need the daemon and the guests built first.
TEST_SRCS += $(wildcard tests/system/*.c)
TEST_OBJS += $(LIBPVCTRL)
TEST_DEPS += $(PVHV_BIN) $(REFGUEST_ELF)
# test_console_ring.c runs pvconsoled, drives pvctl's console_attach() and
# checks pvconsoled's ring code directly.
TEST_SRCS += dom0-tools/pvctl/console_attach.c backends/pvconsoled/ring.c
TEST_DEPS += $(BUILD)/bin/pvconsoled
# Whole-system tests act as the toolstack too: libxs (our <xenstore.h>)
# and a pvxenstored.
$(BUILD)/obj/tests/system/%.o: CPPFLAGS += -I$(LIBXS_INC)
TEST_DEPS += $(XSD_BIN)
