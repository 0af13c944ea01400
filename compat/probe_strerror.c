/*  nn_strerror for all NN_HAUSNUMERO+k codes the header mentions, the
    system errnos nanomsg uses, and unknown numbers.
    stdout: compat/strerror.tsv (name value text)  */

#include "probe_common.h"

static void row (const char *name, int value)
{
    const char *t = nn_strerror (value);
    printf ("%s\t%d\t%s\n", name, value, t ? t : "(NULL)");
}

int main (void)
{
    int k;
    printf ("name\tvalue\ttext\n");

    /*  Every NN_HAUSNUMERO+k code named in nn.h (k=1..28, 53, 54).  On Linux
        all of k=1..28 have system values instead, so the numeric codes
        below are what a caller would get if it passed them explicitly.  */
    static const char *hnames [] = { NULL,
        "ENOTSUP", "EPROTONOSUPPORT", "ENOBUFS", "ENETDOWN", "EADDRINUSE",
        "EADDRNOTAVAIL", "ECONNREFUSED", "EINPROGRESS", "ENOTSOCK",
        "EAFNOSUPPORT", "EPROTO", "EAGAIN", "EBADF", "EINVAL", "EMFILE",
        "EFAULT", "EACCES", "ENETRESET", "ENETUNREACH", "EHOSTUNREACH",
        "ENOTCONN", "EMSGSIZE", "ETIMEDOUT", "ECONNABORTED", "ECONNRESET",
        "ENOPROTOOPT", "EISCONN", "ESOCKTNOSUPPORT" };
    char nm [64];
    for (k = 1; k <= 28; k++) {
        snprintf (nm, sizeof nm, "NN_HAUSNUMERO+%d(%s)", k, hnames [k]);
        row (nm, NN_HAUSNUMERO + k);
    }
    row ("NN_HAUSNUMERO+53(ETERM)", NN_HAUSNUMERO + 53);
    row ("NN_HAUSNUMERO+54(EFSM)", NN_HAUSNUMERO + 54);

    /*  System errnos used by nanomsg (Linux values).  */
#define R(x) row (#x, x);
    R(EINVAL) R(EBADF) R(EFAULT) R(ENOPROTOOPT) R(EMSGSIZE) R(ETIMEDOUT)
    R(EAGAIN) R(EADDRINUSE) R(ENAMETOOLONG) R(EPROTONOSUPPORT)
    R(EAFNOSUPPORT) R(EMFILE) R(ENOTSUP) R(ECONNREFUSED) R(ENODEV)
    R(EADDRNOTAVAIL) R(EINTR) R(ENOMEM) R(ETERM) R(EFSM)
    R(ENOBUFS) R(ENETDOWN) R(EINPROGRESS) R(ENOTSOCK) R(EPROTO) R(EACCES)
    R(ENETRESET) R(ENETUNREACH) R(EHOSTUNREACH) R(ENOTCONN)
    R(ECONNABORTED) R(ECONNRESET) R(EISCONN) R(ESOCKTNOSUPPORT)
#undef R
    row ("zero", 0);
    row ("unknown", 999999);
    row ("NN_HAUSNUMERO", NN_HAUSNUMERO);
    row ("NN_HAUSNUMERO+55", NN_HAUSNUMERO + 55);
    row ("NN_HAUSNUMERO+100", NN_HAUSNUMERO + 100);
    row ("negative", -1);

    /*  Is the returned pointer the same as strerror's for system codes?  */
    fprintf (stderr, "nn_strerror(EINVAL)==strerror(EINVAL) pointer: %d\n",
        nn_strerror (EINVAL) == strerror (EINVAL));
    return 0;
}
