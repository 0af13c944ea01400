/*
    ipc:// socket files: binding creates the file, nn_close of the binding
    socket removes it, and so does nn_shutdown of the bind endpoint; a stale
    file left at the address (nobody listening) does not prevent binding;
    connecting does not create a file.
*/
#include "testutil.h"

#include <sys/stat.h>

#include <nanomsg/pair.h>

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/*  Removal may happen asynchronously: allow up to 2 s. */
static void expect_gone(const char *path, const char *after)
{
    int i;
    for (i = 0; i < 200 && exists(path); i++)
        tu_sleep_ms(10);
    if (exists(path))
        TU_FAIL("%s still exists 2 s after %s", path, after);
}

int main(int argc, char **argv)
{
    int s, c, e;
    char url[128], url2[128];
    const char *path;
    FILE *f;

    tu_init(argc, argv);
    tu_url_for("ipc", 0, url, sizeof(url));
    path = tu_ipc_path(url);
    unlink(path);

    /*  Connecting alone creates nothing. */
    c = tu_socket(AF_SP, NN_PAIR);
    tu_connect(c, url);
    tu_sleep_ms(200);
    TU_ASSERT(!exists(path));
    tu_close(c);

    /*  Bind creates the file, close removes it. */
    s = tu_socket(AF_SP, NN_PAIR);
    tu_bind(s, url);
    if (!exists(path))
        TU_FAIL("%s does not exist after nn_bind", path);
    tu_close(s);
    expect_gone(path, "nn_close");

    /*  nn_shutdown of the bind endpoint removes it too. */
    s = tu_socket(AF_SP, NN_PAIR);
    e = tu_bind(s, url);
    TU_ASSERT(exists(path));
    TU_OK(nn_shutdown(s, e));
    expect_gone(path, "nn_shutdown");

    /*  A stale file does not block a new bind, which then works. */
    tu_url_for("ipc", 1, url2, sizeof(url2));
    f = fopen(tu_ipc_path(url2), "w");
    TU_ASSERT(f != NULL);
    fclose(f);
    tu_bind(s, url2);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, 5000);
    tu_set_timeouts(c, 5000);
    tu_connect(c, url2);
    tu_send_str(c, "over a replaced file");
    tu_recv_str(s, "over a replaced file");
    tu_close(c);
    tu_close(s);
    expect_gone(tu_ipc_path(url2), "nn_close");

    printf("PASS\n");
    return 0;
}
