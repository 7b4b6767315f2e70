# tests/unit: one criterion file per module, linked with the module's objects.
TEST_SRCS += $(wildcard tests/unit/*.c)
TEST_OBJS += $(PVHV_CORE_OBJS)
TEST_LDLIBS += -lpthread
CPPFLAGS += -Ihypervisor
