# tests/linux-guest: Debian's stock kernel as a Xen PVH guest under pvhv,
# with its own xen-blkfront and xen-netfront against pvblkback and
# pvnetback. It needs KVM's Xen support, so it runs only in the SVM lab's
# `linux` configuration, from a binary of its own (not in `make test`'s):
#
#   make test-linux-guest   the sanitized tree (build/san), in the lab
#
# lab.sh fetches the guest kernel (linux-image-amd64) and builds its
# initramfs around tests/linux-guest/guest-init.
LINUX_GUEST_TEST := $(BUILD)/tests/linux-guest-tests
LINUX_GUEST_SRCS := tests/linux-guest/test_linux_guest.c tests/system/harness.c \
                    tests/system/toolstack.c
$(BUILD)/obj/tests/linux-guest/%.o: CPPFLAGS += -Itests/system -I$(LIBXS_INC)
$(LINUX_GUEST_TEST): $(patsubst %.c,$(BUILD)/obj/%.o,$(LINUX_GUEST_SRCS)) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS)

.PHONY: test-linux-guest linux-guest-lab
test-linux-guest:
	$(MAKE) BUILD=build/san SANITIZE=1 linux-guest-lab

linux-guest-lab: all $(BUILD)/tests/pvhv-tests $(LINUX_GUEST_TEST) $(TEST_DEPS) $(SVM_LAB_PROBE)
	PVHV_BUILD=$(abspath $(BUILD)) SVM_LAB_CONFIGS=linux tests/svm-lab/lab.sh
