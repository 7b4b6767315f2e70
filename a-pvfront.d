pvfront.o: guest-frontends/libpvfront/include/pvfront/pvfront.h \
 build/include/pvhv/hvm/start_info.h build/include/pvhv/hvm/../pvhv_abi.h \
 build/include/pvhv/pvhv_platform.h build/include/pvhv/pvhv_abi.h \
 guest-frontends/libpvfront/include/pvfront/cmdline.h \
 guest-frontends/libpvfront/include/pvfront/config.h \
 guest-frontends/libpvfront/include/pvfront/console.h \
 guest-frontends/libpvfront/include/pvfront/hypercall.h \
 build/include/pvhv/errno.h build/include/pvhv/pvhv_hypercall.h \
 build/include/pvhv/xen.h \
 guest-frontends/libpvfront/include/pvfront/shutdown.h \
 guest-frontends/libpvfront/include/pvfront/smp.h \
 guest-frontends/libpvfront/include/pvfront/string.h \
 guest-frontends/libpvfront/include/pvfront/time.h \
 guest-frontends/libpvfront/include/pvfront/trap.h
build/include/pvhv/hvm/start_info.h:
build/include/pvhv/hvm/../pvhv_abi.h:
build/include/pvhv/pvhv_platform.h:
build/include/pvhv/pvhv_abi.h:
guest-frontends/libpvfront/include/pvfront/cmdline.h:
guest-frontends/libpvfront/include/pvfront/config.h:
guest-frontends/libpvfront/include/pvfront/console.h:
guest-frontends/libpvfront/include/pvfront/hypercall.h:
build/include/pvhv/errno.h:
build/include/pvhv/pvhv_hypercall.h:
build/include/pvhv/xen.h:
guest-frontends/libpvfront/include/pvfront/shutdown.h:
guest-frontends/libpvfront/include/pvfront/smp.h:
guest-frontends/libpvfront/include/pvfront/string.h:
guest-frontends/libpvfront/include/pvfront/time.h:
guest-frontends/libpvfront/include/pvfront/trap.h:
