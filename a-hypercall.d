hypercall.o: guest-frontends/libpvfront/include/pvfront/hypercall.h \
 build/include/pvhv/errno.h build/include/pvhv/pvhv_hypercall.h \
 build/include/pvhv/pvhv_abi.h build/include/pvhv/xen.h
build/include/pvhv/errno.h:
build/include/pvhv/pvhv_hypercall.h:
build/include/pvhv/pvhv_abi.h:
build/include/pvhv/xen.h:
