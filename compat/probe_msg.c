/*  nn_allocmsg / nn_reallocmsg / nn_freemsg.  */

#include "probe_common.h"
#include <stdint.h>

#define P(label, expr) do { errno = 0; void *p_ = (expr); int e_ = errno; \
    printf ("%-60s -> %s %s\n", label, p_ ? "non-NULL" : "NULL", \
        p_ ? "" : errname (e_)); if (p_) nn_freemsg (p_); } while (0)

static void free_null (void *a) { (void) a; RC (nn_freemsg (NULL)); }
static void free_bogus (void *a) { (void) a;
    char *m = malloc (64); memset (m, 0, 64);
    RC (nn_freemsg (m + 32)); }
static void free_twice (void *a) { (void) a;
    void *m = nn_allocmsg (10, 0);
    RC (nn_freemsg (m));
    RC (nn_freemsg (m)); }
static void realloc_null (void *a) { (void) a;
    errno = 0;
    void *m = nn_reallocmsg (NULL, 10);
    printf ("%-60s -> %s %s\n", "nn_reallocmsg (NULL, 10)", m ? "non-NULL" : "NULL",
        m ? "" : errname (errno)); }

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    P ("nn_allocmsg (0, 0)", nn_allocmsg (0, 0));
    P ("nn_allocmsg (10, 0)", nn_allocmsg (10, 0));
    P ("nn_allocmsg (10, 1)", nn_allocmsg (10, 1));
    P ("nn_allocmsg (10, -1)", nn_allocmsg (10, -1));
    P ("nn_allocmsg (10, 2)", nn_allocmsg (10, 2));
    P ("nn_allocmsg (SIZE_MAX, 0)", nn_allocmsg (SIZE_MAX, 0));
    P ("nn_allocmsg (SIZE_MAX - 100, 0)", nn_allocmsg (SIZE_MAX - 100, 0));
    P ("nn_allocmsg (1<<62, 0)", nn_allocmsg ((size_t) 1 << 62, 0));
    P ("nn_allocmsg (1<<40, 0)", nn_allocmsg ((size_t) 1 << 40, 0));
    P ("nn_allocmsg (NN_MSG, 0)", nn_allocmsg (NN_MSG, 0));

    /*  Alignment of returned pointer.  */
    void *m = nn_allocmsg (3, 0);
    printf ("allocmsg pointer alignment: address %% 16 = %lu, %% 8 = %lu\n",
        (unsigned long) ((uintptr_t) m % 16), (unsigned long) ((uintptr_t) m % 8));
    nn_freemsg (m);

    forked ("nn_freemsg (NULL)", free_null, NULL);
    forked ("nn_freemsg (not a message)", free_bogus, NULL);
    forked ("nn_freemsg twice", free_twice, NULL);
    forked ("nn_reallocmsg (NULL, 10)", realloc_null, NULL);

    /*  Realloc keeps contents.  */
    m = nn_allocmsg (5, 0);
    memcpy (m, "hello", 5);
    errno = 0;
    void *g = nn_reallocmsg (m, 100000);
    printf ("%-60s -> %s, contents kept: %s, same pointer: %s\n",
        "nn_reallocmsg (msg5, 100000)", g ? "non-NULL" : errname (errno),
        g && memcmp (g, "hello", 5) == 0 ? "yes" : "no", g == m ? "yes" : "no");
    errno = 0;
    void *z = nn_reallocmsg (g, 0);
    printf ("%-60s -> %s %s\n", "nn_reallocmsg (msg, 0)", z ? "non-NULL" : "NULL",
        z ? "" : errname (errno));
    if (z) {
        /*  Can a zero-size message be sent and received?  */
        int a = nn_socket (AF_SP, NN_PAIR), b = nn_socket (AF_SP, NN_PAIR);
        nn_bind (a, "inproc://msg0");
        nn_connect (b, "inproc://msg0");
        RC (nn_send (a, &z, NN_MSG, 0));
        void *r = NULL;
        RC (nn_recv (b, &r, NN_MSG, 0));
        printf ("  received NN_MSG pointer is %s\n", r ? "non-NULL" : "NULL");
        if (r) RC (nn_freemsg (r));
        nn_close (a);
        nn_close (b);
    }
    m = nn_allocmsg (100, 0);
    memcpy (m, "shrink", 6);
    g = nn_reallocmsg (m, 3);
    printf ("%-60s -> %s, first 3 bytes kept: %s\n", "nn_reallocmsg (msg100, 3)",
        g ? "non-NULL" : errname (errno),
        g && memcmp (g, "shr", 3) == 0 ? "yes" : "no");
    errno = 0;
    void *h = nn_reallocmsg (g, SIZE_MAX - 10);
    printf ("%-60s -> %s %s (old message still valid: freemsg -> %d)\n",
        "nn_reallocmsg (msg, SIZE_MAX-10)", h ? "non-NULL" : "NULL",
        h ? "" : errname (errno), h ? nn_freemsg (h) : nn_freemsg (g));
    return 0;
}
