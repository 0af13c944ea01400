/*  nn_symbol_info / nn_symbol enumeration.
    stdout: compat/symbols.tsv (index name value ns type unit)
    stderr: consistency checks between nn_symbol and nn_symbol_info.  */

#include "probe_common.h"

int main (void)
{
    struct nn_symbol_properties p;
    int i, rc, mismatches = 0;

    printf ("index\tname\tvalue\tns\ttype\tunit\n");
    for (i = 0; ; i++) {
        memset (&p, 0xAA, sizeof p);
        rc = nn_symbol_info (i, &p, sizeof p);
        if (rc == 0)
            break;
        if (rc != (int) sizeof p)
            fprintf (stderr, "index %d: nn_symbol_info returned %d\n", i, rc);
        printf ("%d\t%s\t%d\t%d\t%d\t%d\n", i, p.name, p.value, p.ns,
            p.type, p.unit);

        int v = -12345;
        const char *n = nn_symbol (i, &v);
        if (!n || strcmp (n, p.name) != 0 || v != p.value) {
            fprintf (stderr, "index %d: nn_symbol mismatch (%s,%d)\n",
                i, n ? n : "(null)", v);
            mismatches++;
        }
    }
    int count = i;
    fprintf (stderr, "symbol count: %d, nn_symbol mismatches: %d\n",
        count, mismatches);

    /*  Past the end and negative.  */
    int v = -12345;
    errno = 0;
    const char *n = nn_symbol (count, &v);
    fprintf (stderr, "nn_symbol(%d,&v) -> %s errno=%s v=%d\n", count,
        n ? n : "NULL", errname (errno), v);
    errno = 0;
    n = nn_symbol (-1, &v);
    fprintf (stderr, "nn_symbol(-1,&v) -> %s errno=%s\n", n ? n : "NULL",
        errname (errno));
    errno = 0;
    n = nn_symbol (0, NULL);
    fprintf (stderr, "nn_symbol(0,NULL) -> %s errno=%s\n", n ? n : "NULL",
        errname (errno));
    errno = 0;
    rc = nn_symbol_info (count, &p, sizeof p);
    fprintf (stderr, "nn_symbol_info(%d) -> %d errno=%s\n", count, rc,
        errname (errno));
    errno = 0;
    rc = nn_symbol_info (-1, &p, sizeof p);
    fprintf (stderr, "nn_symbol_info(-1) -> %d errno=%s\n", rc,
        errname (errno));

    /*  Short buffer: only the first buflen bytes are written.  */
    memset (&p, 0xAA, sizeof p);
    rc = nn_symbol_info (0, &p, 4);
    fprintf (stderr, "nn_symbol_info(0,&p,4) -> %d value=%d name-ptr-untouched=%d\n",
        rc, p.value, p.name == (const char *) 0xAAAAAAAAAAAAAAAAul);
    rc = nn_symbol_info (0, &p, 0);
    fprintf (stderr, "nn_symbol_info(0,&p,0) -> %d\n", rc);
    rc = nn_symbol_info (0, &p, sizeof p + 16);
    fprintf (stderr, "nn_symbol_info(0,&p,sizeof+16) -> %d (sizeof=%zu)\n",
        rc, sizeof p);
    return 0;
}
