#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, for programs that have a main of their own (SwiftPM names an
// executable's entry point <module>_main and links `main` to it, so libFuzzer's own main is
// never the one that runs). It parses the -flags and corpus directories in argv and calls
// `callback` once per input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
