/*
    Large messages (argument: inproc, ipc or tcp): 4 MiB and 8 MiB messages
    arrive intact, byte for byte, in both directions, received both into a
    user buffer and with NN_MSG, when the receiver's NN_RCVMAXSIZE is -1
    (unlimited; the default is 1 MiB).
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    size_t i;
    uint32_t x = seed * 2654435761u + 1;
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char) (x >> 16);
    }
}

static void check(const unsigned char *got, const unsigned char *want,
    size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (got[i] != want[i])
            TU_FAIL("byte %zu of %zu differs: expected 0x%02x, got 0x%02x",
                i, n, want[i], got[i]);
}

int main(int argc, char **argv)
{
    int b, c, rc, k;
    char url[128];
    const size_t sizes[] = { 4u << 20, 8u << 20, (8u << 20) + 3 };
    size_t maxsz = (8u << 20) + 3;
    unsigned char *out, *in;
    void *zc;

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));
    out = (unsigned char *) malloc(maxsz);
    in = (unsigned char *) malloc(maxsz);
    TU_ASSERT(out != NULL && in != NULL);

    b = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(b, 20000);
    tu_set_timeouts(c, 20000);
    tu_setopt_int(b, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    tu_setopt_int(c, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    tu_bind(b, url);
    tu_connect(c, url);

    for (k = 0; k < (int) (sizeof(sizes) / sizeof(sizes[0])); k++) {
        size_t n = sizes[k];

        /*  connect -> bind, into a user buffer. */
        fill(out, n, (unsigned) k);
        rc = nn_send(c, out, n, 0);
        TU_ASSERT_EQ(n, TU_OK(rc));
        memset(in, 0, maxsz);
        rc = nn_recv(b, in, maxsz, 0);
        TU_ASSERT_EQ(n, TU_OK(rc));
        check(in, out, n);

        /*  bind -> connect, zero-copy receive. */
        fill(out, n, (unsigned) k + 100);
        rc = nn_send(b, out, n, 0);
        TU_ASSERT_EQ(n, TU_OK(rc));
        zc = NULL;
        rc = nn_recv(c, &zc, NN_MSG, 0);
        TU_ASSERT_EQ(n, TU_OK(rc));
        check((const unsigned char *) zc, out, n);
        TU_ASSERT_EQ(0, nn_freemsg(zc));
        printf("%zu bytes ok\n", n);
    }

    /*  A small message still works afterwards. */
    tu_send_str(c, "small");
    tu_recv_str(b, "small");

    tu_close(c);
    tu_close(b);
    free(out);
    free(in);
    printf("PASS\n");
    return 0;
}
