# tests/system: whole-system tests. They start a private pvhv and boot real
# guests, so they need the daemon and the guests built first.
TEST_SRCS += $(wildcard tests/system/*.c)
TEST_OBJS += $(LIBPVCTRL)
TEST_DEPS += $(PVHV_BIN) $(REFGUEST_ELF)
