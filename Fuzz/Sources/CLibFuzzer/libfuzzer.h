// libFuzzer's driver, for executables that bring their own main (SwiftPM links every
// executable with main=<Module>_main, so libFuzzer's main is never used).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
