console.o: guest-frontends/libpvfront/include/pvfront/console.h
