/* /bin/bash for `kubectl exec -it POD -- /bin/bash`: busybox has no bash applet, so run its sh. */
#include <unistd.h>

int main(int argc, char **argv) {
    (void)argc;
    argv[0] = "sh";
    execv("/bin/sh", argv);
    return 127;
}
