/* The lab's app, as docker.io/stacksimplify/kubenginx behaves for a learner: HTTP on port 80
 * serving /usr/share/nginx/html, one nginx-style access-log line per request on stdout, a prompt
 * exit on SIGTERM. Flags make the mistakes matrix's images:
 *   --exit N     exit with N at once (a crash loop)
 *   --status N   answer every request with status N (an app that is up but broken)
 *   --port P     listen on P instead of 80 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROOT "/usr/share/nginx/html"

static void stop(int sig) { (void)sig; _exit(0); }

static const char *reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

static void serve(int fd, const char *peer, int forced) {
    char req[4096], method[16] = "-", path[1024] = "/", proto[16] = "HTTP/1.0", ua[256] = "-";
    ssize_t n = read(fd, req, sizeof req - 1);
    if (n <= 0) return;
    req[n] = 0;
    sscanf(req, "%15s %1023s %15s", method, path, proto);
    char *u = strstr(req, "\nUser-Agent: ");
    if (u) sscanf(u + 13, "%255[^\r\n]", ua);
    char file[2048], body[65536];
    char *q = strchr(path, '?');
    if (q) *q = 0;
    snprintf(file, sizeof file, "%s%s%s", ROOT, path, path[strlen(path) - 1] == '/' ? "index.html" : "");
    int status = 404, len = 0;
    int in = strstr(path, "..") ? -1 : open(file, O_RDONLY);
    if (in >= 0) {
        len = (int)read(in, body, sizeof body);
        close(in);
        status = len >= 0 ? 200 : 500;
        if (len < 0) len = 0;
    }
    if (status == 404) len = snprintf(body, sizeof body, "<html><body><h1>404 Not Found</h1></body></html>\n");
    if (forced) {
        status = forced;
        len = snprintf(body, sizeof body, "<html><body><h1>%d %s</h1></body></html>\n", status, reason(status));
    }
    char head[512];
    int h = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                     "Content-Length: %d\r\nConnection: close\r\n\r\n", status, reason(status), len);
    if (write(fd, head, h) < 0 || (strcmp(method, "HEAD") && write(fd, body, len) < 0)) return;
    char when[64];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", gmtime(&now));
    printf("%s - - [%s] \"%s %s %s\" %d %d \"-\" \"%s\" \"-\"\n", peer, when, method, path, proto, status, len, ua);
    fflush(stdout);
}

int main(int argc, char **argv) {
    int port = 80, forced = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--exit")) {
            fprintf(stderr, "kubenginx: exiting with %s as asked\n", argv[i + 1]);
            return atoi(argv[i + 1]);
        }
        if (!strcmp(argv[i], "--status")) forced = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    }
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    signal(SIGPIPE, SIG_IGN);
    /* what the nginx-based image prints before any request */
    fprintf(stderr, "/docker-entrypoint.sh: Configuration complete; ready for start up\n");
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY};
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) || listen(s, 64)) {
        perror("kubenginx: listen");
        return 1;
    }
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        int c = accept(s, (struct sockaddr *)&from, &fl);
        if (c < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        serve(c, inet_ntoa(from.sin_addr), forced);
        close(c);
    }
}
