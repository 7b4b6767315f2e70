smp.o: guest-frontends/libpvfront/include/pvfront/smp.h \
 guest-frontends/libpvfront/include/pvfront/config.h
guest-frontends/libpvfront/include/pvfront/config.h:
