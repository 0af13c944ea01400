/*  ABI layout of the public structs, NN_CMSG_* macros, nn_cmsg_nxthdr_
    with NULL / edge arguments.  */

#include "probe_common.h"
#include <stddef.h>

static void nxt_null_both (void *a) { (void) a;
    struct nn_cmsghdr *c = nn_cmsg_nxthdr_ (NULL, NULL);
    printf ("%-60s -> %s\n", "nn_cmsg_nxthdr_ (NULL, NULL)", c ? "non-NULL" : "NULL"); }
static void nxt_null_mhdr (void *a) { (void) a;
    struct nn_cmsghdr dummy = { 0, 0, 0 };
    struct nn_cmsghdr *c = nn_cmsg_nxthdr_ (NULL, &dummy);
    printf ("%-60s -> %s\n", "nn_cmsg_nxthdr_ (NULL, &cmsg)", c ? "non-NULL" : "NULL"); }

static void first (const char *label, struct nn_msghdr *h)
{
    struct nn_cmsghdr *c = nn_cmsg_nxthdr_ (h, NULL);
    if (c)
        printf ("%-60s -> control+%ld\n", label,
            (long) ((char *) c - (char *) h->msg_control));
    else
        printf ("%-60s -> NULL\n", label);
}

static void next (const char *label, struct nn_msghdr *h, struct nn_cmsghdr *cur)
{
    struct nn_cmsghdr *c = nn_cmsg_nxthdr_ (h, cur);
    if (c)
        printf ("%-60s -> control+%ld\n", label,
            (long) ((char *) c - (char *) h->msg_control));
    else
        printf ("%-60s -> NULL\n", label);
}

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    printf ("## struct layout (x86_64)\n");
#define SZ(t) printf ("sizeof (%s) = %zu, alignof = %zu\n", #t, sizeof (t), _Alignof (t))
#define OFF(t, f) printf ("  offsetof (%s, %s) = %zu\n", #t, #f, offsetof (t, f))
    SZ (struct nn_iovec); OFF (struct nn_iovec, iov_base); OFF (struct nn_iovec, iov_len);
    SZ (struct nn_msghdr); OFF (struct nn_msghdr, msg_iov); OFF (struct nn_msghdr, msg_iovlen);
    OFF (struct nn_msghdr, msg_control); OFF (struct nn_msghdr, msg_controllen);
    SZ (struct nn_cmsghdr); OFF (struct nn_cmsghdr, cmsg_len); OFF (struct nn_cmsghdr, cmsg_level);
    OFF (struct nn_cmsghdr, cmsg_type);
    SZ (struct nn_pollfd); OFF (struct nn_pollfd, fd); OFF (struct nn_pollfd, events);
    OFF (struct nn_pollfd, revents);
    SZ (struct nn_symbol_properties); OFF (struct nn_symbol_properties, value);
    OFF (struct nn_symbol_properties, name); OFF (struct nn_symbol_properties, ns);
    OFF (struct nn_symbol_properties, type); OFF (struct nn_symbol_properties, unit);

    printf ("\n## macros\n");
    size_t k;
    for (k = 0; k <= 9; k++)
        printf ("NN_CMSG_SPACE(%zu) = %zu  NN_CMSG_LEN(%zu) = %zu  NN_CMSG_ALIGN_(%zu) = %zu\n",
            k, NN_CMSG_SPACE (k), k, NN_CMSG_LEN (k), k, NN_CMSG_ALIGN_ (k));
    printf ("NN_CMSG_DATA offset = %zu\n",
        (size_t) ((unsigned char *) NN_CMSG_DATA ((struct nn_cmsghdr *) 0) - (unsigned char *) 0));
    printf ("NN_MSG = %zu (== SIZE_MAX: %d)\n", NN_MSG, NN_MSG == SIZE_MAX);

    printf ("\n## nn_cmsg_nxthdr_\n");
    forked ("nn_cmsg_nxthdr_ (NULL, NULL)", nxt_null_both, NULL);
    forked ("nn_cmsg_nxthdr_ (NULL, &cmsg)", nxt_null_mhdr, NULL);
    {
        /*  Control buffer with two cmsgs of 4 data bytes each.  */
        union { unsigned char b [128]; size_t align; } u;
        memset (u.b, 0, sizeof u.b);
        struct nn_cmsghdr *c1 = (struct nn_cmsghdr *) u.b;
        c1->cmsg_len = NN_CMSG_LEN (4);
        c1->cmsg_level = 1;
        c1->cmsg_type = 1;
        struct nn_cmsghdr *c2 = (struct nn_cmsghdr *) (u.b + NN_CMSG_SPACE (4));
        c2->cmsg_len = NN_CMSG_LEN (4);
        c2->cmsg_level = 2;
        c2->cmsg_type = 2;

        struct nn_msghdr h;
        memset (&h, 0, sizeof h);
        first ("msg_control NULL, controllen 0", &h);
        h.msg_control = u.b;
        h.msg_controllen = 0;
        first ("controllen 0", &h);
        h.msg_controllen = sizeof (struct nn_cmsghdr) - 1;
        first ("controllen sizeof(cmsghdr)-1 (15)", &h);
        h.msg_controllen = sizeof (struct nn_cmsghdr);
        first ("controllen sizeof(cmsghdr) (16)", &h);
        h.msg_controllen = NN_CMSG_SPACE (4);
        first ("controllen CMSG_SPACE(4) (one cmsg)", &h);
        next ("  next after first, controllen = one cmsg", &h, c1);
        h.msg_controllen = 2 * NN_CMSG_SPACE (4);
        next ("  next after first, controllen = two cmsgs", &h, c1);
        next ("  next after second, controllen = two cmsgs", &h, c2);
        h.msg_controllen = NN_CMSG_SPACE (4) + sizeof (struct nn_cmsghdr);
        next ("  next after first, controllen = one cmsg + bare header", &h, c1);
        h.msg_controllen = NN_CMSG_SPACE (4) + NN_CMSG_LEN (4);
        next ("  next after first, controllen = one cmsg + LEN(4)", &h, c1);
        /*  cmsg_len 0 on the current header.  */
        c1->cmsg_len = 0;
        h.msg_controllen = 2 * NN_CMSG_SPACE (4);
        next ("  next after a cmsg with cmsg_len 0", &h, c1);
        c1->cmsg_len = NN_CMSG_LEN (4);
        /*  msg_controllen = NN_MSG: msg_control points at a void* to a chunk.  */
        void *chunk = nn_allocmsg (2 * NN_CMSG_SPACE (4), 0);
        memcpy (chunk, u.b, 2 * NN_CMSG_SPACE (4));
        struct nn_msghdr hm = { NULL, 0, &chunk, NN_MSG };
        struct nn_cmsghdr *f = nn_cmsg_nxthdr_ (&hm, NULL);
        printf ("%-60s -> %s\n", "NN_MSG control: first", f == chunk ? "chunk+0" : (f ? "other" : "NULL"));
        struct nn_cmsghdr *n2 = f ? nn_cmsg_nxthdr_ (&hm, f) : NULL;
        printf ("%-60s -> %s\n", "NN_MSG control: second",
            n2 ? (n2 == (void *) ((char *) chunk + NN_CMSG_SPACE (4)) ? "chunk+24" : "other") : "NULL");
        struct nn_cmsghdr *n3 = n2 ? nn_cmsg_nxthdr_ (&hm, n2) : NULL;
        printf ("%-60s -> %s\n", "NN_MSG control: third", n3 ? "non-NULL" : "NULL");
        nn_freemsg (chunk);
    }
    return 0;
}
