shared_info.o: guest-frontends/libpvfront/include/pvfront/shared_info.h \
 build/include/pvhv/xen.h build/include/pvhv/pvhv_abi.h
build/include/pvhv/xen.h:
build/include/pvhv/pvhv_abi.h:
