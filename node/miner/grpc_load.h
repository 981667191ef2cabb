/* grpc_load.h - gRPC loaded when first used, not at program start.
 *
 * Only the roles (miner, validator, aggregator, the console's Miners
 * screen) speak gRPC, yet linking libgrpc made every neuromesh process, an
 * idle node too, map it and the ~40 libraries it needs (abseil, re2, c-ares,
 * libstdc++ ...): about 6 MB of resident memory (docs/rpc.md, "Memory of an
 * idle node"). So the program does not link it: at build time
 * scripts/dlopen-stubs.py writes a forwarder for each grpc_* / gpr_*
 * function our objects call (nm -u), with the prototype of Debian's own
 * headers, which loads libgrpc (its soname read from the library at build
 * time) on first use and calls its definition. Callers include the grpc
 * headers and call gRPC as usual. */
#ifndef NM_GRPC_LOAD_H
#define NM_GRPC_LOAD_H

#include <stdbool.h>
#include <stddef.h>

/* Loads libgrpc now if it is not yet (thread-safe): true when it is
 * usable; else false with dlopen's reason in err. The role entry points
 * call it first, so a missing library is a start-up error with a message;
 * a forwarder that finds it missing later aborts. */
bool nm_grpc_load(char *err, size_t cap);

#endif
